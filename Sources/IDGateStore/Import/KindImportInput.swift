import CLMDB

/// The documents, organizations and foreign residents an import writes into the new generation beside its
/// residents (`idgate import FILE --documents F --organizations F --foreigners F`, `idgate demo init`, a fleet
/// node's snapshot). Each kind comes from an NDJSON file, from records in memory, or both (the records in memory
/// first). Every row is validated; a bad row or a key given twice fails the import naming the line(s), and the
/// served generation stays as it was.
public struct KindImportInput: Sendable {
    public var documentsPath: String?
    public var organizationsPath: String?
    public var foreignersPath: String?
    public var documents: [DocumentRecord] = []
    public var organizations: [OrganizationRecord] = []
    public var foreigners: [ForeignerRecord] = []

    public init() {}

    var isEmpty: Bool {
        documentsPath == nil && organizationsPath == nil && foreignersPath == nil && documents.isEmpty
            && organizations.isEmpty && foreigners.isEmpty
    }

    /// How many records of each kind an import wrote.
    public struct Counts: Sendable, Equatable {
        public var documents = 0
        public var organizations = 0
        public var foreigners = 0

        public init(documents: Int = 0, organizations: Int = 0, foreigners: Int = 0) {
            self.documents = documents
            self.organizations = organizations
            self.foreigners = foreigners
        }
    }

    /// Entries per write transaction (bounds LMDB's dirty-page list, as the residents' writer does).
    static let entriesPerTransaction = 100_000

    /// Reads, validates and writes every kind into the environment of the generation being built.
    func write(environment: OpaquePointer, databases: KindDatabases, sequence: UInt64) throws -> Counts {
        guard !isEmpty else { return Counts() }
        let documents = try loadDocuments(sequence: sequence)
        let organizations = try loadOrganizations(sequence: sequence)
        let foreigners = try loadForeigners(sequence: sequence)
        var pending = PendingWrites(environment: environment)
        if let dbi = databases.documents, let index = databases.documentHolders {
            var holders: [(holder: UInt64, key: [UInt8])] = []
            for (key, bytes, _) in documents {
                try pending.put(dbi, key: key, value: bytes, flags: UInt32(MDB_APPEND))
            }
            for (key, _, record) in documents {
                holders.append((record.holderIdNumber.value, key))
                if let spouse = record.spouseIdNumber { holders.append((spouse.value, key)) }
            }
            holders.sort { $0.holder != $1.holder ? $0.holder < $1.holder : $0.key.lexicographicallyPrecedes($1.key) }
            for entry in holders {
                var holder = entry.holder.bigEndian
                try withUnsafeBytes(of: &holder) { raw in
                    try pending.put(index, key: Array(raw), value: entry.key, flags: UInt32(MDB_APPENDDUP))
                }
            }
        }
        if let dbi = databases.organizations {
            for (id, bytes) in organizations {
                var key = id.key.bigEndian
                try withUnsafeBytes(of: &key) { raw in
                    try pending.put(dbi, key: Array(raw), value: bytes, flags: UInt32(MDB_APPEND))
                }
            }
        }
        if let dbi = databases.foreigners {
            for (key, bytes) in foreigners { try pending.put(dbi, key: key, value: bytes, flags: UInt32(MDB_APPEND)) }
        }
        try pending.commit()
        return Counts(documents: documents.count, organizations: organizations.count, foreigners: foreigners.count)
    }

    /// Encoded foreign residents sorted by key, a (nationality, passport number) given twice refused.
    private func loadForeigners(sequence: UInt64) throws -> [(key: [UInt8], bytes: [UInt8])] {
        var rows: [(line: Int, record: ForeignerRecord)] = foreigners.enumerated().map { ($0.offset + 1, $0.element) }
        if let path = foreignersPath {
            try Self.forEachLine(path) { line, number throws(InputError) in
                var body = line
                if body.last == 0x0D { body = UnsafeRawBufferPointer(rebasing: body.dropLast()) }
                rows.append((number, try ForeignerCodec.decodeNDJSON(body, lineNumber: number)))
            }
        }
        var encoded: [(key: [UInt8], bytes: [UInt8], record: ForeignerRecord, line: Int)] = []
        encoded.reserveCapacity(rows.count)
        for (line, var record) in rows {
            record.sequence = sequence
            do {
                encoded.append((record.key.storageKey, try record.encoded(), record, line))
            } catch {
                throw InputError(line: line, reason: "record too large to store (\(error))")
            }
        }
        encoded.sort { $0.key != $1.key ? $0.key.lexicographicallyPrecedes($1.key) : $0.line < $1.line }
        for (previous, next) in zip(encoded, encoded.dropFirst()) where previous.key == next.key {
            throw InputError(
                line: next.line, field: "passportNumber",
                reason: "\(next.record.key) is listed twice, first on line \(previous.line)")
        }
        return encoded.map { ($0.key, $0.bytes) }
    }

    /// Encoded documents sorted by key, duplicates refused.
    private func loadDocuments(sequence: UInt64) throws -> [(key: [UInt8], bytes: [UInt8], record: DocumentRecord)] {
        var rows: [(line: Int, record: DocumentRecord)] = documents.enumerated().map { ($0.offset + 1, $0.element) }
        if let path = documentsPath {
            try Self.forEachLine(path) { line, number throws(InputError) in
                rows.append((number, try DocumentCodec.decodeNDJSON(line, lineNumber: number)))
            }
        }
        var encoded: [(key: [UInt8], bytes: [UInt8], record: DocumentRecord, line: Int)] = []
        encoded.reserveCapacity(rows.count)
        for (line, var record) in rows {
            record.sequence = sequence
            do {
                encoded.append((record.key, try DocumentRecordCodec.encode(record), record, line))
            } catch {
                throw InputError(line: line, reason: "\(error)")
            }
        }
        encoded.sort { $0.key != $1.key ? $0.key.lexicographicallyPrecedes($1.key) : $0.line < $1.line }
        for (previous, next) in zip(encoded, encoded.dropFirst()) where previous.key == next.key {
            throw InputError(
                line: next.line, field: "documentNumber",
                reason: "duplicate \(next.record.type.wireName) \(next.record.number), first given on line \(previous.line)")
        }
        return encoded.map { ($0.key, $0.bytes, $0.record) }
    }

    private func loadOrganizations(sequence: UInt64) throws -> [(OrganizationID, [UInt8])] {
        var rows: [(line: Int, record: OrganizationRecord)] = organizations.enumerated().map { ($0.offset + 1, $0.element) }
        if let path = organizationsPath {
            try Self.forEachLine(path) { line, number throws(InputError) in
                rows.append((number, try OrganizationCodec.decodeNDJSON(line, lineNumber: number)))
            }
        }
        rows.sort { $0.record.organizationId != $1.record.organizationId ? $0.record.organizationId < $1.record.organizationId : $0.line < $1.line }
        var result: [(OrganizationID, [UInt8])] = []
        result.reserveCapacity(rows.count)
        var previous: (line: Int, id: OrganizationID)?
        for (line, var record) in rows {
            if let previous, previous.id == record.organizationId {
                throw InputError(
                    line: line, field: "organizationId",
                    reason: "duplicate organization \(record.organizationId), first given on line \(previous.line)")
            }
            previous = (line, record.organizationId)
            record.sequence = sequence
            do {
                result.append((record.organizationId, try OrganizationRecordCodec.encode(record)))
            } catch {
                throw InputError(line: line, reason: "\(error)")
            }
        }
        return result
    }

    /// Calls `body` with each non-blank line of an NDJSON file and its 1-based number.
    static func forEachLine(
        _ path: String, _ body: (UnsafeRawBufferPointer, Int) throws(InputError) -> Void
    ) throws {
        let file = try MappedFile(path: path)
        var lines = LineIterator(file.bytes, range: 0..<file.bytes.count)
        var number = 0
        while let (line, _) = lines.next() {
            number += 1
            if RegistryImporter.isBlank(line) { continue }
            do {
                try body(line, number)
            } catch {
                // Line numbers refer to this file, not the residents' file.
                throw InputError(line: error.line, field: error.field, reason: "\(error.reason) (in \(path))")
            }
        }
    }
}

/// Puts entries in transactions of `KindImportInput.entriesPerTransaction`.
private struct PendingWrites {
    let environment: OpaquePointer
    var txn: OpaquePointer?
    var count = 0

    init(environment: OpaquePointer) { self.environment = environment }

    mutating func put(_ dbi: MDB_dbi, key: [UInt8], value: [UInt8], flags: UInt32) throws {
        if txn == nil {
            try lmdbCheck(mdb_txn_begin(environment, nil, 0, &txn), "begin import transaction")
        }
        let rc = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                var mdbKey = MDB_val(keyBytes)
                var mdbValue = MDB_val(valueBytes)
                return mdb_put(txn, dbi, &mdbKey, &mdbValue, flags)
            }
        }
        if rc != 0 {
            mdb_txn_abort(txn)
            txn = nil
            try lmdbCheck(rc, "write record")
        }
        count += 1
        if count == KindImportInput.entriesPerTransaction { try commit() }
    }

    mutating func commit() throws {
        guard let open = txn else { return }
        txn = nil
        count = 0
        try lmdbCheck(mdb_txn_commit(open), "commit import transaction")
    }
}
