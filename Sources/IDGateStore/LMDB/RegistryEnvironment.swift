import CLMDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The named databases of one registry generation and how to open them.
///
/// One LMDB environment per generation directory: `residents` (8-byte big-endian ID → binary record),
/// `phone-index` (phone key → ID numbers, sorted duplicates of fixed size), `legacy-index` (legacy ID key → ID number)
/// and `meta` (schema version, data sequence number).
struct RegistryDatabases {
    var residents: MDB_dbi
    var phones: MDB_dbi
    var legacyIDs: MDB_dbi
    var meta: MDB_dbi
    /// The other record kinds (documents, organizations, foreign residents; docs/DATA.md): nil in a generation
    /// written before they existed, which still opens and answers `not_found` for them.
    var kinds = KindDatabases()

    static let residentsName = "residents"
    static let phonesName = "phone-index"
    static let legacyIDsName = "legacy-index"
    static let metaName = "meta"

    /// Opens (or with `create`, creates) the four databases inside `txn`; the handles outlive it once it commits.
    static func open(in txn: OpaquePointer, create: Bool) throws(LMDBError) -> RegistryDatabases {
        let createFlag = create ? UInt32(MDB_CREATE) : 0
        func dbi(_ name: String, _ flags: UInt32) throws(LMDBError) -> MDB_dbi {
            var handle: MDB_dbi = 0
            try lmdbCheck(mdb_dbi_open(txn, name, flags | createFlag, &handle), "open database '\(name)'")
            return handle
        }
        var databases = RegistryDatabases(
            residents: try dbi(residentsName, 0),
            phones: try dbi(phonesName, UInt32(MDB_DUPSORT | MDB_DUPFIXED)),
            legacyIDs: try dbi(legacyIDsName, 0),
            meta: try dbi(metaName, 0)
        )
        databases.kinds = try KindDatabases.open(in: txn, create: create)
        return databases
    }
}

/// Opening and closing LMDB environments with the settings every registry generation uses.
enum RegistryEnvironment {
    /// Reader slots in the lock file: one per live read transaction across all processes (one per reader thread).
    static let maximumReaders: UInt32 = 1024
    /// Address space reserved for the map. Only virtual: the file grows with the data. Large so that a writer
    /// growing the map never forces readers in other processes to remap (`MDB_MAP_RESIZED`).
    static let defaultMapSize = 1 << 38
    /// Named databases an environment may hold: the four of the citizens' registry, `foreigners`, and room for the
    /// kinds added beside them.
    static let maximumDatabases: UInt32 = 16

    /// Opens the environment in `path` (a generation directory). `MDB_NOTLS` lets a read transaction be reset
    /// and renewed from any thread, which `RegistryReader` relies on.
    static func open(
        path: String, readOnly: Bool, mapSize: Int = defaultMapSize, noSync: Bool = false, readahead: Bool = true
    ) throws(LMDBError) -> OpaquePointer {
        var env: OpaquePointer?
        try lmdbCheck(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(operation: "mdb_env_create", code: EINVAL) }
        do throws(LMDBError) {
            try lmdbCheck(mdb_env_set_maxdbs(env, maximumDatabases), "mdb_env_set_maxdbs")
            try lmdbCheck(mdb_env_set_maxreaders(env, maximumReaders), "mdb_env_set_maxreaders")
            try lmdbCheck(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize")
            var flags = UInt32(MDB_NOTLS)
            if readOnly { flags |= UInt32(MDB_RDONLY) }
            if noSync { flags |= UInt32(MDB_NOSYNC | MDB_NOMETASYNC) }
            if !readahead { flags |= UInt32(MDB_NORDAHEAD) }
            try lmdbCheck(mdb_env_open(env, path, flags, OwnerOnlyFiles.fileMode), "open LMDB environment at \(path)")
            var dead: Int32 = 0
            _ = mdb_reader_check(env, &dead)
        } catch {
            mdb_env_close(env)
            throw error
        }
        return env
    }
}
