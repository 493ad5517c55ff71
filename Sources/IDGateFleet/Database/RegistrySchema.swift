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
/// - `idgate_documents`, `idgate_organizations`, `idgate_foreigners`: the other record kinds' current state, one row
///   per record keyed as in LMDB (document type + canonical number, enterprise code, nationality + passport number),
///   its record as the canonical NDJSON line of `idgate import --documents/--organizations/--foreigners`.
///   Documents keep their holder's ID number in a column of their own (indexed: "which documents does this citizen
///   hold").
/// - `idgate_changes`: the ordered change log, one update batch per row, as the NDJSON file `idgate update` reads,
///   with its commit time. A snapshot of the record tables at head H plus the batches after H is the registry.
enum RegistrySchema {
    /// Bumped whenever the tables change incompatibly; a node refuses any other version. 2: the record kinds beside
    /// residents (a version 1 registry is replaced by loading it again: `idgate demo init --postgres`).
    static let version = 2
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
        """
        CREATE TABLE IF NOT EXISTS idgate_documents (
            document_type text NOT NULL,
            document_number text NOT NULL,
            holder_id_number bigint NOT NULL,
            record text NOT NULL,
            sequence bigint NOT NULL CHECK (sequence >= 0),
            PRIMARY KEY (document_type, document_number)
        )
        """,
        "CREATE INDEX IF NOT EXISTS idgate_documents_holder ON idgate_documents (holder_id_number)",
        """
        CREATE TABLE IF NOT EXISTS idgate_organizations (
            organization_id text PRIMARY KEY,
            record text NOT NULL,
            sequence bigint NOT NULL CHECK (sequence >= 0)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS idgate_foreigners (
            nationality text NOT NULL,
            passport_number text NOT NULL,
            record text NOT NULL,
            sequence bigint NOT NULL CHECK (sequence >= 0),
            PRIMARY KEY (nationality, passport_number)
        )
        """,
        "INSERT INTO idgate_registry (schema_version) VALUES (\(version)) ON CONFLICT DO NOTHING",
    ]

    /// The record tables a load with `replace` empties (with the change log).
    static let recordTables = "idgate_residents, idgate_documents, idgate_organizations, idgate_foreigners"

    /// The snapshot queries of the kinds beside residents: each row's record, the NDJSON line an import reads.
    static let documentsQuery: PostgresQuery = "SELECT record FROM idgate_documents"
    static let organizationsQuery: PostgresQuery = "SELECT record FROM idgate_organizations"
    static let foreignersQuery: PostgresQuery = "SELECT record FROM idgate_foreigners"

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

    /// Creates the tables when missing (idempotent); an existing schema of another version is an error, unless
    /// `replacing`: a load that empties every table anyway takes it over at this version.
    static func create(
        _ connection: PostgresConnection, database: String, replacing: Bool = false, logger: Logger
    ) async throws -> Marker {
        for statement in statements {
            try await connection.query(statement, logger: logger)
        }
        if replacing {
            try await connection.query("UPDATE idgate_registry SET schema_version = \(version)", logger: logger)
        }
        return try await readMarker(connection, database: database, logger: logger)
    }
}
