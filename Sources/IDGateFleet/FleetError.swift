import PostgresNIO

/// Why the registry of record could not be reached, loaded, published to or followed. Each case reads as a
/// complete message for an operator; none carries a password.
public enum FleetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Missing or malformed connection settings.
    case configuration(String)
    /// The database has no idgate registry schema (`idgate demo init --postgres` or `PostgresRegistry.load` makes it).
    case schemaMissing(database: String)
    /// The database was made by another schema version of this software.
    case schemaVersionMismatch(database: String, found: Int, expected: Int)
    /// `load` without `replace` into a database that already holds residents or changes.
    case registryNotEmpty(database: String, residents: Int, head: UInt64)
    /// A batch that does not follow the change log's head (the next batch must be head + 1).
    case publishOutOfOrder(head: UInt64, batch: UInt64)
    /// A batch whose changes do not apply to the registry of record (nothing was published).
    case batchRejected(sequence: UInt64, reason: String)
    /// The database could not be reached or failed a query.
    case database(source: String, reason: String)
    /// A node without a local copy cannot serve until it has taken a snapshot.
    case cannotBootstrap(directory: String, reason: String)

    public var description: String {
        switch self {
        case .configuration(let message):
            "PostgreSQL settings: \(message)"
        case .schemaMissing(let database):
            "database \(database) holds no idgate registry (no idgate_registry table): load one first (idgate demo init --postgres)"
        case .schemaVersionMismatch(let database, let found, let expected):
            "database \(database) has idgate registry schema version \(found); this idgate needs version \(expected)"
        case .registryNotEmpty(let database, let residents, let head):
            "database \(database) already holds a registry (\(residents) residents, change log at \(head)): replace it explicitly"
        case .publishOutOfOrder(let head, let batch):
            "update batch \(batch) refused: the change log is at sequence \(head), so the next batch must be \(head + 1)"
        case .batchRejected(let sequence, let reason):
            "update batch \(sequence) refused, nothing published: \(reason)"
        case .database(let source, let reason):
            "PostgreSQL \(source): \(reason)"
        case .cannotBootstrap(let directory, let reason):
            "cannot build a local registry in \(directory): \(reason)"
        }
    }

    /// A PostgreSQL error as an operator needs it. postgres-nio's own description hides the server's message
    /// (it may quote data); ours shows the message and SQLSTATE, never the query's bound values.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                return "\(info[.message] ?? "server error") (SQLSTATE \(info[.sqlState] ?? "?"))"
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError ?? error.beginError ?? error.commitError { return describe(inner) }
        }
        return "\(error)"
    }
}
