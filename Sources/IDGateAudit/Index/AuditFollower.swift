import Dispatch
import Foundation
import IDGateCore
import Synchronization

/// Follows the audit log off its write path: the writer hands over each durable batch's bytes (one copy per group
/// commit, nothing per record), and this thread adds its records to the subject index and the outbox.
///
/// Why a thread of its own rather than the writer: the index sorts each commit's records by subject and merges its
/// runs (`AuditSubjectIndex`), and its commit is an fsync; done by the writer, that would lengthen every request's
/// wait for its audit record. Here it only delays when a record shows in a citizen's history, and `whenIndexed` lets the history
/// wait for that. At start the thread first catches the index up from the segments (or rebuilds it when it is
/// missing, damaged, or does not match the log), then follows.
final class AuditFollower: Sendable {
    private struct State: Sendable {
        var pending: [[UInt8]] = []
        var pendingBytes = 0
        /// The thread waits for work (nothing pending): the next `submit` wakes it. While it holds pending batches
        /// for the commit interval, submits do not wake it (one wake-up per commit, not per batch).
        var idle = false
        /// Set when holding the next batch would pass `memoryBytes`: what was held is dropped, and the thread reads
        /// the records up to this head back from the segments.
        var overflowHead: AuditSubjectIndex.Position?
        var waiters: [(sequence: UInt64, body: @Sendable (Result<Void, AuditError>) -> Void)] = []
        var closed = false
        var failure: AuditError?
    }

    private struct Transfer: @unchecked Sendable {
        let outbox: AuditOutbox?
    }

    /// Records per index transaction: one run of level 0 plus up to 16 times as many entries of merging, well
    /// within the dirty pages LMDB allows one transaction.
    static let recordsPerTransaction = 20_000
    /// The least time between two index commits while nobody waits for the index. Each commit is an fsync plus the
    /// B-trees' branch pages, whatever it holds: committing every group commit of the log (hundreds a second under
    /// load) cost a tenth of a core on the chip route. Held batches are committed at once when a history waits for
    /// them (`whenIndexed`), past `heldBytesLimit`, or at close; the index is derived from the log, so holding
    /// loses nothing (a crash is caught up from the segments at the next start).
    static let commitInterval: Duration = .milliseconds(50)
    static let heldBytesLimit = 8 << 20
    private let directory: URL
    private let state = Mutex(State())
    private let indexed = Atomic<UInt64>(0)
    private let rounds = Atomic<Int>(0)
    private let overflows = Atomic<Int>(0)
    private let memoryBytes: Int
    private let startListener: (@Sendable (AuditIndexStart) -> Void)?
    private let wakeup = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let indexHolder = Mutex<AuditSubjectIndex?>(nil)
    let keepsIndex: Bool

    /// Starts the thread. `head` is the log's last durable record when it opened: the catch-up reads the segments
    /// up to it, later records arrive through `submit`.
    init(
        directory: URL, head: AuditSubjectIndex.Position, index keepsIndex: Bool, outbox: AuditOutbox?,
        memoryBytes: Int = 64 << 20, startListener: (@Sendable (AuditIndexStart) -> Void)? = nil
    ) {
        self.directory = directory
        self.keepsIndex = keepsIndex
        self.memoryBytes = memoryBytes
        self.startListener = startListener
        let transfer = Transfer(outbox: outbox)
        let thread = Thread { [self] in self.run(head: head, outbox: transfer.outbox) }
        thread.name = "idgate-audit-follower"
        thread.start()
    }

    /// The index, once open (reads may run on any thread).
    var index: AuditSubjectIndex? { indexHolder.withLock { $0 } }

    /// The sequence up to which the index holds every record.
    var indexedSequence: UInt64 { indexed.load(ordering: .acquiring) }

    /// How many times the thread has taken the submitted batches into the index and the outbox since it started.
    var roundCount: Int { rounds.load(ordering: .relaxed) }

    /// How many times it dropped what it held (past `memoryBytes`) and read the records from the segments instead.
    var overflowCount: Int { overflows.load(ordering: .relaxed) }

    /// Hands over the frames of a durable batch (called by the writer thread, in log order); `head` is the log's
    /// position after them. When holding them would pass `memoryBytes` (the thread lags), everything held is
    /// dropped and the thread reads the records up to `head` back from the segments: memory stays bounded.
    func submit(_ frames: [UInt8], head: AuditSubjectIndex.Position) {
        guard !frames.isEmpty else { return }
        let wake = state.withLock { state in
            defer { state.idle = false }
            if state.overflowHead != nil || state.pendingBytes + frames.count > memoryBytes {
                state.pending.removeAll()
                state.pendingBytes = 0
                state.overflowHead = head
                return true
            }
            state.pending.append(frames)
            state.pendingBytes += frames.count
            return state.idle || state.pendingBytes >= Self.heldBytesLimit
        }
        if wake { wakeup.signal() }
    }

    /// Runs `body` once every record up to `sequence` is in the index (at once if it is already), or with the
    /// failure that stopped the index.
    func whenIndexed(through sequence: UInt64, _ body: @escaping @Sendable (Result<Void, AuditError>) -> Void) {
        let ready: Result<Void, AuditError>? = state.withLock { state in
            if let failure = state.failure { return .failure(failure) }
            if indexed.load(ordering: .acquiring) >= sequence { return .success(()) }
            if state.closed { return .failure(.closed) }
            state.waiters.append((sequence, body))
            return nil
        }
        if let ready { body(ready) } else { wakeup.signal() }
    }

    /// Processes what was submitted, then stops the thread.
    func close() {
        let alreadyClosed = state.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        guard !alreadyClosed else { return }
        wakeup.signal()
        finished.wait()
    }

    // MARK: - Thread

    private func run(head: AuditSubjectIndex.Position, outbox: AuditOutbox?) {
        Self.yieldToRequests()
        var position = head
        if keepsIndex {
            do {
                position = try catchUp(to: head)
            } catch {
                fail(AuditError.storage("subject index: \(error)"))
            }
        } else {
            indexed.store(head.sequence, ordering: .releasing)
        }
        release()
        var lastCommit = ContinuousClock.now - Self.commitInterval
        while true {
            var closing = false
            var holding = false
            var overflowHead: AuditSubjectIndex.Position?
            let batches: [[UInt8]] = state.withLock { state in
                closing = state.closed
                if let head = state.overflowHead {
                    overflowHead = head
                    state.overflowHead = nil
                    return []
                }
                guard !state.pending.isEmpty else {
                    state.idle = true
                    return []
                }
                let due = closing || !state.waiters.isEmpty || state.pendingBytes >= Self.heldBytesLimit
                    || ContinuousClock.now - lastCommit >= Self.commitInterval
                guard due else {
                    holding = true
                    return []
                }
                defer {
                    state.pending.removeAll(keepingCapacity: true)
                    state.pendingBytes = 0
                }
                return state.pending
            }
            if let head = overflowHead {
                overflows.add(1, ordering: .relaxed)
                lastCommit = ContinuousClock.now
                do {
                    guard try add(segmentsAfter: &position, upTo: head, to: index, outbox: outbox) else {
                        throw AuditError.storage("the segments do not continue the follower's position")
                    }
                } catch {
                    fail(AuditError.storage("subject index: reading the segments after an overflow: \(error)"))
                }
                // Records the segments no longer hold (retention) cannot be indexed: continue after the head.
                if position.sequence < head.sequence {
                    do {
                        try index?.add(AuditFrameList(written: []), position: head)
                    } catch {
                        fail(AuditError.storage("subject index: moving past records the segments no longer hold: \(error)"))
                    }
                    position = head
                }
                indexed.store(position.sequence, ordering: .releasing)
                release()
                continue
            }
            if batches.isEmpty {
                if closing { break }
                if holding {
                    let wait = lastCommit + Self.commitInterval - ContinuousClock.now
                    _ = wakeup.wait(timeout: .now() + .nanoseconds(Int(max(wait.nanoseconds, 0))))
                } else {
                    wakeup.wait()
                }
                continue
            }
            lastCommit = ContinuousClock.now
            rounds.add(1, ordering: .relaxed)
            var frames = AuditFrameList(written: batches.count == 1 ? batches[0] : Self.concatenated(batches))
            frames.keep(after: position.sequence)
            for piece in frames.chunks(of: Self.recordsPerTransaction) {
                guard let last = piece.frames.last else { continue }
                let next = AuditSubjectIndex.Position(sequence: last.sequence, hash: piece.chainHash(of: last))
                if let index {
                    do {
                        try index.add(piece, position: next)
                    } catch {
                        fail(AuditError.storage("subject index: \(error)"))
                    }
                }
                outbox?.write(piece)
                position = next
                indexed.store(next.sequence, ordering: .releasing)
                release()
            }
        }
        outbox?.close()
        state.withLock { $0.failure = $0.failure ?? .closed }
        release()
        finished.signal()
    }

    /// Opens the index and adds the segments' records after its position, up to `head`. An index that cannot be
    /// opened, is empty, is ahead of the log, whose last record's chain hash differs from the log's or that fails
    /// to take the catch-up is rebuilt from scratch (`AuditSubjectIndexRebuild`).
    private func catchUp(to head: AuditSubjectIndex.Position) throws -> AuditSubjectIndex.Position {
        var index: AuditSubjectIndex?
        var reason: String?
        do {
            index = try AuditSubjectIndex(auditDirectory: directory)
        } catch {
            reason = "the index could not be opened: \(error)"
        }
        var stored = AuditSubjectIndex.Position.start
        if let opened = index, reason == nil {
            do {
                stored = try opened.position()
            } catch {
                reason = "its position could not be read: \(error)"
            }
        }
        if reason == nil {
            if stored == .start {
                reason = "no index (missing, new, from another layout, or a rebuild that did not finish)"
            } else if stored.sequence > head.sequence {
                reason = "the index is ahead of the log (sequence \(stored.sequence), log \(head.sequence))"
            } else if stored.sequence == head.sequence && stored.hash != head.hash {
                reason = "the index's last record is not the log's (another log, or records edited)"
            }
        }
        var position = stored
        if reason == nil {
            // An index that cannot take the catch-up (its merge state unreadable, say) is rebuilt like a damaged one.
            do {
                if try !add(segmentsAfter: &position, upTo: head, to: index!, outbox: nil) {
                    reason = "the segments do not continue the index (its record \(stored.sequence) has another chain hash)"
                }
            } catch {
                reason = "catching up from the segments failed: \(error)"
            }
        }
        if let reason {
            // Missing, damaged, empty, ahead of the log, describing another log or failing the catch-up: built
            // anew from all segments, in key order.
            index = try rebuilt(&index)
            position = try AuditSubjectIndexRebuild.build(into: index!, directory: directory, upTo: head).position
            startListener?(AuditIndexStart(rebuildReason: reason, recordsFrom: 1, recordsThrough: position.sequence))
        } else {
            startListener?(AuditIndexStart(rebuildReason: nil, recordsFrom: stored.sequence + 1, recordsThrough: position.sequence))
        }
        // Records the segments no longer hold (damage, retention) cannot be indexed: the index is as current as
        // the log allows.
        if position.sequence < head.sequence { try index!.add(AuditFrameList(written: []), position: head) }
        indexHolder.withLock { $0 = index }
        indexed.store(head.sequence, ordering: .releasing)
        return head
    }

    /// Adds the records after `position` up to `head` from the segments, starting with the segment that holds the
    /// position; false (nothing added) when the record there does not have the position's chain hash.
    private func add(
        segmentsAfter position: inout AuditSubjectIndex.Position, upTo head: AuditSubjectIndex.Position,
        to index: AuditSubjectIndex?, outbox: AuditOutbox?
    ) throws -> Bool {
        guard position.sequence < head.sequence else { return true }
        let segments = try AuditDirectory.segmentURLs(in: directory)
        var first = 0
        for (offset, url) in segments.enumerated() {
            guard let header = Self.header(of: url) else { continue }
            if header.firstSequence <= max(position.sequence, 1) { first = offset } else { break }
        }
        var checked = position.sequence == 0
        for url in segments[first...] {
            let bytes = try FileBytes.read(path: url.path)
            let scan = try AuditSegmentScan(url: url, contents: bytes)
            var frames = AuditFrameList(segment: bytes, scan: scan)
            if !checked, let frame = frames.frames.first(where: { $0.sequence == position.sequence }) {
                checked = true
                guard frames.chainHash(of: frame) == position.hash else { return false }
            }
            frames.keep(after: position.sequence, through: head.sequence)
            for piece in frames.chunks(of: Self.recordsPerTransaction) {
                guard let last = piece.frames.last else { continue }
                let next = AuditSubjectIndex.Position(sequence: last.sequence, hash: piece.chainHash(of: last))
                try index?.add(piece, position: next)
                outbox?.write(piece)
                position = next
            }
        }
        return true
    }

    /// Closes `index` (LMDB must not have the same environment open twice in a process), deletes it and opens an
    /// empty one.
    private func rebuilt(_ index: inout AuditSubjectIndex?) throws -> AuditSubjectIndex {
        indexHolder.withLock { $0 = nil }
        index = nil
        AuditSubjectIndex.remove(auditDirectory: directory)
        return try AuditSubjectIndex(auditDirectory: directory)
    }

    /// Lowers this thread's scheduling priority (nice `followerNice`): where it shares a core with an event loop,
    /// its index commits and merges (milliseconds of CPU at a time) wait for the requests instead of delaying them.
    /// It needs a tenth of what the requests it follows need, so it keeps up at the lower weight.
    private static func yieldToRequests() {
        #if os(Linux)
        // On Linux the nice value is per thread, and `who` 0 is the calling thread.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, followerNice)
        #endif
    }

    static let followerNice: Int32 = 5

    private static func header(of url: URL) -> AuditSegmentHeader? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: AuditFormat.headerLengthWithNodeID) else { return nil }
        return data.withUnsafeBytes { AuditSegmentHeader($0) }
    }

    /// The held batches as one array: one allocation and a copy per batch (`Array(batches.joined())` copied
    /// byte by byte through the generic flatten).
    private static func concatenated(_ batches: [[UInt8]]) -> [UInt8] {
        var all: [UInt8] = []
        all.reserveCapacity(batches.reduce(0) { $0 + $1.count })
        for batch in batches { all.append(contentsOf: batch) }
        return all
    }

    private func fail(_ error: AuditError) {
        indexHolder.withLock { $0 = nil }
        state.withLock { $0.failure = $0.failure ?? error }
    }

    /// Runs the waiters whose records are indexed now (or all of them, with the failure).
    private func release() {
        let current = indexed.load(ordering: .acquiring)
        let (due, failure): ([@Sendable (Result<Void, AuditError>) -> Void], AuditError?) = state.withLock { state in
            let failure = state.failure
            var due: [@Sendable (Result<Void, AuditError>) -> Void] = []
            state.waiters.removeAll { waiter in
                guard failure != nil || waiter.sequence <= current else { return false }
                due.append(waiter.body)
                return true
            }
            return (due, failure)
        }
        for body in due { body(failure.map { .failure($0) } ?? .success(())) }
    }
}
