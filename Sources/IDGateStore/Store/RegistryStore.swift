import CLMDB
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open registry: the LMDB environment of the generation `DIR/current` pointed to when it was opened.
///
/// Open once per process and share it; each thread or event loop makes its own `RegistryReader`. When an import
/// swaps in a new generation, `isSuperseded` turns true and a server should open the store again (the old
/// generation stays readable until the last reader of it goes away).
///
/// Sendable because its stored properties are immutable after `open` and LMDB environments are thread-safe;
/// per-thread state lives in `RegistryReader`, which is not Sendable.
public final class RegistryStore: @unchecked Sendable {
    public let directory: String
    /// The generation directory name (`gen-NNNNNN`) this store reads.
    public let generation: String
    public let schemaVersion: UInt64
    public let isReadOnly: Bool

    /// Whether the kernel reads ahead around the pages this store faults in (`RegistryReadahead`).
    public var readsAhead: Bool {
        var flags: UInt32 = 0
        mdb_env_get_flags(environment, &flags)
        return flags & UInt32(MDB_NORDAHEAD) == 0
    }

    /// The default (and largest) map a registry's writers use: 256 GiB of address space, not of disk.
    public static let defaultMaximumMapSize = RegistryEnvironment.defaultMapSize

    let environment: OpaquePointer
    let databases: RegistryDatabases
    let storeDirectory: StoreDirectory

    /// Opens the generation `directory/current` points to. Fails when there is none or when it was written by
    /// another schema version.
    public static func open(directory: String, readOnly: Bool = true, readahead: RegistryReadahead = .auto) throws -> RegistryStore {
        try open(directory: directory, readOnly: readOnly, mapSize: defaultMaximumMapSize, readahead: readahead)
    }

    /// `mapSize` below the size recorded in the environment has no effect (LMDB keeps the larger).
    ///
    /// LMDB forbids opening one environment twice in a process (its reader lock table would be corrupted), so an
    /// environment that is still open is shared: opening the same generation again returns the same store.
    static func open(directory: String, readOnly: Bool, mapSize: Int, readahead: RegistryReadahead = .auto) throws -> RegistryStore {
        let storeDirectory = StoreDirectory(path: directory)
        guard let generation = storeDirectory.currentGeneration() else { throw RegistryError.notARegistry(directory: directory) }
        let generationPath = storeDirectory.generationPath(generation)
        return try openEnvironments.withLock { open in
            if let shared = open[generationPath]?.store {
                guard readOnly || !shared.isReadOnly else {
                    throw RegistryError.notWritable(
                        path: generationPath, reason: "this process has the registry open read-only")
                }
                // The files may have been rewritten since (another schema): check again through the shared handle.
                let found = try schemaVersion(environment: shared.environment, databases: shared.databases)
                guard found == RegistryMeta.currentSchemaVersion else {
                    throw RegistryError.schemaMismatch(
                        directory: directory, found: found ?? 0, expected: RegistryMeta.currentSchemaVersion)
                }
                return shared
            }
            let store = try openGeneration(
                directory: directory, storeDirectory: storeDirectory, generation: generation, readOnly: readOnly,
                mapSize: mapSize, readahead: readahead)
            open = open.filter { $0.value.store != nil }
            open[generationPath] = WeakStore(store: store)
            return store
        }
    }

    private static func schemaVersion(environment: OpaquePointer, databases: RegistryDatabases) throws -> UInt64? {
        var txn: OpaquePointer?
        try lmdbCheck(mdb_txn_begin(environment, nil, UInt32(MDB_RDONLY), &txn), "begin transaction")
        defer { mdb_txn_abort(txn) }
        return try RegistryMeta.read(RegistryMeta.schemaVersionKey, txn: txn!, dbi: databases.meta)
    }

    private struct WeakStore {
        weak var store: RegistryStore?
    }

    /// Environments open in this process, by generation path.
    private static let openEnvironments = Mutex<[String: WeakStore]>([:])

    private static func openGeneration(
        directory: String, storeDirectory: StoreDirectory, generation: String, readOnly: Bool, mapSize: Int,
        readahead: RegistryReadahead
    ) throws -> RegistryStore {
        let path = storeDirectory.generationPath(generation)
        var file = stat()
        let dataFileBytes = stat(path + "/data.mdb", &file) == 0 ? Int(file.st_size) : 0
        let environment = try RegistryEnvironment.open(
            path: path, readOnly: readOnly, mapSize: mapSize, readahead: readahead.isEnabled(dataFileBytes: dataFileBytes))
        do {
            var txn: OpaquePointer?
            try lmdbCheck(mdb_txn_begin(environment, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn), "begin transaction")
            guard let txn else { throw RegistryError.notARegistry(directory: directory) }
            let databases: RegistryDatabases
            let schemaVersion: UInt64?
            do {
                databases = try RegistryDatabases.open(in: txn, create: false)
                schemaVersion = try RegistryMeta.read(RegistryMeta.schemaVersionKey, txn: txn, dbi: databases.meta)
                try lmdbCheck(mdb_txn_commit(txn), "commit")
            } catch {
                mdb_txn_abort(txn)
                if let error = error as? LMDBError, error.code == MDB_NOTFOUND {
                    throw RegistryError.notARegistry(directory: directory)
                }
                throw error
            }
            guard schemaVersion == RegistryMeta.currentSchemaVersion else {
                throw RegistryError.schemaMismatch(
                    directory: directory, found: schemaVersion ?? 0, expected: RegistryMeta.currentSchemaVersion)
            }
            return RegistryStore(
                directory: directory, generation: generation, schemaVersion: RegistryMeta.currentSchemaVersion,
                isReadOnly: readOnly, environment: environment, databases: databases)
        } catch {
            mdb_env_close(environment)
            throw error
        }
    }

    private init(
        directory: String, generation: String, schemaVersion: UInt64, isReadOnly: Bool, environment: OpaquePointer,
        databases: RegistryDatabases
    ) {
        self.directory = directory
        self.generation = generation
        self.schemaVersion = schemaVersion
        self.isReadOnly = isReadOnly
        self.environment = environment
        self.databases = databases
        self.storeDirectory = StoreDirectory(path: directory)
    }

    deinit {
        mdb_env_close(environment)
    }

    /// The data sequence number: that of the last import or update batch applied (read live, so updates applied
    /// by another process show up).
    public var sequence: UInt64 {
        let reader = makeReader()
        return reader.withTransaction { $0.sequence }
    }

    /// True once `current` points to another generation: reopen to serve the new data. One `readlink(2)`.
    public var isSuperseded: Bool { storeDirectory.currentGeneration() != generation }

    /// A reader for the calling thread or event loop.
    public func makeReader() -> RegistryReader { RegistryReader(store: self) }
}
