import CLMDB
import Dispatch
import Foundation
import Synchronization

/// Builds a new registry generation from a file of residents (or any sequence of records) and makes it current.
///
/// A file is read in two passes (`RegistryImporter+Pipeline.swift`): its rows are indexed by ID number on all
/// cores, then decoded in ID order by worker threads while the importing thread appends them to a fresh LMDB
/// environment (`MDB_APPEND`, the fastest way LMDB can be filled) in the directory of the next generation. Only
/// when everything is written and synced does `DIR/current` swap to it, so a failed or killed import leaves the
/// served data as it was. The writer lock keeps imports and updates from racing.
public struct RegistryImporter: Sendable {
    public let directory: String
    public let options: ImportOptions

    /// Records per write transaction: bounds LMDB's dirty-page list (each transaction appends where the last stopped).
    static let recordsPerTransaction = 200_000
    /// Inputs smaller than this are parsed on one thread unless `ImportOptions.parallelism` says otherwise.
    static let parallelThreshold = 4 << 20

    public init(directory: String, options: ImportOptions = ImportOptions()) {
        self.directory = directory
        self.options = options
    }

    /// Imports an NDJSON or CSV file.
    public func importFile(_ path: String) throws -> ImportSummary {
        let clock = ContinuousClock.now
        let storeDirectory = StoreDirectory(path: directory)
        try storeDirectory.prepareForWriting()
        let lock = try storeDirectory.lockForWriting()
        storeDirectory.removeUnfinishedGenerations()
        let file = try MappedFile(path: path)
        let sequence = options.sequence ?? nextSequence(storeDirectory)
        let summary = try importPipelined(file, sequence: sequence, into: storeDirectory, started: clock)
        _ = consume lock
        return summary
    }

    /// Imports a sequence of records (the demo builder, `idgate import --generated`, tests). Records are validated
    /// as they would be on input. The records need not fit in memory: every `recordsPerRun` records are sorted and
    /// spilled to an unlinked file in `directory` (`ResidentBatch.spilled(into:)`), and the writer merges the runs
    /// as it appends; only the entries (24 bytes per record, phone and legacy number) stay in memory.
    public func importRecords<Records: Sequence<ResidentRecord>>(_ records: Records) throws -> ImportSummary {
        let clock = ContinuousClock.now
        let storeDirectory = StoreDirectory(path: directory)
        try storeDirectory.prepareForWriting()
        let lock = try storeDirectory.lockForWriting()
        storeDirectory.removeUnfinishedGenerations()
        let sequence = options.sequence ?? nextSequence(storeDirectory)
        var runs: [ResidentBatch] = []
        var batch = ResidentBatch(shard: 0, sequence: sequence)
        for (index, record) in records.enumerated() {
            try batch.add(record, line: index + 1)
            if batch.entries.count == options.recordsPerRun {
                guard runs.count < Self.maximumRuns - 1 else { throw RegistryError.tooManyRecords(limit: options.recordsPerRun * Self.maximumRuns) }
                report(.reading, rows: index + 1, total: nil, started: clock)
                runs.append(try batch.spilled(into: directory))
                batch = ResidentBatch(shard: runs.count, sequence: sequence)
            }
        }
        if runs.isEmpty || !batch.entries.isEmpty {
            batch.sort()
            runs.append(batch)
        }
        let summary = try write(batches: runs, sequence: sequence, into: storeDirectory, started: clock)
        _ = consume lock
        return summary
    }

    /// Runs (shards) a merge can hold: an entry keeps its shard in 8 bits.
    static let maximumRuns = 256

    /// Removes what a killed import left half written (generations newer than `current`), unless a writer holds
    /// the lock (an import in progress): the server calls it at startup. Returns the generations removed.
    public static func removeUnfinishedImports(directory: String) -> [String] {
        let storeDirectory = StoreDirectory(path: directory)
        guard FileManager.default.fileExists(atPath: directory), let lock = try? storeDirectory.lockForWriting() else { return [] }
        let removed = storeDirectory.removeUnfinishedGenerations()
        _ = consume lock
        return removed
    }

    /// An import continues the data sequence of the generation it replaces.
    private func nextSequence(_ storeDirectory: StoreDirectory) -> UInt64 {
        guard storeDirectory.currentGeneration() != nil, let current = try? RegistryStore.open(directory: directory) else { return 1 }
        return current.sequence + 1
    }

    // MARK: Parsing

    func detectFormat(_ file: MappedFile) -> ResidentFileFormat {
        if file.path.lowercased().hasSuffix(".csv") { return .csv }
        let firstByte = file.bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        return firstByte == nil || firstByte == UInt8(ascii: "{") ? .ndjson : .csv
    }

    /// Whether a line holds only spaces and tabs (skipped). Rows start with `{` or a digit: one byte decides.
    @inline(__always)
    static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let first = line.first, first == 0x20 || first == 0x09 else { return line.isEmpty }
        return line.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    func writeRejects(_ rejects: [InputError]) throws {
        guard let path = options.rejectsPath else { return }
        let text = rejects.sorted { $0.line < $1.line }.map { "\($0)\n" }.joined()
        do {
            try OwnerOnlyFiles.write(Array(text.utf8), toPath: path)
        } catch {
            throw RegistryError.notWritable(path: path, reason: "\(error.localizedDescription)")
        }
    }

    // MARK: Writing

    private func write(
        batches: [ResidentBatch], sequence: UInt64, into storeDirectory: StoreDirectory, started: ContinuousClock.Instant
    ) throws -> ImportSummary {
        // The shards are already sorted; the writer merges them as it appends.
        report(.sorting, rows: 0, total: nil, started: started)
        let generation = storeDirectory.nextGenerationName()
        let generationPath = storeDirectory.generationPath(generation)
        do {
            try OwnerOnlyFiles.createNewDirectory(atPath: generationPath)
        } catch {
            throw RegistryError.notWritable(path: generationPath, reason: "cannot create directory")
        }
        let imported: Int
        let kinds: KindImportInput.Counts
        do {
            (imported, kinds) = try fill(generationPath, with: batches, sequence: sequence, started: started)
            try storeDirectory.makeCurrent(generation)
        } catch {
            try? FileManager.default.removeItem(atPath: generationPath)
            if let lmdb = error as? LMDBError, lmdb.isMapFull { throw RegistryError.mapFull(limitBytes: options.maximumMapSize) }
            throw error
        }
        storeDirectory.removeGenerations(except: generation)
        let elapsed = (ContinuousClock.now - started).seconds
        report(.done, rows: imported, total: imported, started: started)
        return ImportSummary(
            imported: imported, rejected: batches.reduce(0) { $0 + $1.rejects.count }, generation: generation,
            sequence: sequence, elapsedSeconds: elapsed, kinds: kinds)
    }

    /// Appends everything to a new environment in key order (merging the sorted shards), then syncs it to disk.
    /// A duplicate ID number, or a legacy number given to two residents, fails the import naming both lines.
    private func fill(_ path: String, with batches: [ResidentBatch], sequence: UInt64, started: ContinuousClock.Instant) throws -> (Int, KindImportInput.Counts) {
        let environment = try RegistryEnvironment.open(
            path: path, readOnly: false, mapSize: options.maximumMapSize, noSync: true)
        defer { mdb_env_close(environment) }
        let arenas = batches.map(\.arena)
        var records = MergedEntries(batches.map(\.entries)) { $0.id != $1.id ? $0.id < $1.id : $0.line < $1.line }
        var phones = MergedEntries(batches.map(\.phoneEntries), by: ResidentBatch.IndexEntry.phoneOrder)
        var legacies = MergedEntries(batches.map(\.legacyEntries), by: ResidentBatch.IndexEntry.legacyOrder)
        let total = records.count + phones.count + legacies.count
        let imported = records.count
        var kinds = KindImportInput.Counts()
        let writer = try AppendWriter(environment: environment, total: total) { [self] done, total in
            report(.writing, rows: done, total: total, started: started)
        }
        do {
            let databases = try RegistryDatabases.open(in: writer.txn, create: true)
            try writer.writeMeta(sequence: sequence, databases: databases)

            try writer.use(databases.residents)
            var previousRecord: ResidentBatch.Entry?
            while let entry = records.next() {
                if let previousRecord, previousRecord.id == entry.id {
                    throw InputError(
                        line: entry.line, field: ResidentField.idNumber.name,
                        reason: "duplicate ID number \(IDNumber(unchecked: entry.id)), first given on line \(previousRecord.line)")
                }
                previousRecord = entry
                try writer.append(key: entry.id, value: arenas[entry.shard].bytes(at: entry.offset, count: entry.length), flags: UInt32(MDB_APPEND))
            }

            try writer.appendIndexes(phones: &phones, legacies: &legacies, databases: databases)
            try writer.commit()
            kinds = try options.kinds.write(environment: environment, databases: databases.kinds, sequence: sequence)
        } catch {
            writer.abort()
            throw error
        }
        try lmdbCheck(mdb_env_sync(environment, 1), "sync registry to disk")
        return (imported, kinds)
    }

    func report(_ phase: ImportProgress.Phase, rows: Int, total: Int?, started: ContinuousClock.Instant) {
        options.progress?(ImportProgress(
            phase: phase, rows: rows, totalRows: total, bytesRead: 0, totalBytes: 0,
            elapsedSeconds: (ContinuousClock.now - started).seconds))
    }
}

/// Appends sorted entries through one cursor, committing every `RegistryImporter.recordsPerTransaction` entries
/// (each transaction appends where the last stopped, which bounds LMDB's dirty-page list).
final class AppendWriter {
    private let environment: OpaquePointer
    private(set) var txn: OpaquePointer
    private var cursor: OpaquePointer?
    private var dbi: MDB_dbi = 0
    private var inTransaction = 0
    /// False between a commit and the next begin (a failed commit frees the transaction too).
    private var isOpen = true
    private var done = 0
    private var total: Int
    private let progress: (Int, Int) -> Void

    init(environment: OpaquePointer, total: Int, progress: @escaping (Int, Int) -> Void) throws {
        self.environment = environment
        self.total = total
        self.progress = progress
        txn = try Self.begin(environment)
    }

    private static func begin(_ environment: OpaquePointer) throws(LMDBError) -> OpaquePointer {
        var txn: OpaquePointer?
        try lmdbCheck(mdb_txn_begin(environment, nil, 0, &txn), "begin import transaction")
        return txn!
    }

    /// Counts appended entries from zero again, out of `total` (for progress reports).
    func startCounting(total: Int) {
        self.total = total
        done = 0
    }

    /// Appends to `dbi` from now on.
    func use(_ dbi: MDB_dbi) throws(LMDBError) {
        if let cursor { mdb_cursor_close(cursor) }
        cursor = nil
        self.dbi = dbi
        try lmdbCheck(mdb_cursor_open(txn, dbi, &cursor), "open import cursor")
    }

    @inline(__always)
    func append(key: UInt64, value: UnsafeRawBufferPointer, flags: UInt32) throws(LMDBError) {
        var keyBigEndian = key.bigEndian
        var mdbValue = MDB_val(value)
        let rc = withUnsafeMutableBytes(of: &keyBigEndian) { raw in
            var mdbKey = MDB_val(mv_size: 8, mv_data: raw.baseAddress)
            return mdb_cursor_put(cursor, &mdbKey, &mdbValue, flags)
        }
        try lmdbCheck(rc, "append resident")
        try checkpoint()
    }

    /// Appends `key → id` (both 8-byte big-endian) to an index database.
    @inline(__always)
    func append(key: UInt64, id: UInt64, flags: UInt32) throws(LMDBError) {
        var pair = (key.bigEndian, id.bigEndian)
        let rc = withUnsafeMutableBytes(of: &pair) { raw in
            var mdbKey = MDB_val(mv_size: 8, mv_data: raw.baseAddress)
            var mdbValue = MDB_val(mv_size: 8, mv_data: raw.baseAddress! + 8)
            return mdb_cursor_put(cursor, &mdbKey, &mdbValue, flags)
        }
        try lmdbCheck(rc, "write index entry")
        try checkpoint()
    }

    @inline(__always)
    private func checkpoint() throws(LMDBError) {
        done += 1
        inTransaction += 1
        guard inTransaction == RegistryImporter.recordsPerTransaction else { return }
        try commit()
        txn = try Self.begin(environment)
        isOpen = true
        inTransaction = 0
        try use(dbi)
        progress(done, total)
    }

    func commit() throws(LMDBError) {
        cursor = nil  // freed with the transaction
        isOpen = false
        try lmdbCheck(mdb_txn_commit(txn), "commit import transaction")
    }

    func abort() {
        guard isOpen else { return }
        if let cursor { mdb_cursor_close(cursor) }
        cursor = nil
        isOpen = false
        mdb_txn_abort(txn)
    }
}

extension AppendWriter {
    /// The schema version and the import's sequence number, first thing in a new environment.
    func writeMeta(sequence: UInt64, databases: RegistryDatabases) throws {
        try RegistryMeta.write(RegistryMeta.schemaVersionKey, RegistryMeta.currentSchemaVersion, txn: txn, dbi: databases.meta)
        try RegistryMeta.write(RegistryMeta.sequenceKey, sequence, txn: txn, dbi: databases.meta)
    }

    /// Appends both indexes in key order: phone entries (a repeated phone of one resident once) and legacy ID
    /// numbers (one given to two residents fails the import naming both lines).
    func appendIndexes(
        phones: inout MergedEntries<ResidentBatch.IndexEntry>, legacies: inout MergedEntries<ResidentBatch.IndexEntry>,
        databases: RegistryDatabases
    ) throws {
        try use(databases.phones)
        var previousPhone: (key: UInt64, id: UInt64)?
        while let entry = phones.next() {
            if let previousPhone, previousPhone == (entry.key, entry.id) { continue }
            previousPhone = (entry.key, entry.id)
            try append(key: entry.key, id: entry.id, flags: UInt32(MDB_APPENDDUP))
        }
        try use(databases.legacyIDs)
        var previousLegacy: ResidentBatch.IndexEntry?
        while let entry = legacies.next() {
            if let previousLegacy, previousLegacy.key == entry.key {
                throw InputError(
                    line: entry.line, field: ResidentField.legacyIdNumber.name,
                    reason: "legacy ID number also given to another resident on line \(previousLegacy.line)")
            }
            previousLegacy = entry
            try append(key: entry.key, id: entry.id, flags: UInt32(MDB_APPEND))
        }
    }
}

/// Appends `key → id` (both 8-byte big-endian) to an index database.
func appendIndexEntry(_ txn: OpaquePointer, _ dbi: MDB_dbi, key: UInt64, id: UInt64, flags: UInt32) throws {
    var idBigEndian = id.bigEndian
    try withUnsafeMutableBytes(of: &idBigEndian) { raw in
        var value = MDB_val(mv_size: 8, mv_data: raw.baseAddress)
        try withBigEndianKey(key) { mdbKey in
            try lmdbCheck(mdb_put(txn, dbi, &mdbKey, &value, flags), "write index entry")
        }
    }
}

/// Rows and bytes read so far across parser threads, reported at most a few times a second.
final class ReadProgress: Sendable {
    private let rows = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)
    private let lastReportNanoseconds = Atomic<Int>(0)
    private let totalBytes: Int
    private let started: ContinuousClock.Instant
    private let report: (@Sendable (ImportProgress) -> Void)?

    init(totalBytes: Int, started: ContinuousClock.Instant, report: (@Sendable (ImportProgress) -> Void)?) {
        self.totalBytes = totalBytes
        self.started = started
        self.report = report
    }

    func advance(rows newRows: Int, bytes newBytes: Int) {
        let rowsSoFar = rows.add(newRows, ordering: .relaxed).newValue
        let bytesSoFar = bytes.add(newBytes, ordering: .relaxed).newValue
        guard let report else { return }
        let elapsed = ContinuousClock.now - started
        let now = Int(elapsed.components.seconds) * 1_000_000_000 + Int(elapsed.components.attoseconds / 1_000_000_000)
        let last = lastReportNanoseconds.load(ordering: .relaxed)
        guard now - last >= 200_000_000,
            lastReportNanoseconds.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged
        else { return }
        report(ImportProgress(
            phase: .reading, rows: rowsSoFar, totalRows: nil, bytesRead: bytesSoFar, totalBytes: totalBytes,
            elapsedSeconds: elapsed.seconds))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
