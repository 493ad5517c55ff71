import CLMDB

extension ReadTransaction {
    /// The foreign resident holding this passport, read in place; nil when none does (or the generation predates
    /// foreign residents).
    public func foreigner(_ key: ForeignerKey) -> ForeignerView? {
        guard let dbi = databases.kinds.foreigners else { return nil }
        var bytes = key.storageKey
        return bytes.withUnsafeMutableBytes { raw in
            var mdbKey = MDB_val(mv_size: raw.count, mv_data: raw.baseAddress)
            var value = MDB_val()
            guard mdb_get(txn, dbi, &mdbKey, &value) == 0 else { return nil }
            return ForeignerView(key: key, bytes: value.bytes)
        }
    }

    /// Visits foreign residents in key order (nationality, then passport number) until `body` returns false.
    public func forEachForeigner(_ body: (ForeignerView) throws -> Bool) rethrows {
        guard let dbi = databases.kinds.foreigners else { return }
        var cursor: OpaquePointer?
        guard mdb_cursor_open(txn, dbi, &cursor) == 0, let cursor else { return }
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val()
        var value = MDB_val()
        var rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST)
        while rc == 0 {
            if let foreignerKey = ForeignerKey(storageKey: key.bytes),
                let view = ForeignerView(key: foreignerKey, bytes: value.bytes), try !body(view)
            {
                return
            }
            rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
        }
    }

    /// The number of foreign residents (from the B-tree header).
    public var foreignerCount: Int {
        guard let dbi = databases.kinds.foreigners else { return 0 }
        var stat = MDB_stat()
        guard mdb_stat(txn, dbi, &stat) == 0 else { return 0 }
        return Int(stat.ms_entries)
    }
}

extension RegistryStore {
    /// About `count` foreign residents spread evenly over the key order, as owning copies (`idgate registry sample
    /// --kind foreigners`).
    public func sampleForeigners(count: Int) -> [ForeignerRecord] {
        guard count > 0 else { return [] }
        let reader = makeReader()
        let total = reader.withTransaction { $0.foreignerCount }
        let stride = Swift.max(1, total / count)
        var records: [ForeignerRecord] = []
        reader.withTransaction { txn in
            var index = 0
            txn.forEachForeigner { view in
                if index % stride == 0 { records.append(view.record()) }
                index += 1
                return records.count < count
            }
        }
        return records
    }
}

/// Writing foreign residents inside a registry write transaction (import and update batches).
enum ForeignerWriter {
    static func put(_ record: ForeignerRecord, sequence: UInt64, txn: OpaquePointer, dbi: MDB_dbi, line: Int) throws {
        var record = record
        record.sequence = sequence
        let bytes: [UInt8]
        do {
            bytes = try record.encoded()
        } catch {
            throw InputError(line: line, reason: "record too large to store (\(error))")
        }
        var key = record.key.storageKey
        try key.withUnsafeMutableBytes { rawKey in
            var mdbKey = MDB_val(mv_size: rawKey.count, mv_data: rawKey.baseAddress)
            try bytes.withUnsafeBytes { raw in
                var value = MDB_val(raw)
                try lmdbCheck(mdb_put(txn, dbi, &mdbKey, &value, 0), "write foreign resident \(record.key)")
            }
        }
    }

    /// Deletes the record; false when there was none.
    static func delete(_ key: ForeignerKey, txn: OpaquePointer, dbi: MDB_dbi) throws -> Bool {
        var bytes = key.storageKey
        let rc = bytes.withUnsafeMutableBytes { rawKey in
            var mdbKey = MDB_val(mv_size: rawKey.count, mv_data: rawKey.baseAddress)
            return mdb_del(txn, dbi, &mdbKey, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        try lmdbCheck(rc, "delete foreign resident \(key)")
        return true
    }
}
