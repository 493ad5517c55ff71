import Foundation
import Logging
import PostgresNIO

/// The fleet's copy of every node's audit records in PostgreSQL (docs/FLEET.md, "Audit shipping"); the registry's
/// tables are `RegistrySchema`'s.
///
/// - `idgate_audit_records`: one row per record, keyed by (node id, sequence): a record shipped twice is the same
///   row, so shipping is at-least-once and idempotent. The decoded fields the access history and the regulator's
///   questions need (subject hash, time, client with its name and kind when shipped, operation, purpose,
///   attributes, decision, status, transaction id), and the frame's exact bytes with its chain hash and the
///   previous record's, so `idgate audit verify --postgres` can check the copy against the node's chain byte for
///   byte. Never a submitted or stored value: the subject is its keyed hash.
/// - `idgate_audit_outbox`: the notification outbox of a fleet, one event per shipped record that has a subject
///   (subject hash, client, purpose, time, no values), filled in the same statement as the records, so a record
///   shipped again adds no second event. A notifier reads it in `id` order and remembers the last id it sent.
enum AuditSchema {
    static let statements: [PostgresQuery] = [
        """
        CREATE TABLE IF NOT EXISTS idgate_audit_records (
            node_id text NOT NULL,
            sequence bigint NOT NULL CHECK (sequence > 0),
            time_micros bigint NOT NULL,
            recorded_at timestamptz NOT NULL,
            subject_hash bytea,
            client_id text NOT NULL,
            client_name text,
            client_kind text,
            operation_code smallint NOT NULL,
            operation text NOT NULL,
            purpose text,
            attributes integer NOT NULL,
            decision_code smallint NOT NULL,
            decision text NOT NULL,
            status integer NOT NULL,
            latency_micros bigint NOT NULL,
            transaction_id text NOT NULL,
            frame bytea NOT NULL,
            chain_hash bytea NOT NULL,
            previous_hash bytea NOT NULL,
            shipped_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (node_id, sequence)
        )
        """,
        """
        CREATE INDEX IF NOT EXISTS idgate_audit_records_subject
            ON idgate_audit_records (subject_hash, time_micros DESC, node_id DESC, sequence DESC)
            WHERE subject_hash IS NOT NULL
        """,
        """
        CREATE TABLE IF NOT EXISTS idgate_audit_outbox (
            id bigserial PRIMARY KEY,
            node_id text NOT NULL,
            sequence bigint NOT NULL,
            at timestamptz NOT NULL,
            subject_hash bytea NOT NULL,
            client_id text NOT NULL,
            operation text NOT NULL,
            purpose text,
            UNIQUE (node_id, sequence)
        )
        """,
    ]

    /// Creates the tables and index when missing (idempotent; concurrent nodes may race on it, which PostgreSQL
    /// resolves with a unique violation on its catalog: retried once).
    static func create(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.createIdempotently(statements, logger: logger)
    }

    /// The columns an insert fills, in the order of `insert(rows:)`'s binds (after `$1`, the node id).
    static let rowColumns = [
        "sequence", "time_micros", "subject_hash", "client_id", "client_name", "client_kind", "operation_code",
        "operation", "purpose", "attributes", "decision_code", "decision", "status", "latency_micros",
        "transaction_id", "frame", "chain_hash", "previous_hash",
    ]

    /// One statement that inserts `rows` records of node `$1` (binds `$2…` per row as `rowColumns`), skipping those
    /// already there, and adds an outbox event for each record it inserted that has a subject.
    static func insertSQL(rows: Int) -> String {
        let width = rowColumns.count
        var values: [String] = []
        values.reserveCapacity(rows)
        for row in 0..<rows {
            let base = 2 + row * width
            var fields = ["$1"]
            for column in 0..<width {
                let placeholder = "$\(base + column)"
                fields.append(column == 1 ? "\(placeholder)::bigint" : placeholder)
                if column == 1 { fields.append("to_timestamp(\(placeholder)::bigint / 1000000.0)") }
            }
            values.append("(" + fields.joined(separator: ",") + ")")
        }
        return """
            WITH inserted AS (
                INSERT INTO idgate_audit_records (node_id, sequence, time_micros, recorded_at, \
            \(rowColumns.dropFirst(2).joined(separator: ", ")))
                VALUES \(values.joined(separator: ","))
                ON CONFLICT (node_id, sequence) DO NOTHING
                RETURNING node_id, sequence, recorded_at, subject_hash, client_id, operation, purpose
            ), events AS (
                INSERT INTO idgate_audit_outbox (node_id, sequence, at, subject_hash, client_id, operation, purpose)
                SELECT node_id, sequence, recorded_at, subject_hash, client_id, operation, purpose
                FROM inserted WHERE subject_hash IS NOT NULL ORDER BY sequence
                ON CONFLICT (node_id, sequence) DO NOTHING
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM events)
            """
    }
}
