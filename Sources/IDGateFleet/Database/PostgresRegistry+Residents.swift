import IDGateStore
import PostgresNIO

extension PostgresRegistry {
    /// Visits every resident of the registry of record as it stands at one head sequence, read in one REPEATABLE
    /// READ transaction (a batch published meanwhile is not half seen), and returns that head. For operator tools
    /// that derive a batch from the whole registry (`idgate update --migrate-addresses`): the batch they write is
    /// head + 1, so a batch published in between makes theirs refused instead of overwriting it.
    ///
    /// `atHead` learns the head before the first resident (a batch file's header comes first). Rows are streamed,
    /// not collected; a row that does not decode fails the walk with its ID number.
    @discardableResult
    public func forEachResident(
        atHead: (UInt64) throws -> Void = { _ in }, _ body: (ResidentRecord) throws -> Void
    ) async throws -> UInt64 {
        try await withConnection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                let marker = try await RegistrySchema.readMarker(connection, database: source.database, logger: logger)
                try atHead(marker.head)
                let rows = try await connection.query(
                    "SELECT id_number, record FROM idgate_residents ORDER BY id_number", logger: logger)
                for try await (id, text) in rows.decode((Int64, String).self) {
                    let record: ResidentRecord
                    do {
                        record = try ResidentCodec.decodeNDJSON(text)
                    } catch {
                        throw FleetError.database(
                            source: source.description, reason: "resident \(id) does not decode: \(error)")
                    }
                    try body(record)
                }
                try await connection.query("COMMIT", logger: logger)
                return marker.head
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
