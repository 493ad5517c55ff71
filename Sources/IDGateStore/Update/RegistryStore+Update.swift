import CLMDB
import Foundation

extension RegistryStore {
    /// Applies `batch` in one write transaction: every change or none. A batch at or below the registry's sequence
    /// is a no-op (`alreadyApplied`); one that skips a sequence number is refused. Readers keep their snapshot
    /// throughout and see the whole batch at once. When the map is full it is grown (doubling, up to
    /// `maximumMapSize`) and the batch retried; past that the batch fails with `RegistryError.mapFull`.
    ///
    /// Callers in other processes should hold the writer lock (`applyUpdate(file:directory:)` does).
    public func apply(_ batch: UpdateBatch, maximumMapSize: Int = RegistryStore.defaultMaximumMapSize) throws -> UpdateOutcome {
        guard !isReadOnly else { throw RegistryError.readOnly(directory: directory) }
        while true {
            do {
                return try applyOnce(batch)
            } catch let error as LMDBError where error.isMapFull {
                var info = MDB_envinfo()
                mdb_env_info(environment, &info)
                let grown = Int(info.me_mapsize) * 2
                guard grown <= maximumMapSize else { throw RegistryError.mapFull(limitBytes: maximumMapSize) }
                try lmdbCheck(mdb_env_set_mapsize(environment, grown), "grow map to \(grown) bytes")
            }
        }
    }

    /// Applies `batch` holding the directory's writer lock, as `idgate update` does: a writer that lives beside the
    /// server (the registry follower) must not race an import or update run by hand. Fails with
    /// `RegistryError.busy` while another writer holds the lock.
    public func applyHoldingWriterLock(_ batch: UpdateBatch) throws -> UpdateOutcome {
        let lock = try storeDirectory.lockForWriting()
        let outcome = try apply(batch)
        _ = consume lock
        return outcome
    }

    /// Opens the registry in `directory` for writing, takes the writer lock and applies the batch file at `path`.
    public static func applyUpdate(file path: String, directory: String) throws -> UpdateOutcome {
        let storeDirectory = StoreDirectory(path: directory)
        guard storeDirectory.currentGeneration() != nil else { throw RegistryError.notARegistry(directory: directory) }
        let lock = try storeDirectory.lockForWriting()
        let file = try MappedFile(path: path)
        let batch = try UpdateBatch(ndjson: file.bytes)
        let outcome = try RegistryStore.open(directory: directory, readOnly: false).apply(batch)
        _ = consume lock
        return outcome
    }

    private func applyOnce(_ batch: UpdateBatch) throws -> UpdateOutcome {
        var txnPointer: OpaquePointer?
        try lmdbCheck(mdb_txn_begin(environment, nil, 0, &txnPointer), "begin update transaction")
        let txn = txnPointer!
        do {
            let current = try RegistryMeta.read(RegistryMeta.sequenceKey, txn: txn, dbi: databases.meta) ?? 0
            if batch.sequence <= current {
                mdb_txn_abort(txn)
                return .alreadyApplied(registrySequence: current)
            }
            guard batch.sequence == current + 1 else { throw RegistryError.sequenceGap(current: current, batch: batch.sequence) }
            let writer = RecordWriter(txn: txn, databases: databases, sequence: batch.sequence)
            for entry in batch.entries {
                try writer.apply(entry)
            }
            try RegistryMeta.write(RegistryMeta.sequenceKey, batch.sequence, txn: txn, dbi: databases.meta)
            try lmdbCheck(mdb_txn_commit(txn), "commit update batch \(batch.sequence)")
            return .applied(operations: batch.entries.count, sequence: batch.sequence)
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
    }
}

/// Record and index changes inside one update transaction.
private struct RecordWriter {
    let txn: OpaquePointer
    let databases: RegistryDatabases
    let sequence: UInt64

    func apply(_ entry: UpdateBatch.Entry) throws {
        let line = entry.line
        switch entry.operation {
        case .upsert(let record):
            if let old = try stored(record.idNumber) { try removeIndexEntries(of: old) }
            try put(record, line: line)
        case .delete(let id):
            guard let old = try stored(id) else { throw notFound(id, line) }
            try removeIndexEntries(of: old)
            try withBigEndianKey(id.value) { key in
                try lmdbCheck(mdb_del(txn, databases.residents, &key, nil), "delete resident \(id)")
            }
        case .setCardStatus(let id, let status):
            guard var record = try stored(id) else { throw notFound(id, line) }
            guard record.card != nil else {
                throw InputError(line: line, field: "cardStatus", reason: "resident \(id) has no card")
            }
            record.card?.status = status
            try overwrite(record, line: line)
        case .setRecordStatus(let id, let status):
            guard var record = try stored(id) else { throw notFound(id, line) }
            record.recordStatus = status
            try overwrite(record, line: line)
        case .kind(let update):
            try update.apply(txn: txn, databases: databases.kinds, line: line, sequence: sequence)
        case .upsertForeigner(let record):
            try ForeignerWriter.put(record, sequence: sequence, txn: txn, dbi: try foreigners(line), line: line)
        case .deleteForeigner(let key):
            guard try ForeignerWriter.delete(key, txn: txn, dbi: try foreigners(line)) else {
                throw InputError(line: line, field: "passportNumber", reason: "no foreign resident \(key) in the registry")
            }
        }
    }

    /// The `foreigners` database; a generation written before it existed takes no foreigner changes (import again).
    private func foreigners(_ line: Int) throws -> MDB_dbi {
        guard let dbi = databases.kinds.foreigners else {
            throw InputError(
                line: line, reason: "this registry generation predates foreign residents: import it again to add them")
        }
        return dbi
    }

    private func notFound(_ id: IDNumber, _ line: Int) -> InputError {
        InputError(line: line, field: "idNumber", reason: "no resident \(id) in the registry")
    }

    private func stored(_ id: IDNumber) throws -> ResidentRecord? {
        try withBigEndianKey(id.value) { key in
            var value = MDB_val()
            let rc = mdb_get(txn, databases.residents, &key, &value)
            if rc == MDB_NOTFOUND { return nil }
            try lmdbCheck(rc, "read resident \(id)")
            return ResidentView(idNumber: id, bytes: value.bytes)?.record()
        }
    }

    /// Rewrites a record whose indexed fields did not change.
    private func overwrite(_ record: ResidentRecord, line: Int) throws {
        try putRecord(record, line: line)
    }

    /// Writes a new or replaced record and its index entries (the old entries are already removed).
    private func put(_ record: ResidentRecord, line: Int) throws {
        if let legacy = record.legacyIdNumber, let legacyKey = IndexKey.legacyID(legacy) {
            if let owner = try lookupLegacy(legacyKey), owner != record.idNumber.value {
                throw InputError(
                    line: line, field: "legacyIdNumber",
                    reason: "\(legacy) already belongs to resident \(IDNumber(unchecked: owner))")
            }
            try appendIndexEntry(txn, databases.legacyIDs, key: legacyKey, id: record.idNumber.value, flags: 0)
        }
        for phone in record.phoneNumbers {
            guard let phoneKey = IndexKey.phone(phone) else { continue }
            let rc = putIndex(databases.phones, key: phoneKey, id: record.idNumber.value, flags: UInt32(MDB_NODUPDATA))
            guard rc == 0 || rc == MDB_KEYEXIST else { throw LMDBError(operation: "index phone number", code: rc) }
        }
        try putRecord(record, line: line)
    }

    private func putRecord(_ record: ResidentRecord, line: Int) throws {
        var record = record
        record.sequence = sequence
        let bytes: [UInt8]
        do {
            bytes = try record.encoded()
        } catch {
            throw InputError(line: line, reason: "record too large to store (\(error))")
        }
        try bytes.withUnsafeBytes { raw in
            var value = MDB_val(raw)
            try withBigEndianKey(record.idNumber.value) { key in
                try lmdbCheck(mdb_put(txn, databases.residents, &key, &value, 0), "write resident \(record.idNumber)")
            }
        }
    }

    private func removeIndexEntries(of record: ResidentRecord) throws {
        if let legacy = record.legacyIdNumber, let legacyKey = IndexKey.legacyID(legacy) {
            try deleteIndex(databases.legacyIDs, key: legacyKey, id: record.idNumber.value)
        }
        for phone in record.phoneNumbers {
            guard let phoneKey = IndexKey.phone(phone) else { continue }
            try deleteIndex(databases.phones, key: phoneKey, id: record.idNumber.value)
        }
    }

    private func lookupLegacy(_ legacyKey: UInt64) throws -> UInt64? {
        try withBigEndianKey(legacyKey) { key in
            var value = MDB_val()
            let rc = mdb_get(txn, databases.legacyIDs, &key, &value)
            if rc == MDB_NOTFOUND { return nil }
            try lmdbCheck(rc, "read legacy index")
            return bigEndianUInt64(value.bytes)
        }
    }

    private func putIndex(_ dbi: MDB_dbi, key indexKey: UInt64, id: UInt64, flags: UInt32) -> Int32 {
        var idBigEndian = id.bigEndian
        return withUnsafeMutableBytes(of: &idBigEndian) { raw in
            var value = MDB_val(mv_size: 8, mv_data: raw.baseAddress)
            return withBigEndianKey(indexKey) { key in mdb_put(txn, dbi, &key, &value, flags) }
        }
    }

    /// Deletes `key → id` (for the dupsort phone index, only that pair); a missing entry is fine.
    private func deleteIndex(_ dbi: MDB_dbi, key indexKey: UInt64, id: UInt64) throws {
        var idBigEndian = id.bigEndian
        let rc = withUnsafeMutableBytes(of: &idBigEndian) { raw in
            var value = MDB_val(mv_size: 8, mv_data: raw.baseAddress)
            return withBigEndianKey(indexKey) { key in mdb_del(txn, dbi, &key, &value) }
        }
        guard rc == 0 || rc == MDB_NOTFOUND else { throw LMDBError(operation: "remove index entry", code: rc) }
    }
}
