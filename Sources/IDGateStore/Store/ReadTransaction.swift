import CLMDB

/// Lookups inside one read transaction (a consistent snapshot of the registry). Borrowed from
/// `RegistryReader.withTransaction`; cannot be copied out of it.
public struct ReadTransaction: ~Copyable {
    let txn: OpaquePointer
    let databases: RegistryDatabases

    /// The resident with this ID number, read in place from the map.
    @inline(__always)
    public func resident(_ id: IDNumber) -> ResidentView? {
        withBigEndianKey(id.value) { key in
            var value = MDB_val()
            guard mdb_get(txn, databases.residents, &key, &value) == 0 else { return nil }
            return ResidentView(idNumber: id, bytes: value.bytes)
        }
    }

    /// The ID numbers of residents who registered this phone number (national `0…` or `+84…` form), ascending.
    public func idNumbers(forPhone phone: String) -> [IDNumber] {
        guard let phoneKey = IndexKey.phone(phone) else { return [] }
        return duplicates(of: phoneKey, in: databases.phones)
    }

    /// The ID number that replaced this 9-digit legacy ID number (CMND), if any.
    public func idNumber(forLegacyId legacyId: String) -> IDNumber? {
        guard let legacyKey = IndexKey.legacyID(legacyId) else { return nil }
        return withBigEndianKey(legacyKey) { key in
            var value = MDB_val()
            guard mdb_get(txn, databases.legacyIDs, &key, &value) == 0, value.mv_size == 8 else { return nil }
            return IDNumber(unchecked: bigEndianUInt64(value.bytes))
        }
    }

    /// The data sequence number of this snapshot.
    public var sequence: UInt64 {
        ((try? RegistryMeta.read(RegistryMeta.sequenceKey, txn: txn, dbi: databases.meta)) ?? nil) ?? 0
    }

    /// Visits residents in ID order, starting at `start`, until `body` returns false.
    public func forEachResident(from start: IDNumber? = nil, _ body: (ResidentView) throws -> Bool) rethrows {
        var cursor: OpaquePointer?
        guard mdb_cursor_open(txn, databases.residents, &cursor) == 0, let cursor else { return }
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val()
        var value = MDB_val()
        var startKey = (start?.value ?? 0).bigEndian
        var rc = withUnsafeMutableBytes(of: &startKey) { raw in
            key = MDB_val(mv_size: 8, mv_data: raw.baseAddress)
            return mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE)
        }
        while rc == 0 {
            guard key.mv_size == 8 else { break }
            let id = IDNumber(unchecked: bigEndianUInt64(key.bytes))
            if let view = ResidentView(idNumber: id, bytes: value.bytes), try !body(view) { return }
            rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
        }
    }

    private func duplicates(of indexKey: UInt64, in dbi: MDB_dbi) -> [IDNumber] {
        var cursor: OpaquePointer?
        guard mdb_cursor_open(txn, dbi, &cursor) == 0, let cursor else { return [] }
        defer { mdb_cursor_close(cursor) }
        var result: [IDNumber] = []
        withBigEndianKey(indexKey) { key in
            var value = MDB_val()
            var rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_KEY)
            while rc == 0 {
                if value.mv_size == 8 { result.append(IDNumber(unchecked: bigEndianUInt64(value.bytes))) }
                rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT_DUP)
            }
        }
        return result
    }
}
