import Foundation
import IDGateAudit
import IDGateCore
import Logging
import NIOCore
import PostgresNIO

/// What comparing a node's local audit log with its rows in PostgreSQL found.
public struct ShippedAuditReport: Sendable {
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// A local record has no row.
        case missing(node: String, sequence: UInt64)
        /// The row's frame bytes differ from the local record's (edited in PostgreSQL, or in the segment after it was
        /// shipped; the local chain verification says which).
        case different(node: String, sequence: UInt64)

        public var description: String {
            switch self {
            case .missing(let node, let sequence): "node \(node) sequence \(sequence): missing from PostgreSQL"
            case .different(let node, let sequence): "node \(node) sequence \(sequence): differs from the local record"
            }
        }
    }

    public var nodeID: String
    /// Local intact records compared.
    public var records: Int
    /// Rows of the node in PostgreSQL that no local segment holds (records that left the local log by retention,
    /// or shipped before damage): reported, not a failure.
    public var rowsWithoutLocalRecord: Int
    public var problems: [Problem]

    public var isIntact: Bool { problems.isEmpty }
}

/// `idgate audit verify --postgres`: every intact record of a node's local segments must be in
/// `idgate_audit_records` under the node id of its segment header, byte for byte (the whole frame, so the chain
/// hashes and keyed tags are those of the local chain). The local chain itself is `AuditVerifier`'s to check.
public struct PostgresAuditVerifier: Sendable {
    public let source: PostgresSource
    let logger: Logger

    public init(source: PostgresSource, logger: Logger = Logger(label: "idgate.fleet.audit-verify")) {
        self.source = source
        self.logger = logger
    }

    /// Compares the records of `directory` (one node's audit log) with PostgreSQL.
    public func verify(directory: URL) async throws -> ShippedAuditReport {
        let segments = try AuditDirectory.segmentURLs(in: directory)
        var nodeID: String?
        var report = ShippedAuditReport(nodeID: "", records: 0, rowsWithoutLocalRecord: 0, problems: [])
        return try await PostgresRegistry(source: source, logger: logger).withConnection { connection in
            for url in segments {
                let scan = try AuditSegmentScan(url: url)
                guard let header = scan.header else { continue }
                guard let node = header.nodeID else {
                    throw FleetError.configuration(
                        "\(url.lastPathComponent) has no node id in its header (version 1): its records cannot be matched to PostgreSQL rows")
                }
                if nodeID == nil {
                    nodeID = node
                    report.nodeID = node
                } else if nodeID != node {
                    throw FleetError.configuration("\(directory.path) holds segments of nodes \(nodeID!) and \(node)")
                }
                let bytes = try FileBytes.read(path: url.path)
                let local: [(UInt64, ArraySlice<UInt8>)] = scan.frames.compactMap { frame in
                    guard frame.crcValid, let entry = frame.entry, frame.offset + frame.length <= bytes.count else { return nil }
                    return (entry.sequence, bytes[frame.offset..<frame.offset + frame.length])
                }
                guard let low = local.map(\.0).min(), let high = local.map(\.0).max() else { continue }
                var stored: [UInt64: ByteBuffer] = [:]
                let rows = try await connection.guardedRows(
                    """
                    SELECT sequence, frame FROM idgate_audit_records WHERE node_id = \(node)
                    AND sequence BETWEEN \(Int64(bitPattern: low)) AND \(Int64(bitPattern: high))
                    """, logger: logger)
                for row in rows {
                    let (sequence, frame) = try row.decode((Int64, ByteBuffer).self)
                    stored[UInt64(bitPattern: sequence)] = frame
                }
                for (sequence, frame) in local {
                    report.records += 1
                    guard let row = stored[sequence] else {
                        report.problems.append(.missing(node: node, sequence: sequence))
                        continue
                    }
                    if row.readableBytesView.elementsEqual(frame) == false {
                        report.problems.append(.different(node: node, sequence: sequence))
                    }
                }
            }
            if let nodeID {
                let total = try await connection.guardedRows(
                    "SELECT count(*) FROM idgate_audit_records WHERE node_id = \(nodeID)", logger: logger
                ).first?.decode(Int64.self) ?? 0
                let matched = report.records - report.problems.filter { if case .missing = $0 { true } else { false } }.count
                report.rowsWithoutLocalRecord = max(0, Int(total) - matched)
            }
            return report
        }
    }
}
