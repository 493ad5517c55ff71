import CLMDB
import Foundation

/// Counts and sizes of an open registry (`idgate stats`).
public struct RegistryStats: Sendable, Equatable, Encodable {
    public var directory: String
    public var generation: String
    public var schemaVersion: UInt64
    public var sequence: UInt64
    public var residents: Int
    /// Records of the other kinds (0 in a generation written before they existed).
    public var documents: Int
    public var organizations: Int
    public var foreigners: Int
    /// (phone number, ID number) pairs in the phone index.
    public var phoneIndexEntries: Int
    public var legacyIndexEntries: Int
    /// Bytes of `data.mdb` on disk.
    public var dataFileBytes: Int
    /// Bytes in use by the B-trees (pages × page size).
    public var usedBytes: Int
    public var mapSizeBytes: Int
    public var pageSize: Int
    public var residentsTreeDepth: Int
}

extension RegistryStore {
    /// Reads counts from the B-tree headers (no scan), so it is instant even for tens of millions of records.
    public func stats() -> RegistryStats {
        var info = MDB_envinfo()
        mdb_env_info(environment, &info)
        var environmentStat = MDB_stat()
        mdb_env_stat(environment, &environmentStat)
        let (residents, phones, legacy, sequence, kinds) = makeReader().withTransaction { txn in
            (dbStat(txn.txn, databases.residents), dbStat(txn.txn, databases.phones),
             dbStat(txn.txn, databases.legacyIDs), txn.sequence,
             (documents: txn.documentCount, organizations: txn.organizationCount, foreigners: txn.foreignerCount))
        }
        let dataFile = storeDirectory.generationPath(generation) + "/data.mdb"
        let fileBytes = ((try? FileManager.default.attributesOfItem(atPath: dataFile))?[.size] as? Int) ?? 0
        let pageSize = Int(environmentStat.ms_psize)
        return RegistryStats(
            directory: directory, generation: generation, schemaVersion: schemaVersion, sequence: sequence,
            residents: Int(residents.ms_entries), documents: kinds.documents, organizations: kinds.organizations,
            foreigners: kinds.foreigners, phoneIndexEntries: Int(phones.ms_entries),
            legacyIndexEntries: Int(legacy.ms_entries), dataFileBytes: fileBytes,
            usedBytes: (Int(info.me_last_pgno) + 1) * pageSize, mapSizeBytes: Int(info.me_mapsize), pageSize: pageSize,
            residentsTreeDepth: Int(residents.ms_depth))
    }
}

private func dbStat(_ txn: OpaquePointer, _ dbi: MDB_dbi) -> MDB_stat {
    var stat = MDB_stat()
    mdb_stat(txn, dbi, &stat)
    return stat
}
