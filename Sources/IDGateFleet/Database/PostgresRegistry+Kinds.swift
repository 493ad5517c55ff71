import IDGateStore
import PostgresNIO

/// Publishing changes to documents, organizations and foreign residents (`PostgresRegistry.publish`): the same
/// operations, the same refusals and the same results as `KindUpdate.apply` and `RegistryStore.apply` on LMDB.
extension PostgresRegistry {
    func apply(_ update: KindUpdate, line: Int, sequence: Int64, connection: PostgresConnection) async throws {
        switch update {
        case .upsertDocument(let record):
            try await putDocument(record, sequence: sequence, connection: connection)
        case .deleteDocument(let type, let number):
            let (typeName, number) = (type.wireName, number)
            let deleted = try await connection.query(
                """
                DELETE FROM idgate_documents WHERE document_type = \(typeName) AND document_number = \(number)
                RETURNING document_number
                """, logger: logger
            ).collect()
            guard !deleted.isEmpty else { throw documentNotFound(type, number, line) }
        case .setDocumentStatus(let type, let number, let status):
            let (typeName, numberText) = (type.wireName, number)
            let rows = try await connection.query(
                """
                SELECT record FROM idgate_documents WHERE document_type = \(typeName) AND document_number = \(numberText)
                FOR UPDATE
                """, logger: logger
            ).collect()
            guard let row = rows.first else { throw documentNotFound(type, number, line) }
            var record = try DocumentCodec.decodeNDJSON(try row.decode(String.self), lineNumber: line)
            record.status = status
            try await putDocument(record, sequence: sequence, connection: connection)
        case .upsertOrganization(let record):
            try await putOrganization(record, sequence: sequence, connection: connection)
        case .deleteOrganization(let id):
            let key = id.description
            let deleted = try await connection.query(
                "DELETE FROM idgate_organizations WHERE organization_id = \(key) RETURNING organization_id", logger: logger
            ).collect()
            guard !deleted.isEmpty else { throw organizationNotFound(id, line) }
        case .setOrganizationStatus(let id, let status):
            let key = id.description
            let rows = try await connection.query(
                "SELECT record FROM idgate_organizations WHERE organization_id = \(key) FOR UPDATE", logger: logger
            ).collect()
            guard let row = rows.first else { throw organizationNotFound(id, line) }
            var record = try OrganizationCodec.decodeNDJSON(try row.decode(String.self), lineNumber: line)
            record.status = status
            try await putOrganization(record, sequence: sequence, connection: connection)
        }
    }

    func upsertForeigner(_ record: ForeignerRecord, sequence: Int64, connection: PostgresConnection) async throws {
        let (nationality, passport) = (record.key.nationality.code, record.key.passportNumber.text)
        let text = ForeignerCodec.ndjson(record)
        try await connection.query(
            """
            INSERT INTO idgate_foreigners (nationality, passport_number, record, sequence)
            VALUES (\(nationality), \(passport), \(text), \(sequence))
            ON CONFLICT (nationality, passport_number) DO UPDATE SET record = EXCLUDED.record, sequence = EXCLUDED.sequence
            """, logger: logger)
    }

    func deleteForeigner(_ key: ForeignerKey, line: Int, connection: PostgresConnection) async throws {
        let (nationality, passport) = (key.nationality.code, key.passportNumber.text)
        let deleted = try await connection.query(
            """
            DELETE FROM idgate_foreigners WHERE nationality = \(nationality) AND passport_number = \(passport)
            RETURNING passport_number
            """, logger: logger
        ).collect()
        guard !deleted.isEmpty else {
            throw InputError(line: line, field: "passportNumber", reason: "no foreign resident \(key) in the registry")
        }
    }

    private func putDocument(_ record: DocumentRecord, sequence: Int64, connection: PostgresConnection) async throws {
        let (typeName, number, holder) = (record.type.wireName, record.number, Int64(record.holderIdNumber.value))
        let text = DocumentCodec.ndjson(record)
        try await connection.query(
            """
            INSERT INTO idgate_documents (document_type, document_number, holder_id_number, record, sequence)
            VALUES (\(typeName), \(number), \(holder), \(text), \(sequence))
            ON CONFLICT (document_type, document_number) DO UPDATE
            SET holder_id_number = EXCLUDED.holder_id_number, record = EXCLUDED.record, sequence = EXCLUDED.sequence
            """, logger: logger)
    }

    private func putOrganization(_ record: OrganizationRecord, sequence: Int64, connection: PostgresConnection) async throws {
        let key = record.organizationId.description
        let text = OrganizationCodec.ndjson(record)
        try await connection.query(
            """
            INSERT INTO idgate_organizations (organization_id, record, sequence) VALUES (\(key), \(text), \(sequence))
            ON CONFLICT (organization_id) DO UPDATE SET record = EXCLUDED.record, sequence = EXCLUDED.sequence
            """, logger: logger)
    }

    private func documentNotFound(_ type: DocumentType, _ number: String, _ line: Int) -> InputError {
        InputError(line: line, field: "documentNumber", reason: "no \(type.wireName) \(number) in the registry")
    }

    private func organizationNotFound(_ id: OrganizationID, _ line: Int) -> InputError {
        InputError(line: line, field: "organizationId", reason: "no organization \(id) in the registry")
    }
}
