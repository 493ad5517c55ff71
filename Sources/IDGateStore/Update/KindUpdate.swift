import CLMDB

/// A change to a document or an organization in an update batch (docs/DATA.md, "Update batches"): the same
/// all-or-nothing transaction and sequence as resident changes.
public enum KindUpdate: Sendable, Equatable {
    case upsertDocument(DocumentRecord)
    case deleteDocument(DocumentType, number: String)
    case setDocumentStatus(DocumentType, number: String, DocumentStatus)
    case upsertOrganization(OrganizationRecord)
    case deleteOrganization(OrganizationID)
    case setOrganizationStatus(OrganizationID, OrganizationStatus)

    static let operations: Set<String> = [
        "upsertDocument", "deleteDocument", "setDocumentStatus", "upsertOrganization", "deleteOrganization",
        "setOrganizationStatus",
    ]

    /// The change on this line, or nil when its `op` is a resident operation (or the line cannot be read: the
    /// resident parser then reports why).
    static func parse(_ line: UnsafeRawBufferPointer, lineNumber: Int) throws(InputError) -> KindUpdate? {
        var op: String?
        var strings: [String: String] = [:]
        var document: DocumentRecord?
        var organization: OrganizationRecord?
        var others: [String] = []
        do {
            var scanner = JSONScanner(line)
            try scanner.beginObject()
            var isFirst = true
            var nested: [(String, UnsafeRawBufferPointer)] = []
            while let keyBytes = try scanner.nextKey(isFirst: isFirst) {
                isFirst = false
                let key = String(decoding: keyBytes, as: UTF8.self)
                switch key {
                case "op", "documentType", "documentNumber", "status", "organizationId":
                    let value = try scanner.withString { String(decoding: $0, as: UTF8.self) }
                    if key == "op" { op = value } else { strings[key] = value }
                case "document", "organization":
                    nested.append((key, try scanner.rawValue()))
                default:
                    others.append(key)
                    _ = try scanner.rawValue()
                }
            }
            try scanner.endOfInput()
            guard let op, operations.contains(op) else { return nil }
            for (key, raw) in nested {
                if key == "document" { document = try DocumentCodec.decodeNDJSON(raw, lineNumber: lineNumber) }
                else { organization = try OrganizationCodec.decodeNDJSON(raw, lineNumber: lineNumber) }
            }
        } catch let error as InputError {
            throw error
        } catch {
            return nil
        }
        if let unknown = others.first { throw InputError(line: lineNumber, field: unknown, reason: "unknown field") }
        func require<T>(_ value: T?, _ field: String) throws(InputError) -> T {
            guard let value else { throw InputError(line: lineNumber, field: field, reason: "missing for op '\(op!)'") }
            return value
        }
        func documentKey() throws(InputError) -> (DocumentType, String) {
            let typeName = try require(strings["documentType"], "documentType")
            guard let type = DocumentType(wireName: typeName) else {
                throw InputError(line: lineNumber, field: "documentType", reason: "'\(typeName)' is not one of \(DocumentType.wireNames)")
            }
            let text = try require(strings["documentNumber"], "documentNumber")
            guard let number = type.canonicalNumber(text) else {
                throw InputError(line: lineNumber, field: "documentNumber", reason: "'\(text)' is not a \(type.wireName) number: \(type.numberFormat)")
            }
            return (type, number)
        }
        func organizationID() throws(InputError) -> OrganizationID {
            let text = try require(strings["organizationId"], "organizationId")
            guard let id = OrganizationID(text) else {
                throw InputError(line: lineNumber, field: "organizationId", reason: "'\(text)' is not an enterprise code: \(OrganizationID.format)")
            }
            return id
        }
        switch op! {
        case "upsertDocument": return .upsertDocument(try require(document, "document"))
        case "deleteDocument":
            let (type, number) = try documentKey()
            return .deleteDocument(type, number: number)
        case "setDocumentStatus":
            let (type, number) = try documentKey()
            let name = try require(strings["status"], "status")
            guard let status = DocumentStatus(name: name) else {
                throw InputError(line: lineNumber, field: "status", reason: "'\(name)' is not valid, expired, suspended or revoked")
            }
            return .setDocumentStatus(type, number: number, status)
        case "upsertOrganization": return .upsertOrganization(try require(organization, "organization"))
        case "deleteOrganization": return .deleteOrganization(try organizationID())
        default:
            let id = try organizationID()
            let name = try require(strings["status"], "status")
            guard let status = OrganizationStatus(name: name) else {
                throw InputError(line: lineNumber, field: "status", reason: "'\(name)' is not active, suspended or dissolved")
            }
            return .setOrganizationStatus(id, status)
        }
    }

    /// The change as one batch line (what `parse` reads).
    func ndjson() -> String {
        switch self {
        case .upsertDocument(let record): "{\"op\":\"upsertDocument\",\"document\":\(DocumentCodec.ndjson(record))}"
        case .deleteDocument(let type, let number):
            "{\"op\":\"deleteDocument\",\"documentType\":\"\(type.wireName)\",\"documentNumber\":\"\(number)\"}"
        case .setDocumentStatus(let type, let number, let status):
            "{\"op\":\"setDocumentStatus\",\"documentType\":\"\(type.wireName)\",\"documentNumber\":\"\(number)\",\"status\":\"\(status.name)\"}"
        case .upsertOrganization(let record): "{\"op\":\"upsertOrganization\",\"organization\":\(OrganizationCodec.ndjson(record))}"
        case .deleteOrganization(let id): "{\"op\":\"deleteOrganization\",\"organizationId\":\"\(id)\"}"
        case .setOrganizationStatus(let id, let status):
            "{\"op\":\"setOrganizationStatus\",\"organizationId\":\"\(id)\",\"status\":\"\(status.name)\"}"
        }
    }

    /// Applies the change inside the batch's write transaction.
    func apply(txn: OpaquePointer, databases: KindDatabases, line: Int, sequence: UInt64) throws {
        switch self {
        case .upsertDocument(var record):
            let (dbi, index) = (try databases.required(databases.documents, "documents"), try databases.required(databases.documentHolders, "document holder"))
            if let old = try storedDocument(txn, dbi, key: record.key) { try removeHolders(of: old, txn, index) }
            record.sequence = sequence
            try putDocument(record, txn, dbi, line: line)
            try addHolders(of: record, txn, index)
        case .deleteDocument(let type, let number):
            let (dbi, index) = (try databases.required(databases.documents, "documents"), try databases.required(databases.documentHolders, "document holder"))
            let key = DocumentKey.bytes(type: type, canonicalNumber: Array(number.utf8))
            guard let old = try storedDocument(txn, dbi, key: key) else { throw notFound(line, type, number) }
            try removeHolders(of: old, txn, index)
            try key.withUnsafeBytes { raw in
                var mdbKey = MDB_val(raw)
                try lmdbCheck(mdb_del(txn, dbi, &mdbKey, nil), "delete document")
            }
        case .setDocumentStatus(let type, let number, let status):
            let dbi = try databases.required(databases.documents, "documents")
            let key = DocumentKey.bytes(type: type, canonicalNumber: Array(number.utf8))
            guard var record = try storedDocument(txn, dbi, key: key) else { throw notFound(line, type, number) }
            record.status = status
            record.sequence = sequence
            try putDocument(record, txn, dbi, line: line)
        case .upsertOrganization(var record):
            let dbi = try databases.required(databases.organizations, "organizations")
            record.sequence = sequence
            try putOrganization(record, txn, dbi, line: line)
        case .deleteOrganization(let id):
            let dbi = try databases.required(databases.organizations, "organizations")
            let rc = withBigEndianKey(id.key) { key in mdb_del(txn, dbi, &key, nil) }
            if rc == MDB_NOTFOUND {
                throw InputError(line: line, field: "organizationId", reason: "no organization \(id) in the registry")
            }
            try lmdbCheck(rc, "delete organization")
        case .setOrganizationStatus(let id, let status):
            let dbi = try databases.required(databases.organizations, "organizations")
            let stored = try withBigEndianKey(id.key) { key -> OrganizationRecord? in
                var value = MDB_val()
                let rc = mdb_get(txn, dbi, &key, &value)
                if rc == MDB_NOTFOUND { return nil }
                try lmdbCheck(rc, "read organization")
                return OrganizationRecordCodec.decode(value.bytes, id: id)
            }
            guard var record = stored else {
                throw InputError(line: line, field: "organizationId", reason: "no organization \(id) in the registry")
            }
            record.status = status
            record.sequence = sequence
            try putOrganization(record, txn, dbi, line: line)
        }
    }

    private func notFound(_ line: Int, _ type: DocumentType, _ number: String) -> InputError {
        InputError(line: line, field: "documentNumber", reason: "no \(type.wireName) \(number) in the registry")
    }

    private func storedDocument(_ txn: OpaquePointer, _ dbi: MDB_dbi, key: [UInt8]) throws -> DocumentRecord? {
        try key.withUnsafeBytes { raw in
            var mdbKey = MDB_val(raw)
            var value = MDB_val()
            let rc = mdb_get(txn, dbi, &mdbKey, &value)
            if rc == MDB_NOTFOUND { return nil }
            try lmdbCheck(rc, "read document")
            return DocumentRecordCodec.decode(value.bytes)
        }
    }

    private func putDocument(_ record: DocumentRecord, _ txn: OpaquePointer, _ dbi: MDB_dbi, line: Int) throws {
        let bytes: [UInt8]
        do { bytes = try DocumentRecordCodec.encode(record) } catch { throw InputError(line: line, reason: "\(error)") }
        try record.key.withUnsafeBytes { keyBytes in
            try bytes.withUnsafeBytes { valueBytes in
                var key = MDB_val(keyBytes)
                var value = MDB_val(valueBytes)
                try lmdbCheck(mdb_put(txn, dbi, &key, &value, 0), "write document")
            }
        }
    }

    private func putOrganization(_ record: OrganizationRecord, _ txn: OpaquePointer, _ dbi: MDB_dbi, line: Int) throws {
        let bytes: [UInt8]
        do { bytes = try OrganizationRecordCodec.encode(record) } catch { throw InputError(line: line, reason: "\(error)") }
        try bytes.withUnsafeBytes { valueBytes in
            var value = MDB_val(valueBytes)
            try withBigEndianKey(record.organizationId.key) { key in
                try lmdbCheck(mdb_put(txn, dbi, &key, &value, 0), "write organization")
            }
        }
    }

    private func holders(of record: DocumentRecord) -> [IDNumber] {
        [record.holderIdNumber] + (record.spouseIdNumber.map { [$0] } ?? [])
    }

    private func addHolders(of record: DocumentRecord, _ txn: OpaquePointer, _ index: MDB_dbi) throws {
        for holder in holders(of: record) {
            try holderEntry(holder, record.key, txn, index) { key, value in
                let rc = mdb_put(txn, index, &key, &value, UInt32(MDB_NODUPDATA))
                guard rc == 0 || rc == MDB_KEYEXIST else { throw LMDBError(operation: "index document holder", code: rc) }
            }
        }
    }

    private func removeHolders(of record: DocumentRecord, _ txn: OpaquePointer, _ index: MDB_dbi) throws {
        for holder in holders(of: record) {
            try holderEntry(holder, record.key, txn, index) { key, value in
                let rc = mdb_del(txn, index, &key, &value)
                guard rc == 0 || rc == MDB_NOTFOUND else { throw LMDBError(operation: "remove document holder", code: rc) }
            }
        }
    }

    private func holderEntry(
        _ holder: IDNumber, _ documentKey: [UInt8], _ txn: OpaquePointer, _ index: MDB_dbi,
        _ body: (inout MDB_val, inout MDB_val) throws -> Void
    ) throws {
        try documentKey.withUnsafeBytes { raw in
            var value = MDB_val(raw)
            try withBigEndianKey(holder.value) { key in try body(&key, &value) }
        }
    }
}
