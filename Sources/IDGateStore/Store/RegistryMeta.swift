import CLMDB

/// The `meta` database: schema version and data sequence number, as 8-byte big-endian values.
enum RegistryMeta {
    /// Bumped whenever the record format or database layout changes incompatibly.
    static let currentSchemaVersion: UInt64 = 1

    static let schemaVersionKey = "schema-version"
    static let sequenceKey = "sequence"

    static func read(_ key: String, txn: OpaquePointer, dbi: MDB_dbi) throws -> UInt64? {
        var name = key
        return try name.withUTF8 { keyBytes -> UInt64? in
            var mdbKey = MDB_val(UnsafeRawBufferPointer(keyBytes))
            var value = MDB_val()
            let rc = mdb_get(txn, dbi, &mdbKey, &value)
            if rc == MDB_NOTFOUND { return nil }
            try lmdbCheck(rc, "read meta '\(key)'")
            guard value.mv_size == 8 else { throw LMDBError(operation: "read meta '\(key)'", code: MDB_CORRUPTED) }
            return bigEndianUInt64(value.bytes)
        }
    }

    static func write(_ key: String, _ value: UInt64, txn: OpaquePointer, dbi: MDB_dbi) throws {
        var name = key
        var bigEndian = value.bigEndian
        try name.withUTF8 { keyBytes in
            var mdbKey = MDB_val(UnsafeRawBufferPointer(keyBytes))
            try withUnsafeMutableBytes(of: &bigEndian) { raw in
                var mdbValue = MDB_val(mv_size: 8, mv_data: raw.baseAddress)
                try lmdbCheck(mdb_put(txn, dbi, &mdbKey, &mdbValue, 0), "write meta '\(key)'")
            }
        }
    }
}
