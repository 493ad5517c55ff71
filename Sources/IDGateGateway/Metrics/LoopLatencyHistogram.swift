import Synchronization

/// One event loop's share of the request latency histogram.
///
/// A Prometheus histogram shared by all loops is one locked box every request takes (swift-prometheus's
/// `Histogram.record`), so loops would contend for it on a many-core server. Each loop records into its own shard
/// instead: only that loop writes a shard, so a record is plain loads and stores of relaxed atomics (no locked
/// read-modify-write, no cache line shared with another loop), and a scrape sums the shards (`LatencyHistogram`).
final class LoopLatencyHistogram: Sendable {
    /// Upper bounds of the buckets, in nanoseconds (the same for every shard).
    let bounds: [Int64]
    /// Requests at or below each bound (one slot per bound; the last slot counts everything above the last bound).
    private let counts: [Slot]
    private let sumNanoseconds = Atomic<Int64>(0)

    /// An atomic in a box (`Atomic` cannot be copied into an array).
    private final class Slot: Sendable {
        let value = Atomic<Int>(0)
    }

    init(bounds: [Int64]) {
        self.bounds = bounds
        counts = (0...bounds.count).map { _ in Slot() }
    }

    /// Counts one request; call only from the owning loop (single writer: load + store, not an atomic add).
    func record(nanoseconds: Int64) {
        var slot = 0
        while slot < bounds.count, nanoseconds > bounds[slot] { slot += 1 }
        let box = counts[slot]
        box.value.store(box.value.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        sumNanoseconds.store(sumNanoseconds.load(ordering: .relaxed) &+ nanoseconds, ordering: .relaxed)
    }

    /// Requests per slot (not cumulative) and the latency sum, read from any thread.
    fileprivate func read(into slots: inout [Int], sum: inout Int64) {
        for index in counts.indices { slots[index] += counts[index].value.load(ordering: .relaxed) }
        sum &+= sumNanoseconds.load(ordering: .relaxed)
    }
}

/// The request latency histogram (`idgate_request_duration_seconds`) as the sum of the loops' shards.
final class LatencyHistogram: Sendable {
    let name: String
    let help: String
    let bounds: [Int64]
    private let shards = Mutex<[LoopLatencyHistogram]>([])

    init(name: String, help: String, bounds: [Duration]) {
        self.name = name
        self.help = help
        self.bounds = bounds.map { Self.nanoseconds($0) }
    }

    /// A new shard for one event loop (made when the loop's context is, never on the request path).
    func makeShard() -> LoopLatencyHistogram {
        let shard = LoopLatencyHistogram(bounds: bounds)
        shards.withLock { $0.append(shard) }
        return shard
    }

    /// Appends the histogram in the Prometheus text format (cumulative buckets, `+Inf`, sum in seconds, count).
    func emit(into buffer: inout [UInt8]) {
        var slots = [Int](repeating: 0, count: bounds.count + 1)
        var sum: Int64 = 0
        for shard in shards.withLock({ $0 }) { shard.read(into: &slots, sum: &sum) }
        func line(_ text: String) {
            buffer.append(contentsOf: text.utf8)
            buffer.append(UInt8(ascii: "\n"))
        }
        line("# HELP \(name) \(help)")
        line("# TYPE \(name) histogram")
        var cumulative = 0
        for (index, bound) in bounds.enumerated() {
            cumulative += slots[index]
            line("\(name)_bucket{le=\"\(Self.seconds(bound))\"} \(cumulative)")
        }
        cumulative += slots[bounds.count]
        line("\(name)_bucket{le=\"+Inf\"} \(cumulative)")
        line("\(name)_sum \(Self.seconds(sum))")
        line("\(name)_count \(cumulative)")
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    /// Seconds with up to nine decimals and no trailing zeros (`0.00005`, `1.0`).
    static func seconds(_ nanoseconds: Int64) -> String {
        let whole = nanoseconds / 1_000_000_000
        var fraction = String(nanoseconds % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.count > 1, fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}
