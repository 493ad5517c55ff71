import Foundation
import Logging
import PostgresNIO

/// The registry of record's tables in PostgreSQL (standing in for the national population database).
///
/// - `idgate_registry`: one row, the schema version marker, the registry's `origin` (a UUID drawn at load, so a
///   node can tell its local copy came from this registry and not from another one loaded since) and the change
///   log's head. Publishers lock this row, which serializes them: batch N+1 commits only after batch N, so the
///   log becomes visible in sequence order, never with a hole that a later commit fills.
/// - `idgate_residents`: the current state, one row per resident, its record as the canonical NDJSON line
///   (`ResidentCodec`), the form `idgate import` reads fastest. `legacy_id_number` is unique as in the LMDB index.
/// - `idgate_changes`: the ordered change log, one update batch per row, as the NDJSON file `idgate update` reads,
///   with its commit time. A snapshot of `idgate_residents` at head H plus the batches after H is the registry.
enum RegistrySchema {
    /// Bumped whenever the tables change incompatibly; a node refuses any other version.
    static let version = 1
    /// The NOTIFY channel a publish signals (payload: the new head sequence).
    static let channel = "idgate_changes"

    static let statements: [PostgresQuery] = [
        """
        CREATE TABLE IF NOT EXISTS idgate_registry (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            schema_version integer NOT NULL,
            origin uuid NOT NULL DEFAULT gen_random_uuid(),
            head_sequence bigint NOT NULL DEFAULT 0 CHECK (head_sequence >= 0),
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS idgate_residents (
            id_number bigint PRIMARY KEY,
            legacy_id_number text UNIQUE,
            record text NOT NULL,
            sequence bigint NOT NULL CHECK (sequence >= 0)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS idgate_changes (
            sequence bigint PRIMARY KEY CHECK (sequence > 0),
            batch text NOT NULL,
            operations integer NOT NULL,
            committed_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
        "INSERT INTO idgate_registry (schema_version) VALUES (\(version)) ON CONFLICT DO NOTHING",
    ]

    /// What `idgate_registry` says.
    struct Marker: Sendable, Equatable {
        var schemaVersion: Int
        var origin: UUID
        var head: UInt64
    }

    /// Reads the marker, failing with a clear error when the schema is missing or of another version.
    static func readMarker(_ connection: PostgresConnection, database: String, logger: Logger) async throws -> Marker {
        let exists = try await connection.guardedRows(
            "SELECT to_regclass('idgate_registry') IS NOT NULL", logger: logger
        ).first?.decode(Bool.self) ?? false
        guard exists else { throw FleetError.schemaMissing(database: database) }
        let rows = try await connection.guardedRows(
            "SELECT schema_version, origin, head_sequence FROM idgate_registry", logger: logger)
        guard let row = rows.first else { throw FleetError.schemaMissing(database: database) }
        let (version, origin, head) = try row.decode((Int32, UUID, Int64).self)
        guard version == Self.version else {
            throw FleetError.schemaVersionMismatch(database: database, found: Int(version), expected: Self.version)
        }
        return Marker(schemaVersion: Int(version), origin: origin, head: UInt64(head))
    }

    /// Creates the tables when missing (idempotent); an existing schema of another version is an error.
    static func create(_ connection: PostgresConnection, database: String, logger: Logger) async throws -> Marker {
        for statement in statements {
            try await connection.query(statement, logger: logger)
        }
        return try await readMarker(connection, database: database, logger: logger)
    }
}
