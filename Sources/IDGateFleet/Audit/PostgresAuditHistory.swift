import Foundation
import IDGateAudit
import IDGateStore
import IDGateWire
import Logging
import PostgresNIO
import ServiceLifecycle

/// One entry of a fleet-wide access history, with the node that wrote it and what was stored about its client.
public struct FleetHistoryEntry: Sendable {
    public var node: String
    public var entry: AuditEntry
    /// The record's time as stored, in microseconds (cursors carry it exactly).
    public var timeMicros: Int64
    /// The client's name and kind as the shipping node knew them (nil when it did not).
    public var clientName: String?
    public var clientKind: String?
}

/// A page of a subject's access history across every node of the fleet, read from `idgate_audit_records`.
public struct FleetHistoryPage: Sendable {
    public var entries: [FleetHistoryEntry]
    /// The position of the last entry when more follow (the next page starts after it).
    public var next: AuditHistoryPosition?
}

/// Reads subjects' access histories from the fleet's PostgreSQL copy of every node's audit records (newest first by
/// time, then node id, then sequence), through a small connection pool: a service to run beside the server.
public final class PostgresAuditHistory: Service, Sendable {
    let client: PostgresClient
    let source: PostgresSource
    let logger: Logger

    public init(source: PostgresSource, connections: Int = 4, logger: Logger = Logger(label: "idgate.fleet.audit-history")) throws {
        var configuration = try source.clientConfiguration()
        configuration.options.maximumConnections = connections
        configuration.options.minimumConnections = 0
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.source = source
        self.logger = logger
    }

    /// Runs the pool until cancelled or shut down.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.client.run() }
    }

    /// Up to `limit` records of the subject with keyed hash `subjectHash`, not older than `notBefore`, after
    /// `position` (nil: from the newest).
    public func page(
        subjectHash: [UInt8], after position: AuditHistoryPosition?, notBefore: Date, limit: Int
    ) async throws -> FleetHistoryPage {
        let hash = ByteBuffer(bytes: subjectHash)
        let oldest = Int64((notBefore.timeIntervalSince1970 * 1e6).rounded(.down))
        let take = max(1, limit) + 1
        let columns = """
            SELECT node_id, sequence, time_micros, client_id, client_name, client_kind, operation_code, purpose, \
            attributes, decision_code, status, latency_micros, transaction_id FROM idgate_audit_records
            """
        let query: PostgresQuery
        if let position {
            query = """
                \(unescaped: columns) WHERE subject_hash = \(hash) AND time_micros >= \(oldest)
                AND (time_micros, node_id, sequence) < (\(position.timeMicros), \(position.node), \(Int64(bitPattern: position.sequence)))
                ORDER BY time_micros DESC, node_id DESC, sequence DESC LIMIT \(take)
                """
        } else {
            query = """
                \(unescaped: columns) WHERE subject_hash = \(hash) AND time_micros >= \(oldest)
                ORDER BY time_micros DESC, node_id DESC, sequence DESC LIMIT \(take)
                """
        }
        var entries: [FleetHistoryEntry] = []
        do {
            let rows = try await client.query(query, logger: logger)
            for try await row in rows {
                let (node, sequence, time, clientID, clientName, clientKind, operation, purpose, attributes, decision,
                     status, latency, transaction) = try row.decode(
                    (String, Int64, Int64, String, String?, String?, Int16, String?, Int32, Int16, Int32, Int64, String).self)
                let entry = AuditEntry(
                    sequence: UInt64(bitPattern: sequence), time: Date(timeIntervalSince1970: Double(time) / 1e6),
                    clientID: clientID, purpose: purpose, operation: ClientOperation(code: UInt8(truncatingIfNeeded: operation)),
                    transactionID: transaction, subjectHash: subjectHash,
                    attributes: AttributeSet(rawValue: UInt16(truncatingIfNeeded: attributes)),
                    decision: AuditDecision(rawValue: UInt8(truncatingIfNeeded: decision)),
                    status: UInt16(truncatingIfNeeded: status), latencyMicros: UInt32(truncatingIfNeeded: latency))
                entries.append(FleetHistoryEntry(node: node, entry: entry, timeMicros: time, clientName: clientName, clientKind: clientKind))
            }
        } catch {
            throw PostgresRegistry.unwrap(error, source: source)
        }
        var next: AuditHistoryPosition?
        if entries.count > max(1, limit) {
            entries.removeLast(entries.count - max(1, limit))
            let last = entries[entries.count - 1]
            next = AuditHistoryPosition(
                timeMicros: last.timeMicros, node: last.node,
                sequence: last.entry.sequence)
        }
        return FleetHistoryPage(entries: entries, next: next)
    }
}
