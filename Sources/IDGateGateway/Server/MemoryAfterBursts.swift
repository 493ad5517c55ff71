import IDGateCore
import Synchronization

/// Returns the memory of a burst to the system once the burst is over.
///
/// Why: a burst of tens of thousands of concurrent requests grows malloc's arenas (request and answer buffers,
/// stream state, audit batches) and glibc keeps freed memory in them: resident memory stayed at its peak (47 → 347
/// MB) long after the load was gone. Each maintenance pass (`registry.reloadCheckInterval`) looks at the peak of
/// requests in progress since the last pass; after a busy pass, the first quiet one calls `malloc_trim(0)`, which
/// hands free pages of every arena back. Once per burst, off the event loops: it walks the arenas under their locks.
final class MemoryAfterBursts: Sendable {
    /// Requests in progress at once that make a pass busy.
    static let busyPeak = 512
    /// At most this many in progress makes a pass quiet.
    static let quietPeak = 64
    private let sawBurst = Atomic<Bool>(false)
    /// How many times memory was trimmed (tests, logs).
    let trims = Atomic<Int>(0)

    /// Called by each maintenance pass with the peak of requests in progress since the previous one.
    func check(peakInFlight: Int) {
        if peakInFlight >= Self.busyPeak {
            sawBurst.store(true, ordering: .relaxed)
        } else if peakInFlight <= Self.quietPeak, sawBurst.exchange(false, ordering: .relaxed) {
            Self.trim()
            trims.wrappingAdd(1, ordering: .relaxed)
        }
    }

    static func trim() { MemoryTrim.releaseFreeMemory() }
}
