import CLMDB

extension ReadTransaction {
    /// The document of this type with this number (any accepted spelling of it), or nil.
    public func document(_ type: DocumentType, number: UnsafeRawBufferPointer) -> DocumentRecord? {
        guard let dbi = databases.kinds.documents, let canonical = type.canonicalNumber(number) else { return nil }
        return document(key: DocumentKey.bytes(type: type, canonicalNumber: canonical), dbi: dbi)
    }

    public func document(_ type: DocumentType, number: String) -> DocumentRecord? {
        var text = number
        return text.withUTF8 { document(type, number: UnsafeRawBufferPointer($0)) }
    }

    private func document(key bytes: [UInt8], dbi: MDB_dbi) -> DocumentRecord? {
        bytes.withUnsafeBytes { raw in
            var key = MDB_val(raw)
            var value = MDB_val()
            guard mdb_get(txn, dbi, &key, &value) == 0 else { return nil }
            return DocumentRecordCodec.decode(value.bytes)
        }
    }

    /// Every document this resident holds, in key order (type, then number).
    public func documents(heldBy holder: IDNumber) -> [DocumentRecord] {
        guard let index = databases.kinds.documentHolders, let dbi = databases.kinds.documents else { return [] }
        var cursor: OpaquePointer?
        guard mdb_cursor_open(txn, index, &cursor) == 0, let cursor else { return [] }
        defer { mdb_cursor_close(cursor) }
        var keys: [[UInt8]] = []
        withBigEndianKey(holder.value) { key in
            var value = MDB_val()
            var rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_KEY)
            while rc == 0 {
                keys.append(Array(value.bytes))
                rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT_DUP)
            }
        }
        return keys.compactMap { document(key: $0, dbi: dbi) }
    }

    /// The organization with this enterprise or tax code, or nil.
    public func organization(_ id: OrganizationID) -> OrganizationRecord? {
        guard let dbi = databases.kinds.organizations else { return nil }
        return withBigEndianKey(id.key) { key in
            var value = MDB_val()
            guard mdb_get(txn, dbi, &key, &value) == 0 else { return nil }
            return OrganizationRecordCodec.decode(value.bytes, id: id)
        }
    }

    /// Visits documents in key order until `body` returns false.
    public func forEachDocument(_ body: (DocumentRecord) throws -> Bool) rethrows {
        guard let dbi = databases.kinds.documents else { return }
        try forEach(in: dbi) { _, value in
            guard let record = DocumentRecordCodec.decode(value) else { return true }
            return try body(record)
        }
    }

    /// Visits organizations in key order until `body` returns false.
    public func forEachOrganization(_ body: (OrganizationRecord) throws -> Bool) rethrows {
        guard let dbi = databases.kinds.organizations else { return }
        try forEach(in: dbi) { key, value in
            guard key.count == 8, let record = OrganizationRecordCodec.decode(value, id: OrganizationID(key: bigEndianUInt64(key)))
            else { return true }
            return try body(record)
        }
    }

    /// Counts of the other kinds' records (0 without their databases).
    public var documentCount: Int { entryCount(databases.kinds.documents) }
    public var organizationCount: Int { entryCount(databases.kinds.organizations) }

    private func entryCount(_ dbi: MDB_dbi?) -> Int {
        guard let dbi else { return 0 }
        var stat = MDB_stat()
        guard mdb_stat(txn, dbi, &stat) == 0 else { return 0 }
        return Int(stat.ms_entries)
    }

    private func forEach(
        in dbi: MDB_dbi, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) rethrows {
        var cursor: OpaquePointer?
        guard mdb_cursor_open(txn, dbi, &cursor) == 0, let cursor else { return }
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val()
        var value = MDB_val()
        var rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST)
        while rc == 0 {
            if try !body(key.bytes, value.bytes) { return }
            rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
        }
    }
}
