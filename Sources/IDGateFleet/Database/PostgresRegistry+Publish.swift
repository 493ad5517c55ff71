import IDGateStore
import PostgresNIO

extension PostgresRegistry {
    /// What publishing a batch did (mirrors `UpdateOutcome`: republishing a batch the log already has is a no-op).
    public enum PublishOutcome: Sendable, Equatable {
        case published(operations: Int, sequence: UInt64)
        case alreadyPublished(head: UInt64)
    }

    /// Publishes `batch` (the `idgate update` format) as ONE PostgreSQL transaction: its changes applied to the
    /// record tables (residents, documents, organizations, foreign residents), the batch appended to `idgate_changes`, the head moved, and a NOTIFY sent (delivered at
    /// commit, so a node woken by it always finds the row). Every change or none: a change that does not apply
    /// (deleting an unknown resident or document, a legacy number already taken) refuses the whole batch, as
    /// `idgate update --db` refuses it.
    ///
    /// The batch must be the log's head + 1; one at or below the head is already published (no-op).
    public func publish(_ batch: UpdateBatch) async throws -> PublishOutcome {
        try await withConnection { connection in
            try await connection.withTransaction(logger: logger) { connection -> PublishOutcome in
                let rows = try await connection.query(
                    "SELECT schema_version, head_sequence FROM idgate_registry FOR UPDATE", logger: logger
                ).collect()
                guard let row = rows.first else { throw FleetError.schemaMissing(database: source.database) }
                let (version, headValue) = try row.decode((Int32, Int64).self)
                guard version == RegistrySchema.version else {
                    throw FleetError.schemaVersionMismatch(database: source.database, found: Int(version), expected: RegistrySchema.version)
                }
                let head = UInt64(headValue)
                if batch.sequence <= head { return .alreadyPublished(head: head) }
                guard batch.sequence == head + 1 else { throw FleetError.publishOutOfOrder(head: head, batch: batch.sequence) }
                let sequence = Int64(batch.sequence)
                for entry in batch.entries {
                    do {
                        try await apply(entry, sequence: sequence, connection: connection)
                    } catch let error as InputError {
                        throw FleetError.batchRejected(sequence: batch.sequence, reason: "\(error)")
                    } catch let error as PSQLError where error.serverInfo?[.sqlState]?.hasPrefix("23") == true {
                        // Integrity constraint (a legacy number given to two residents): the batch's fault.
                        throw FleetError.batchRejected(
                            sequence: batch.sequence, reason: "line \(entry.line): \(FleetError.describe(error))")
                    }
                }
                let text = batch.ndjson()
                let operations = Int32(batch.entries.count)
                try await connection.query(
                    "INSERT INTO idgate_changes (sequence, batch, operations) VALUES (\(sequence), \(text), \(operations))",
                    logger: logger)
                try await connection.query("UPDATE idgate_registry SET head_sequence = \(sequence)", logger: logger)
                let channel = RegistrySchema.channel
                let payload = String(batch.sequence)
                try await connection.query("SELECT pg_notify(\(channel), \(payload))", logger: logger)
                return .published(operations: batch.entries.count, sequence: batch.sequence)
            }
        }
    }

    /// Publishes the batch file at `path` (parsed exactly as `idgate update` parses it).
    public func publish(file path: String) async throws -> PublishOutcome {
        let file = try MappedFile(path: path)
        return try await publish(try UpdateBatch(ndjson: file.bytes))
    }

    private func apply(_ entry: UpdateBatch.Entry, sequence: Int64, connection: PostgresConnection) async throws {
        switch entry.operation {
        case .upsert(let record):
            let id = Int64(record.idNumber.value)
            let text = ResidentCodec.ndjson(record)
            let legacy = record.legacyIdNumber
            try await connection.query(
                """
                INSERT INTO idgate_residents (id_number, legacy_id_number, record, sequence)
                VALUES (\(id), \(legacy), \(text), \(sequence))
                ON CONFLICT (id_number) DO UPDATE
                SET legacy_id_number = EXCLUDED.legacy_id_number, record = EXCLUDED.record, sequence = EXCLUDED.sequence
                """, logger: logger)
        case .delete(let idNumber):
            let id = Int64(idNumber.value)
            let deleted = try await connection.query(
                "DELETE FROM idgate_residents WHERE id_number = \(id) RETURNING id_number", logger: logger
            ).collect()
            guard !deleted.isEmpty else { throw notFound(idNumber, entry.line) }
        case .setCardStatus(let idNumber, let status):
            var record = try await stored(idNumber, line: entry.line, connection: connection)
            guard record.card != nil else {
                throw InputError(line: entry.line, field: "cardStatus", reason: "resident \(idNumber) has no card")
            }
            record.card?.status = status
            try await rewrite(record, sequence: sequence, connection: connection)
        case .upsertForeigner(let record):
            try await upsertForeigner(record, sequence: sequence, connection: connection)
        case .deleteForeigner(let key):
            try await deleteForeigner(key, line: entry.line, connection: connection)
        case .setRecordStatus(let idNumber, let status):
            var record = try await stored(idNumber, line: entry.line, connection: connection)
            record.recordStatus = status
            try await rewrite(record, sequence: sequence, connection: connection)
        case .kind(let update):
            try await apply(update, line: entry.line, sequence: sequence, connection: connection)
        }
    }

    private func stored(_ idNumber: IDNumber, line: Int, connection: PostgresConnection) async throws -> ResidentRecord {
        let id = Int64(idNumber.value)
        let rows = try await connection.query(
            "SELECT record FROM idgate_residents WHERE id_number = \(id) FOR UPDATE", logger: logger
        ).collect()
        guard let row = rows.first else { throw notFound(idNumber, line) }
        return try ResidentCodec.decodeNDJSON(try row.decode(String.self), lineNumber: line)
    }

    private func rewrite(_ record: ResidentRecord, sequence: Int64, connection: PostgresConnection) async throws {
        let id = Int64(record.idNumber.value)
        let text = ResidentCodec.ndjson(record)
        try await connection.query(
            "UPDATE idgate_residents SET record = \(text), sequence = \(sequence) WHERE id_number = \(id)",
            logger: logger)
    }

    private func notFound(_ id: IDNumber, _ line: Int) -> InputError {
        InputError(line: line, field: "idNumber", reason: "no resident \(id) in the registry")
    }
}
