import Foundation
import Logging
import PostgresNIO

/// The fleet's shared guessing counts and daily quotas in PostgreSQL (docs/CLIENTS.md, "In a fleet"); what
/// `SharedCounterSync` writes and reads. No ID number: a subject is its keyed hash, as in the audit.
///
/// - `idgate_guessing_counters`: one row per (client, subject keyed hash) with the fleet's window for the pair (its
///   end, milliseconds since the epoch) and the failures every node counted in it. Keyed by the pair, not by the
///   window: each node opens a window at the pair's first failure it sees, so node windows differ by moments; the
///   first one to reach PostgreSQL becomes the fleet's and the others' failures add to it (a row whose window ended
///   starts again with the delta that finds it so).
/// - `idgate_quota_counters`: requests per (client, Vietnam day number) over every node.
///
/// Both are written by one statement per batch that adds each node's delta to the stored value
/// (`INSERT … ON CONFLICT DO UPDATE SET failures = t.failures + excluded.failures`): the row lock of the upsert
/// serialises concurrent nodes, so no update is lost. A node sends a delta once and takes it back only when the
/// statement failed; a statement that committed but whose answer was lost with the connection sends it again (the
/// count is then higher than the truth: stricter, never looser). `updated_us` (PostgreSQL's clock) lets each node
/// read what changed since its previous read.
enum CounterSchema {
    static let statements: [PostgresQuery] = [
        """
        CREATE TABLE IF NOT EXISTS idgate_guessing_counters (
            client_id text NOT NULL,
            subject_hash bytea NOT NULL,
            window_end_ms bigint NOT NULL,
            failures bigint NOT NULL CHECK (failures >= 0),
            updated_us bigint NOT NULL,
            PRIMARY KEY (client_id, subject_hash)
        )
        """,
        "CREATE INDEX IF NOT EXISTS idgate_guessing_counters_updated ON idgate_guessing_counters (updated_us)",
        "CREATE INDEX IF NOT EXISTS idgate_guessing_counters_window ON idgate_guessing_counters (window_end_ms)",
        """
        CREATE TABLE IF NOT EXISTS idgate_quota_counters (
            client_id text NOT NULL,
            day bigint NOT NULL,
            used bigint NOT NULL CHECK (used >= 0),
            updated_us bigint NOT NULL,
            PRIMARY KEY (client_id, day)
        )
        """,
        "CREATE INDEX IF NOT EXISTS idgate_quota_counters_updated ON idgate_quota_counters (updated_us)",
    ]

    /// PostgreSQL's clock in microseconds since the epoch, as SQL.
    static let nowMicros = "(extract(epoch from clock_timestamp()) * 1000000)::bigint"

    /// Creates the tables and indexes when missing (idempotent; nodes starting together may race on the catalog,
    /// which PostgreSQL reports as a unique violation: retried once).
    static func create(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.createIdempotently(statements, logger: logger)
    }

    /// Adds `rows` deltas (binds after `$1`, the node's time in milliseconds: client id, subject hash, window end,
    /// failures per row) to the stored counts and returns each pair's count after it. A stored window that ended
    /// by `$1` is replaced by the delta's.
    static func upsertAttemptsSQL(rows: Int) -> String {
        let values = (0..<rows).map { row in
            let base = 2 + row * 4
            return "($\(base), $\(base + 1), $\(base + 2)::bigint, $\(base + 3)::bigint, \(nowMicros))"
        }
        return """
            INSERT INTO idgate_guessing_counters AS t (client_id, subject_hash, window_end_ms, failures, updated_us)
            VALUES \(values.joined(separator: ","))
            ON CONFLICT (client_id, subject_hash) DO UPDATE SET
                failures = CASE WHEN t.window_end_ms > $1::bigint THEN t.failures + excluded.failures ELSE excluded.failures END,
                window_end_ms = CASE WHEN t.window_end_ms > $1::bigint THEN t.window_end_ms ELSE excluded.window_end_ms END,
                updated_us = excluded.updated_us
            RETURNING client_id, subject_hash, window_end_ms, failures
            """
    }

    /// Adds `rows` quota deltas (binds from `$1`: client id, day, used per row) and returns each count after it.
    static func upsertQuotasSQL(rows: Int) -> String {
        let values = (0..<rows).map { row in
            let base = 1 + row * 3
            return "($\(base), $\(base + 1)::bigint, $\(base + 2)::bigint, \(nowMicros))"
        }
        return """
            INSERT INTO idgate_quota_counters AS t (client_id, day, used, updated_us)
            VALUES \(values.joined(separator: ","))
            ON CONFLICT (client_id, day) DO UPDATE SET used = t.used + excluded.used, updated_us = excluded.updated_us
            RETURNING client_id, day, used
            """
    }
}
