import Foundation
import Logging
import ServiceLifecycle

/// A fleet node's audit in PostgreSQL: the shipper that copies its records there and the reader of access
/// histories across every node's records (docs/FLEET.md, "Audit shipping"). The gateway binds the shipper to its
/// log and answers `POST /v1/subjects/access-history` from `history`; both run beside the server (`services`).
public struct FleetAudit: Sendable {
    public let shipper: AuditShipper
    public let history: PostgresAuditHistory

    public init(
        source: PostgresSource, auditDirectory: String, nodeID: String, options: AuditShipperOptions = AuditShipperOptions(),
        logger: Logger = Logger(label: "idgate.fleet.audit")
    ) throws {
        shipper = AuditShipper(source: source, auditDirectory: auditDirectory, nodeID: nodeID, options: options, logger: logger)
        history = try PostgresAuditHistory(source: source, logger: logger)
    }

    /// What to run in the service group beside the server.
    public var services: [any Service] { [shipper, history] }
}
