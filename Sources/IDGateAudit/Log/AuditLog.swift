import Dispatch
import Foundation
import IDGateCore
import IDGateWire
import NIOCore
import Synchronization

/// The tamper-evident audit log: one record per request, appended from any event loop, written by one dedicated
/// thread with group commit (docs/AUDIT.md).
///
/// `append` only queues. The writer takes everything queued, encodes it into one buffer, writes it and fsyncs once,
/// then runs the completions: under load, one fsync covers the many records that arrived during the previous one.
/// With `.beforeResponse` durability the gateway answers in the completion; a failed completion means 503.
/// Completions given an event loop run on it, all of one group commit's for that loop in one task: one thread hop
/// per loop and commit instead of one per record.
/// After a storage failure, `append` fails at once until the writer manages to open a new segment again.
public final class AuditLog: Sendable {
    public typealias Completion = @Sendable (Result<Void, AuditError>) -> Void

    /// One `append`: a record, or an event loop tick's records (`append(contentsOf:)`) with one completion.
    private struct Pending: Sendable {
        let records: Records
        let completion: Completion?
        let eventLoop: (any EventLoop)?
    }

    private enum Records: Sendable {
        case one(AuditRecord)
        case many([AuditRecord])

        var count: Int {
            switch self {
            case .one: 1
            case .many(let records): records.count
            }
        }

        /// Calls `body` with each record in place (not a `Sequence`: its iterator would copy each record out, with
        /// retains for its strings).
        func forEach(_ body: (AuditRecord) -> Void) {
            switch self {
            case .one(let record): body(record)
            case .many(let records): for index in records.indices { body(records[index]) }
            }
        }
    }

    private struct QueueState: Sendable {
        var pending: [Pending] = []
        var pendingRecords = 0
        var writerSleeping = false
        var closed = false
    }

    /// The writer's state moves to the writer thread at start and is touched by nothing else afterwards.
    private struct WriterTransfer: @unchecked Sendable {
        let writer: AuditSegmentWriter
    }

    public let configuration: AuditLogConfiguration
    public let startupReport: AuditStartupReport
    private let queue = Mutex(QueueState())
    private let wakeup = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let healthy = Atomic<Bool>(true)
    private let requestedMinimumFreeBytes: Atomic<Int64>
    private let headState: Mutex<AuditHead>
    /// Feeds the subject index and the outbox with each durable batch (nil when neither is configured).
    private let follower: AuditFollower?
    /// Subjects' access histories (nil unless `configuration.subjectIndex`).
    public let history: AuditHistory?
    /// Called on the writer thread after each durable batch (the fleet's shipper wakes up on it instead of polling).
    private let commitListener = Mutex<(@Sendable () -> Void)?>(nil)

    /// Opens (creating if needed) the directory, recovers the chain head from the last segment, starts a new
    /// segment and the writer thread. Throws if no segment can be created.
    public init(configuration: AuditLogConfiguration) throws {
        if let nodeID = configuration.nodeID, let problem = AuditSegmentHeader.nodeIDProblem(nodeID) {
            throw AuditError.invalidDirectory("node id \(nodeID): \(problem)")
        }
        let writer = try AuditSegmentWriter(configuration: configuration)
        self.configuration = configuration
        self.startupReport = writer.report
        self.requestedMinimumFreeBytes = Atomic(configuration.minimumFreeBytes)
        self.headState = Mutex(AuditHead(sequence: writer.nextSequence - 1, hash: writer.chainHash, segment: writer.segmentNumber))
        let outbox = try configuration.outbox.map { try AuditOutbox(configuration: $0, nodeID: configuration.nodeID) }
        if configuration.subjectIndex || outbox != nil {
            let follower = AuditFollower(
                directory: configuration.directory,
                head: AuditSubjectIndex.Position(sequence: writer.nextSequence - 1, hash: writer.chainHash),
                index: configuration.subjectIndex, outbox: outbox, memoryBytes: configuration.followerMemoryBytes,
                startListener: configuration.indexStartListener)
            self.follower = follower
            history = configuration.subjectIndex ? AuditHistory(key: configuration.key, follower: follower) : nil
        } else {
            follower = nil
            history = nil
        }
        let transfer = WriterTransfer(writer: writer)
        let thread = Thread { [self] in self.runWriter(transfer.writer) }
        thread.name = "idgate-audit-writer"
        thread.start()
    }

    /// Queues `record`. `completion` runs once the record is durable (or failed) with `.beforeResponse` — on
    /// `eventLoop` if given, else on the writer thread — or before `append` returns with `.async`.
    public func append(_ record: AuditRecord, on eventLoop: (any EventLoop)? = nil, completion: @escaping Completion) {
        enqueue(.one(record), on: eventLoop, completion: completion)
    }

    /// Queues `records` in order with one completion for all of them (they are written in the same commit): how
    /// an event loop hands over the answers of one tick with one lock and one thread hop back.
    public func append(contentsOf records: [AuditRecord], on eventLoop: (any EventLoop)? = nil, completion: @escaping Completion) {
        guard !records.isEmpty else { return completion(.success(())) }
        enqueue(.many(records), on: eventLoop, completion: completion)
    }

    private func enqueue(_ records: Records, on eventLoop: (any EventLoop)?, completion: @escaping Completion) {
        guard healthy.load(ordering: .acquiring) else {
            return completion(.failure(.storage("audit storage unavailable; retrying")))
        }
        let waitsForDisk = configuration.durability == .beforeResponse
        let outcome: Result<Bool, AuditError> = queue.withLock { state in
            if state.closed { return .failure(.closed) }
            if state.pendingRecords + records.count > configuration.maxQueuedRecords { return .failure(.queueFull) }
            state.pending.append(
                Pending(records: records, completion: waitsForDisk ? completion : nil, eventLoop: eventLoop))
            state.pendingRecords += records.count
            defer { state.writerSleeping = false }
            return .success(waitsForDisk && state.writerSleeping)
        }
        switch outcome {
        case .failure(let error): completion(.failure(error))
        case .success(let wakeWriter):
            if wakeWriter {
                // On an event loop, wake the writer after the loop's current tick instead of now: the records
                // of the whole read burst go into one commit, and on a shared core the loop is not preempted by
                // the writer once per burst's first record.
                let wakeup = self.wakeup
                if let eventLoop, eventLoop.inEventLoop {
                    eventLoop.execute { wakeup.signal() }
                } else {
                    wakeup.signal()
                }
            }
            if !waitsForDisk { completion(.success(())) }
        }
    }

    /// False after a storage failure until the writer could open a new segment (for `/readyz`).
    public var isHealthy: Bool { healthy.load(ordering: .acquiring) }

    /// How many times the follower has added handed-over records to the subject index and outbox (tests).
    var followerRounds: Int { follower?.roundCount ?? 0 }

    /// How many times the follower dropped what it held and read the records back from the segments (tests).
    var followerOverflows: Int { follower?.overflowCount ?? 0 }

    /// The last durable record: operators can compare it with the segment files (the chain's anchor).
    public var head: AuditHead { headState.withLock { $0 } }

    /// Changes the free-space reserve below which records are refused (e.g. from a config reload).
    public func setMinimumFreeBytes(_ bytes: Int64) {
        requestedMinimumFreeBytes.store(bytes, ordering: .releasing)
        wakeup.signal()
    }

    /// Writes everything queued, closes the segment and stops the writer thread. Later appends fail with `.closed`.
    /// Call it at shutdown: the writer thread keeps the log alive until then.
    public func close() {
        let alreadyClosed = queue.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        guard !alreadyClosed else { return }
        wakeup.signal()
        finished.wait()
    }

    /// `listener` runs on the writer thread after every batch made durable, once the head has moved: it must
    /// return at once (hand the work to another thread). One listener; a second call replaces the first.
    public func onCommit(_ listener: @escaping @Sendable () -> Void) {
        commitListener.withLock { $0 = listener }
    }

    // MARK: - Writer thread

    private func runWriter(_ writer: AuditSegmentWriter) {
        let idleWait: Duration = configuration.durability == .async ? configuration.asyncFlushInterval : .milliseconds(100)
        while true {
            writer.minimumFreeBytes = requestedMinimumFreeBytes.load(ordering: .acquiring)
            var closing = false
            let batch: [Pending] = queue.withLock { state in
                closing = state.closed
                guard !state.pending.isEmpty else {
                    state.writerSleeping = !state.closed
                    return []
                }
                defer {
                    state.pending.removeAll(keepingCapacity: true)
                    state.pendingRecords = 0
                }
                return state.pending
            }
            if batch.isEmpty {
                if closing { break }
                if !healthy.load(ordering: .relaxed), writer.recover() {
                    publishHead(writer)
                    healthy.store(true, ordering: .releasing)
                }
                writer.applyRetention()
                _ = wakeup.wait(timeout: .now() + .nanoseconds(Int(idleWait.nanoseconds)))
                continue
            }
            let result = writer.write { append in
                for pending in batch { pending.records.forEach(append) }
            }
            switch result {
            case .success:
                // Before the head moves: whoever waits for the index to reach the head finds the batch queued.
                follower?.submit(
                    writer.lastWrittenFrames,
                    head: AuditSubjectIndex.Position(sequence: writer.nextSequence - 1, hash: writer.chainHash))
                publishHead(writer)
                commitListener.withLock { $0 }?()
            case .failure: healthy.store(false, ordering: .releasing)
            }
            complete(batch, with: result, hopping: !closing)
        }
        writer.close()
        follower?.close()
        finished.signal()
    }

    /// Runs the completions of one commit: those of each event loop together in one task on it. While closing,
    /// all run here (the loops may be gone; completions that answer clients hop themselves).
    private func complete(_ batch: [Pending], with result: Result<Void, AuditError>, hopping: Bool) {
        var perLoop: [(loop: any EventLoop, completions: [Completion])] = []
        for pending in batch {
            guard let completion = pending.completion else { continue }
            guard hopping, let loop = pending.eventLoop else {
                completion(result)
                continue
            }
            if let index = perLoop.firstIndex(where: { $0.loop === loop }) {
                perLoop[index].completions.append(completion)
            } else {
                perLoop.append((loop, [completion]))
            }
        }
        for (loop, completions) in perLoop {
            loop.execute {
                for completion in completions { completion(result) }
            }
        }
    }

    private func publishHead(_ writer: AuditSegmentWriter) {
        let head = AuditHead(sequence: writer.nextSequence - 1, hash: writer.chainHash, segment: writer.segmentNumber)
        headState.withLock { $0 = head }
    }
}

/// The newest durable record of the chain.
public struct AuditHead: Sendable, Equatable {
    /// Its sequence number (0 before the first record).
    public var sequence: UInt64
    public var hash: SHA256Key
    public var segment: UInt64
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
