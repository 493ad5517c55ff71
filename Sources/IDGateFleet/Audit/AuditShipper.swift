import Foundation
import IDGateAudit
import IDGateCore
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// How an audit shipper paces itself.
public struct AuditShipperOptions: Sendable {
    /// How often the segments are checked for new durable records when nobody wakes the shipper.
    public var pollInterval: Duration = .milliseconds(200)
    /// Woken by the node's audit log after each durable batch (`AuditLog.onCommit`), so records reach PostgreSQL
    /// as they are committed, not up to a poll interval later; off only to test the poll and the final flush.
    public var wakeOnCommit = true
    /// Records per INSERT statement (one round trip, one transaction).
    public var batchSize = 500
    /// When caught up, at least this long from one INSERT to the next: woken at every commit, a node answering a
    /// few hundred requests a second would otherwise send one statement per group commit. With the spacing, the
    /// records of the commits in between go in one statement (at most 1 / spacing statements a second per node
    /// while it keeps up), and a record reaches PostgreSQL at most this much later. A backlog is shipped without
    /// pauses, and a graceful shutdown skips them.
    public var minimumInsertSpacing: Duration = .milliseconds(20)
    public var initialBackoff: Duration = .milliseconds(200)
    public var maximumBackoff: Duration = .seconds(10)
    /// Ship again from after this sequence instead of from the highest one PostgreSQL holds for the node (after
    /// `idgate audit verify --postgres` found rows missing, or a restored database): rows already there stay as
    /// they are.
    public var reshipAfter: UInt64?
    /// On a graceful shutdown (after the server closed the log: the service group stops services in reverse order),
    /// how long the shipper keeps going to ship the log's last records before it stops.
    public var finalFlushTimeout: Duration = .seconds(5)

    public init() {}
}

/// How far a node's audit records have reached PostgreSQL: what /metrics reports.
public struct AuditShipperStatus: Sendable, Equatable {
    public var nodeID: String
    /// The highest sequence known to be in PostgreSQL for this node (nil before the first contact).
    public var shippedSequence: UInt64?
    /// The log's last durable record.
    public var durableSequence: UInt64
    /// Durable records not yet known to be in PostgreSQL.
    public var lagRecords: UInt64
    /// Age of the oldest record not yet shipped (by its own timestamp); zero when caught up.
    public var lagSeconds: Double
    public var isConnected: Bool
    public var connectionError: String?
    /// Rows inserted since the process started (a record shipped again is not counted).
    public var shippedRecords: Int
    /// Outbox events inserted since the process started.
    public var outboxEvents: Int
    /// INSERT statements sent since the process started (each one round trip and one transaction).
    public var insertStatements: Int
    /// Why the shipper stopped shipping (it keeps checking at every reconnection): PostgreSQL holds records under
    /// this node id that are not this log's, so another node ships under the same id or this log was replaced.
    public var alarm: String?
}

/// Copies a node's audit records from its local segments into PostgreSQL (`idgate_audit_records`, `AuditSchema`):
/// at-least-once and idempotent by (node id, sequence), in batches, after each group commit's fsync only (it reads
/// up to the log's durable head). The local segments stay the source of truth: the shipper only reads them, and
/// a node whose database is down keeps answering and writing its log; the shipper catches up when it is back.
///
/// Where it starts: the highest sequence PostgreSQL holds for the node id, so a restarted node resumes without
/// reading what it shipped before; a crash between an insert and anything else at worst ships a batch again, which
/// inserts nothing. Records with a subject also become events in `idgate_audit_outbox` (same statement).
///
/// Wiring (`idgate serve --follow`): create it with the node's audit directory and id, `bind` it to the log once the
/// gateway opened it, run it beside the server in the service group, and read `status` in /metrics.
public final class AuditShipper: Service, Sendable {
    public let source: PostgresSource
    public let directory: URL
    public let nodeID: String
    public let options: AuditShipperOptions
    let logger: Logger

    struct Binding: Sendable {
        var durableHead: @Sendable () -> UInt64
        var describeClient: @Sendable (String) -> (name: String, kind: String)?
    }

    struct State: Sendable {
        var shipped: UInt64?
        var durable: UInt64 = 0
        /// Time of the first record not yet shipped, when it was read.
        var oldestUnshipped: Date?
        /// When lag was first seen while no unshipped record had been read (PostgreSQL down before the read).
        var lagSince: Date?
        var connected = false
        var connectionError: String?
        var shippedRecords = 0
        var outboxEvents = 0
        var insertStatements = 0
        var alarm: String?
    }

    private let binding = Mutex<Binding?>(nil)
    private let state = Mutex(State())
    private let napper = WakeableNap()
    /// Set when a graceful shutdown began: ship what is durable, then stop (by this instant at the latest).
    private let finishBy = Mutex<ContinuousClock.Instant?>(nil)

    public init(
        source: PostgresSource, auditDirectory: String, nodeID: String, options: AuditShipperOptions = AuditShipperOptions(),
        logger: Logger = Logger(label: "idgate.fleet.audit-shipper")
    ) {
        self.source = source
        self.directory = URL(fileURLWithPath: auditDirectory)
        self.nodeID = nodeID
        self.options = options
        self.logger = logger
    }

    /// Connects the shipper to the running log: `durableHead` gives the last fsync'd sequence (`AuditLog.head`),
    /// `describeClient` a client's name and kind to store with its records. Nothing ships before this.
    public func bind(
        durableHead: @escaping @Sendable () -> UInt64,
        describeClient: @escaping @Sendable (String) -> (name: String, kind: String)? = { _ in nil }
    ) {
        binding.withLock { $0 = Binding(durableHead: durableHead, describeClient: describeClient) }
        wake()
    }

    public var status: AuditShipperStatus {
        let durable = binding.withLock { $0 }?.durableHead() ?? 0
        return state.withLock { state in
            let shipped = state.shipped ?? 0
            let lag = max(durable, state.durable) > shipped ? max(durable, state.durable) - shipped : 0
            let now = Date()
            if lag > 0 { state.lagSince = state.lagSince ?? now } else { state.lagSince = nil }
            let oldest = state.oldestUnshipped ?? state.lagSince ?? now
            return AuditShipperStatus(
                nodeID: nodeID, shippedSequence: state.shipped, durableSequence: max(durable, state.durable),
                lagRecords: lag,
                lagSeconds: lag > 0 ? max(0, now.timeIntervalSince(oldest)) : 0,
                isConnected: state.connected, connectionError: state.connectionError,
                shippedRecords: state.shippedRecords, outboxEvents: state.outboxEvents,
                insertStatements: state.insertStatements, alarm: state.alarm)
        }
    }

    /// Asks the shipper to look for new records now instead of at its next poll.
    public func wake() { napper.wake() }

    /// Waits until every record up to `sequence` is in PostgreSQL; false if that did not happen within `timeout`.
    public func whenShipped(through sequence: UInt64, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let shipped = state.withLock({ $0.shipped }), shipped >= sequence { return true }
            if ContinuousClock.now >= deadline || Task.isCancelled { return false }
            wake()
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Ships until cancelled; on a graceful shutdown, ships the log's last durable records first (within
    /// `finalFlushTimeout`). Database trouble is reported in `status` and retried with backoff, never thrown.
    public func run() async throws {
        await withGracefulShutdownHandler {
            var backoff = self.options.initialBackoff
            var reshipAfter = self.options.reshipAfter
            while !Task.isCancelled {
                var madeContact = false
                do {
                    if try await self.shipOneSession(madeContact: &madeContact, reshipAfter: &reshipAfter) { break }
                } catch {
                    if Task.isCancelled { break }
                    self.recordDisconnect(FleetError.describe(PostgresRegistry.unwrap(error, source: self.source)))
                }
                if self.mustStop(caughtUp: false) { break }
                if madeContact { backoff = self.options.initialBackoff }
                do {
                    try await Task.sleep(for: backoff)
                } catch {
                    break
                }
                backoff = min(backoff * 2, self.options.maximumBackoff)
            }
            self.state.withLock { $0.connected = false }
        } onGracefulShutdown: {
            self.finishBy.withLock { $0 = $0 ?? .now + self.options.finalFlushTimeout }
            self.wake()
        }
    }

    /// Whether a graceful shutdown is under way and the shipper is done: caught up, or out of time.
    private func mustStop(caughtUp: Bool) -> Bool {
        guard let deadline = finishBy.withLock({ $0 }) else { return false }
        return caughtUp || ContinuousClock.now >= deadline
    }

    /// One connection's life: create the tables if needed, find where this node stopped, then ship every durable
    /// record as it appears. Returns true when a graceful shutdown found it done.
    private func shipOneSession(madeContact: inout Bool, reshipAfter: inout UInt64?) async throws -> Bool {
        // Bound first: the ownership check compares with the log's head.
        while binding.withLock({ $0 }) == nil {
            if Task.isCancelled || mustStop(caughtUp: true) { return true }
            await nap()
        }
        let connection = try await PostgresConnection.connect(configuration: try source.configuration(), id: 2, logger: logger)
        defer { Task { try? await connection.close() } }
        try await AuditSchema.create(connection, logger: logger)
        var shipped: UInt64
        if let after = reshipAfter {
            shipped = after
            reshipAfter = nil
        } else {
            let rows = try await connection.guardedRows(
                "SELECT coalesce(max(sequence), 0) FROM idgate_audit_records WHERE node_id = \(nodeID)", logger: logger)
            shipped = UInt64(try rows.first?.decode(Int64.self) ?? 0)
            try await checkOwnership(of: shipped, connection: connection)
        }
        madeContact = true
        let start = shipped
        state.withLock { state in
            state.shipped = start
            state.connected = true
            state.connectionError = nil
        }
        var tail = AuditRecordTail(directory: directory)
        while !Task.isCancelled {
            guard let bound = binding.withLock({ $0 }) else {
                if mustStop(caughtUp: true) { return true }
                await nap()
                continue
            }
            let head = bound.durableHead()
            state.withLock { $0.durable = head }
            guard head > shipped else {
                if mustStop(caughtUp: true) { return true }
                await nap()
                continue
            }
            let records = try tail.read(after: shipped, through: head, limit: options.batchSize)
            guard let last = records.last else {
                // Nothing readable up to the head (records lost to damage or retention): as far as it can go.
                if mustStop(caughtUp: true) { return true }
                await nap()
                continue
            }
            let oldest = records[0].entry.time
            state.withLock { $0.oldestUnshipped = oldest }
            let insertStarted = ContinuousClock.now
            let (inserted, events) = try await insert(records, describeClient: bound.describeClient, connection: connection)
            shipped = last.sequence
            state.withLock { state in
                state.shipped = max(state.shipped ?? 0, shipped)
                state.shippedRecords += inserted
                state.outboxEvents += events
                state.insertStatements += 1
                state.oldestUnshipped = nil
                state.lagSince = nil
            }
            if mustStop(caughtUp: false) { return true }
            if records.count < options.batchSize, finishBy.withLock({ $0 }) == nil {
                // Caught up: let the next commits gather before the next statement.
                try? await Task.sleep(until: insertStarted.advanced(by: options.minimumInsertSpacing), clock: .continuous)
            }
        }
        return false
    }

    /// Checks that the row PostgreSQL holds at `sequence` for this node id is this log's record, byte for byte:
    /// otherwise resuming after it would skip records (two nodes with one id, or a log replaced by an empty one).
    /// Raises the alarm and throws (the session retries with backoff) when it is not.
    private func checkOwnership(of sequence: UInt64, connection: PostgresConnection) async throws {
        guard sequence > 0 else { return clearAlarm() }
        let rows = try await connection.guardedRows(
            "SELECT frame FROM idgate_audit_records WHERE node_id = \(nodeID) AND sequence = \(Int64(bitPattern: sequence))",
            logger: logger)
        let stored = try rows.first?.decode(ByteBuffer.self)
        var tail = AuditRecordTail(directory: directory)
        let local = try tail.read(after: sequence - 1, through: sequence, limit: 1).first
        let problem: String?
        if let local, local.sequence == sequence {
            problem = stored.map { Array($0.readableBytesView) == local.frame } == false
                ? "PostgreSQL's record \(sequence) of node \(nodeID) is not this log's: another node ships under the same node id, or the row was edited"
                : nil
        } else if (binding.withLock { $0 }?.durableHead() ?? 0) < sequence {
            problem = "PostgreSQL holds records of node \(nodeID) up to \(sequence) but this log ends before it: another node ships under the same node id, or the log was replaced"
        } else {
            problem = nil  // the record left the local log (retention, damage): nothing to compare
        }
        guard let problem else { return clearAlarm() }
        let isNew = state.withLock { state in
            defer { state.alarm = problem }
            return state.alarm != problem
        }
        if isNew { logger.error("audit shipping stopped", metadata: ["alarm": "\(problem)"]) }
        throw FleetError.configuration(problem)
    }

    private func clearAlarm() {
        state.withLock { $0.alarm = nil }
    }

    private func insert(
        _ records: [AuditStoredRecord], describeClient: @Sendable (String) -> (name: String, kind: String)?,
        connection: PostgresConnection
    ) async throws -> (inserted: Int, events: Int) {
        var binds = PostgresBindings(capacity: 1 + records.count * AuditSchema.rowColumns.count)
        binds.append(nodeID)
        for record in records {
            let entry = record.entry
            binds.append(Int64(bitPattern: entry.sequence))
            binds.append(Int64((entry.time.timeIntervalSince1970 * 1e6).rounded()))
            if let hash = entry.subjectHash { binds.append(ByteBuffer(bytes: hash)) } else { binds.appendNull() }
            binds.append(entry.clientID)
            let client = describeClient(entry.clientID)
            if let client {
                binds.append(client.name)
                binds.append(client.kind)
            } else {
                binds.appendNull()
                binds.appendNull()
            }
            binds.append(Int16(entry.operation?.code ?? 0))
            binds.append(entry.operation?.rawValue ?? "unknown")
            if let purpose = entry.purpose { binds.append(purpose) } else { binds.appendNull() }
            binds.append(Int32(entry.attributes.rawValue))
            binds.append(Int16(entry.decision?.rawValue ?? 255))
            binds.append(entry.decision?.name ?? "unknown")
            binds.append(Int32(entry.status))
            binds.append(Int64(entry.latencyMicros))
            binds.append(entry.transactionID)
            binds.append(ByteBuffer(bytes: record.frame))
            binds.append(ByteBuffer(bytes: record.chainHash.bytes))
            binds.append(ByteBuffer(bytes: record.previousHash.bytes))
        }
        let rows = try await connection.guardedRows(
            PostgresQuery(unsafeSQL: AuditSchema.insertSQL(rows: records.count), binds: binds), logger: logger)
        let (inserted, events) = try rows[0].decode((Int64, Int64).self)
        return (Int(inserted), Int(events))
    }

    /// Sleeps for the poll interval or until `wake()` (or cancellation).
    private func nap() async { await napper.nap(for: options.pollInterval) }

    private func recordDisconnect(_ reason: String) {
        let wasConnected = state.withLock { state in
            let was = state.connected || state.connectionError == nil
            state.connected = false
            state.connectionError = reason
            return was
        }
        if wasConnected { logger.warning("audit database unreachable; records wait in the local log", metadata: ["reason": "\(reason)"]) }
    }
}
