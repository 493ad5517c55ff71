import CLMDB
import Dispatch
import Foundation
import Synchronization

/// The import of a file, in two passes so that parsing overlaps the (single-threaded) LMDB appends:
///
/// 1. **Index the rows** (all cores, line-aligned shards): each row's offset, line and ID number, read from the
///    row's start when it is laid out as `gen` and `registry sample` write it (else by decoding the row). Sorted
///    by ID number (then line) per shard, then merged.
/// 2. **Decode in key order** (worker threads) while **appending** (the importing thread): the sorted rows are cut
///    into chunks; workers decode, validate and encode whole chunks into reused arenas, and the writer appends
///    chunk after chunk with `MDB_APPEND` as soon as each is ready. Index entries are gathered on the way, sorted
///    on all cores and appended after the records.
///
/// Every row is still validated; the first bad row in file order fails the import (or, with `skipInvalid`, every
/// bad row goes to the rejects file), and bad rows take precedence over duplicate ID numbers, as before.
extension RegistryImporter {
    /// One data row found by the first pass.
    struct PendingRow {
        /// The row's ID number, or `UInt64.max` when none can be read (the row then fails in pass 2).
        var id: UInt64
        var offset: Int
        /// The row's length without its line break; the top bit is set when no newline ends it (a truncated file).
        var length: UInt32
        var line: UInt32

        static let unterminatedBit: UInt32 = 1 << 31
    }

    /// Rows per chunk of the second pass: large enough to amortize the hand-offs, small enough that the writer
    /// starts early and the few arenas in flight stay small and reused.
    static let rowsPerChunk = 32_768
    /// How many rows ahead of the one being decoded the second pass prefetches.
    static let prefetchDistance = 6

    func importPipelined(
        _ file: MappedFile, sequence: UInt64, into storeDirectory: StoreDirectory, started: ContinuousClock.Instant
    ) throws -> ImportSummary {
        let indexed = try indexRows(file, started: started)
        let generation = storeDirectory.nextGenerationName()
        let generationPath = storeDirectory.generationPath(generation)
        do {
            try OwnerOnlyFiles.createNewDirectory(atPath: generationPath)
        } catch {
            throw RegistryError.notWritable(path: generationPath, reason: "cannot create directory")
        }
        let outcome: (imported: Int, rejected: Int, kinds: KindImportInput.Counts)
        do {
            outcome = try decodeAndAppend(
                file, rows: indexed.rows, columns: indexed.columns, sequence: sequence, path: generationPath, started: started)
            try storeDirectory.makeCurrent(generation)
        } catch {
            try? FileManager.default.removeItem(atPath: generationPath)
            if let lmdb = error as? LMDBError, lmdb.isMapFull { throw RegistryError.mapFull(limitBytes: options.maximumMapSize) }
            throw error
        }
        storeDirectory.removeGenerations(except: generation)
        let elapsed = (ContinuousClock.now - started).seconds
        report(.done, rows: outcome.imported, total: outcome.imported, started: started)
        return ImportSummary(
            imported: outcome.imported, rejected: outcome.rejected, generation: generation, sequence: sequence,
            elapsedSeconds: elapsed, kinds: outcome.kinds)
    }

    // MARK: Pass 1: index the rows

    /// Threads for parsing; nil `parallelism` means every core.
    var threadCount: Int { max(1, options.parallelism ?? ProcessInfo.processInfo.activeProcessorCount) }

    private func indexRows(_ file: MappedFile, started: ContinuousClock.Instant) throws
        -> (rows: [PendingRow], columns: ResidentCodec.CSVColumns?)
    {
        let format = options.format ?? detectFormat(file)
        var dataStart = 0
        var firstDataLine = 1
        var columns: ResidentCodec.CSVColumns?
        if format == .csv {
            dataStart = file.endOfFirstLine()
            firstDataLine = 2
            var header = LineIterator(file.bytes, range: 0..<dataStart)
            guard let headerLine = header.next() else { throw InputError(line: 1, reason: "empty file: no CSV header") }
            columns = try ResidentCodec.CSVColumns(header: headerLine.line)
        }
        let threads = options.parallelism ?? (file.bytes.count < Self.parallelThreshold ? 1 : threadCount)
        let shards = file.lineAlignedShards(from: dataStart, count: max(1, threads))
        let results = Slots<(rows: [PendingRow], lines: Int)>(count: shards.count)
        let progress = ReadProgress(totalBytes: file.bytes.count, started: started, report: options.progress)
        let csvColumns = columns
        DispatchQueue.concurrentPerform(iterations: shards.count) { shard in
            var indexed = Self.indexShard(file.bytes, range: shards[shard], columns: csvColumns, progress: progress)
            indexed.rows.sort { $0.id != $1.id ? $0.id < $1.id : $0.line < $1.line }
            results.store(indexed, at: shard)
        }
        report(.sorting, rows: 0, total: nil, started: started)
        // Shards count lines from 1: shift them to file line numbers, then merge the sorted shards.
        var lineBase = UInt32(firstDataLine - 1)
        var shifted: [[PendingRow]] = []
        for var shard in results.take() {
            if lineBase != 0 { for index in shard.rows.indices { shard.rows[index].line += lineBase } }
            lineBase += UInt32(shard.lines)
            shifted.append(shard.rows)
        }
        if shifted.count == 1 { return (shifted[0], columns) }
        return (Self.merge(shifted, threads: threadCount), columns)
    }

    /// Merges shards sorted by (ID number, line) into one sorted array, on `threads` threads: splitter keys taken
    /// from the largest shard cut every shard into ranges, and each thread merges one range into its place.
    static func merge(_ shards: [[PendingRow]], threads: Int) -> [PendingRow] {
        let total = shards.reduce(0) { $0 + $1.count }
        guard total > 0 else { return [] }
        let largest = shards.indices.max { shards[$0].count < shards[$1].count }!
        let parts = max(1, min(threads, shards[largest].count))
        // cuts[part][shard]: where part `part` starts in each shard.
        var cutList: [[Int]] = [Array(repeating: 0, count: shards.count)]
        for part in 1..<parts {
            let splitter = shards[largest][shards[largest].count * part / parts]
            cutList.append(shards.map { shard in
                var low = 0, high = shard.count
                while low < high {
                    let middle = (low + high) / 2
                    if precedes(shard[middle], splitter) { low = middle + 1 } else { high = middle }
                }
                return low
            })
        }
        cutList.append(shards.map(\.count))
        let cuts = cutList
        return [PendingRow](unsafeUninitializedCapacity: total) { output, initialized in
            let target = UncheckedPointer(output.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                var positions = cuts[part]
                let ends = cuts[part + 1]
                var next = target.pointer + positions.reduce(0, +)
                while true {
                    var best = -1
                    for shard in shards.indices where positions[shard] < ends[shard] {
                        if best < 0 || precedes(shards[shard][positions[shard]], shards[best][positions[best]]) { best = shard }
                    }
                    guard best >= 0 else { break }
                    next.initialize(to: shards[best][positions[best]])
                    next += 1
                    positions[best] += 1
                }
            }
            initialized = total
        }
    }

    @inline(__always)
    static func precedes(_ a: PendingRow, _ b: PendingRow) -> Bool { a.id != b.id ? a.id < b.id : a.line < b.line }

    private static func indexShard(
        _ bytes: UnsafeRawBufferPointer, range: Range<Int>, columns: ResidentCodec.CSVColumns?, progress: ReadProgress
    ) -> (rows: [PendingRow], lines: Int) {
        var rows: [PendingRow] = []
        rows.reserveCapacity(range.count / 200)
        var lines = LineIterator(bytes, range: range)
        var lineNumber = 0
        var lastReportedAt = range.lowerBound
        var values = ResidentRowValues(line: 0)
        var fields = CSVLine.Fields()
        let idColumn = columns?.fields.firstIndex(of: .idNumber)
        guard let start = bytes.baseAddress else { return ([], 0) }  // an empty file
        let base = UnsafeRawPointer(start)
        while let (line, isTerminated) = lines.next() {
            lineNumber += 1
            if isBlank(line) { continue }
            var id = columns == nil ? quickNDJSONID(line) : (idColumn == 0 ? quickCSVID(line) : nil)
            if id == nil {
                // Not laid out as usual: decode the row to find its ID number (its errors surface in pass 2).
                values.reset(line: lineNumber)
                if let columns {
                    try? ResidentCodec.decodeCSV(line, columns: columns, into: &values, fields: &fields)
                } else {
                    try? ResidentCodec.decodeNDJSON(line, into: &values)
                }
                id = values.idNumberIfRead?.value
            }
            let offset = line.baseAddress.map { UnsafeRawPointer($0) - base } ?? range.upperBound
            rows.append(PendingRow(
                id: id ?? UInt64.max, offset: offset,
                length: UInt32(min(line.count, Int(PendingRow.unterminatedBit - 1))) | (isTerminated ? 0 : PendingRow.unterminatedBit),
                line: UInt32(truncatingIfNeeded: lineNumber)))
            if lineNumber % 65_536 == 0 {
                progress.advance(rows: 65_536, bytes: offset - lastReportedAt)
                lastReportedAt = offset
            }
        }
        return (rows, lineNumber)
    }

    /// The ID number of a row that starts `{"idNumber":"` followed by 12 digits and a quote.
    @inline(__always)
    private static func quickNDJSONID(_ line: UnsafeRawBufferPointer) -> UInt64? {
        let prefix: StaticString = #"{"idNumber":""#
        let prefixCount = prefix.utf8CodeUnitCount
        guard line.count > prefixCount + 12, memcmp(line.baseAddress!, prefix.utf8Start, prefixCount) == 0,
            line[prefixCount + 12] == UInt8(ascii: "\"")
        else { return nil }
        return digits12(line, at: prefixCount)
    }

    /// The ID number of a CSV row whose first column is 12 digits.
    @inline(__always)
    private static func quickCSVID(_ line: UnsafeRawBufferPointer) -> UInt64? {
        guard line.count >= 12, line.count == 12 || line[12] == UInt8(ascii: ",") else { return nil }
        return digits12(line, at: 0)
    }

    @inline(__always)
    private static func digits12(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64? {
        var value: UInt64 = 0
        for index in offset..<(offset + 12) {
            let digit = bytes[index] &- 0x30
            guard digit <= 9 else { return nil }
            value = value &* 10 &+ UInt64(digit)
        }
        return value
    }

    // MARK: Pass 2: decode in key order while appending

    private func decodeAndAppend(
        _ file: MappedFile, rows: [PendingRow], columns: ResidentCodec.CSVColumns?, sequence: UInt64, path: String,
        started: ContinuousClock.Instant
    ) throws -> (imported: Int, rejected: Int, kinds: KindImportInput.Counts) {
        let rowsPerChunk = max(1, options.rowsPerChunk)
        let chunkCount = (rows.count + rowsPerChunk - 1) / rowsPerChunk
        let workers = max(1, min(threadCount, chunkCount))
        let pipeline = ChunkPipeline(chunkCount: chunkCount, arenas: 2 * workers + 2, arenaCapacity: rowsPerChunk * 256)
        let sharedRows = SharedRows(rows)
        let group = DispatchGroup()
        for _ in 0..<workers {
            DispatchQueue.global().async(group: group) {
                Self.decodeChunks(
                    file, rows: sharedRows, rowsPerChunk: rowsPerChunk, columns: columns, sequence: sequence, pipeline: pipeline)
            }
        }
        defer { group.wait() }
        do {
            return try appendChunks(pipeline, chunkCount: chunkCount, rowCount: rows.count, path: path, sequence: sequence, started: started)
        } catch {
            pipeline.cancel()
            throw error
        }
    }

    /// A worker: decodes, validates and encodes chunks until none are left.
    private static func decodeChunks(
        _ file: MappedFile, rows: SharedRows, rowsPerChunk: Int, columns: ResidentCodec.CSVColumns?, sequence: UInt64,
        pipeline: ChunkPipeline
    ) {
        let bytes = file.bytes
        var values = ResidentRowValues(line: 0)
        var fields = CSVLine.Fields()
        while let (chunk, arena) = pipeline.nextChunk() {
            let range = (chunk * rowsPerChunk)..<min(rows.rows.count, (chunk + 1) * rowsPerChunk)
            var batch = ResidentBatch(shard: 0, sequence: sequence, arena: arena)
            batch.entries.reserveCapacity(range.count)
            batch.phoneEntries.reserveCapacity(range.count * 2)
            batch.legacyEntries.reserveCapacity(range.count)
            let rowCount = rows.rows.count
            for index in range {
                // Rows come in key order, scattered over the file: prefetch one a few places ahead.
                if index + prefetchDistance < rowCount {
                    let ahead = rows.rows[index + prefetchDistance]
                    let aheadLength = Int(ahead.length & ~PendingRow.unterminatedBit)
                    var offset = ahead.offset
                    while offset < ahead.offset + aheadLength {
                        idgate_prefetch(bytes.baseAddress! + offset)
                        offset += 64
                    }
                }
                let row = rows.rows[index]
                let length = Int(row.length & ~PendingRow.unterminatedBit)
                let line = UnsafeRawBufferPointer(rebasing: bytes[row.offset..<(row.offset + length)])
                values.reset(line: Int(row.line))
                do throws(InputError) {
                    if let columns {
                        try ResidentCodec.decodeCSV(line, columns: columns, into: &values, fields: &fields)
                    } else {
                        try ResidentCodec.decodeNDJSON(line, into: &values)
                    }
                    try batch.add(values)
                } catch {
                    var error = error
                    if row.length & PendingRow.unterminatedBit != 0 {
                        error.reason += " (the file ends in the middle of this line: truncated?)"
                    }
                    batch.rejects.append(error)
                }
            }
            pipeline.finish(chunk, batch)
        }
    }

    /// The writer: appends the chunks' records in order as they become ready, then the index entries.
    private func appendChunks(
        _ pipeline: ChunkPipeline, chunkCount: Int, rowCount: Int, path: String, sequence: UInt64,
        started: ContinuousClock.Instant
    ) throws -> (imported: Int, rejected: Int, kinds: KindImportInput.Counts) {
        let skipInvalid = options.skipInvalid
        let environment = try RegistryEnvironment.open(
            path: path, readOnly: false, mapSize: options.maximumMapSize, noSync: true)
        let flusher = BackgroundFlusher(environment)
        defer {
            flusher.finish()
            mdb_env_close(environment)
        }
        let writer = try AppendWriter(environment: environment, total: rowCount) { [self] done, total in
            flusher.start()
            report(.writing, rows: done, total: total, started: started)
        }
        var imported = 0
        var kinds = KindImportInput.Counts()
        var rejects: [InputError] = []
        var phoneLists: [[ResidentBatch.IndexEntry]] = []
        var legacyLists: [[ResidentBatch.IndexEntry]] = []
        var duplicate: InputError?
        do {
            let databases = try RegistryDatabases.open(in: writer.txn, create: true)
            try writer.writeMeta(sequence: sequence, databases: databases)
            try writer.use(databases.residents)
            var previous: ResidentBatch.Entry?
            for chunk in 0..<chunkCount {
                let batch = pipeline.take(chunk)
                rejects.append(contentsOf: batch.rejects)
                // Once the import is bound to fail, the remaining chunks are only checked for bad rows.
                var writing = duplicate == nil && (skipInvalid || rejects.isEmpty)
                for entry in batch.entries {
                    if let previous, previous.id == entry.id {
                        if duplicate == nil {
                            duplicate = InputError(
                                line: entry.line, field: ResidentField.idNumber.name,
                                reason: "duplicate ID number \(IDNumber(unchecked: entry.id)), first given on line \(previous.line)")
                            writing = false
                        }
                        continue
                    }
                    previous = entry
                    if writing {
                        try writer.append(
                            key: entry.id, value: batch.arena.bytes(at: entry.offset, count: entry.length), flags: UInt32(MDB_APPEND))
                    }
                }
                imported += batch.entries.count
                phoneLists.append(batch.phoneEntries)
                legacyLists.append(batch.legacyEntries)
                pipeline.recycle(batch.arena)
            }
            // Bad rows first (the first in file order fails the import), then duplicates, as a one-pass import would.
            if !skipInvalid, let first = rejects.min(by: { $0.line < $1.line }) { throw first }
            if skipInvalid { try writeRejects(rejects) }
            if let duplicate { throw duplicate }

            report(.sorting, rows: 0, total: nil, started: started)
            var (phones, legacies) = Self.sortIndexEntries(phoneLists, legacyLists, threads: threadCount)
            phoneLists = []
            legacyLists = []
            // Progress starts again for the index entries.
            writer.startCounting(total: phones.count + legacies.count)
            try writer.appendIndexes(phones: &phones, legacies: &legacies, databases: databases)
            try writer.commit()
            kinds = try options.kinds.write(environment: environment, databases: databases.kinds, sequence: sequence)
        } catch {
            writer.abort()
            throw error
        }
        try lmdbCheck(mdb_env_sync(environment, 1), "sync registry to disk")
        return (imported, rejects.count, kinds)
    }

    /// Sorts the gathered index entries on all cores (each thread sorts a part); the writer merges the parts.
    private static func sortIndexEntries(
        _ phones: [[ResidentBatch.IndexEntry]], _ legacies: [[ResidentBatch.IndexEntry]], threads: Int
    ) -> (MergedEntries<ResidentBatch.IndexEntry>, MergedEntries<ResidentBatch.IndexEntry>) {
        let phoneParts = split(phones, into: threads)
        let legacyParts = split(legacies, into: threads)
        let sortedPhones = Slots<[ResidentBatch.IndexEntry]>(count: phoneParts.count)
        let sortedLegacies = Slots<[ResidentBatch.IndexEntry]>(count: legacyParts.count)
        DispatchQueue.concurrentPerform(iterations: phoneParts.count + legacyParts.count) { index in
            if index < phoneParts.count {
                var part = phoneParts[index]
                part.sort(by: ResidentBatch.IndexEntry.phoneOrder)
                sortedPhones.store(part, at: index)
            } else {
                var part = legacyParts[index - phoneParts.count]
                part.sort(by: ResidentBatch.IndexEntry.legacyOrder)
                sortedLegacies.store(part, at: index - phoneParts.count)
            }
        }
        return (
            MergedEntries(sortedPhones.take(), by: ResidentBatch.IndexEntry.phoneOrder),
            MergedEntries(sortedLegacies.take(), by: ResidentBatch.IndexEntry.legacyOrder)
        )
    }

    /// Concatenates the chunks' lists into `parts` lists of about equal size.
    private static func split<Element>(_ lists: [[Element]], into parts: Int) -> [[Element]] {
        let total = lists.reduce(0) { $0 + $1.count }
        let perPart = max(1, (total + parts - 1) / parts)
        var result: [[Element]] = []
        var current: [Element] = []
        current.reserveCapacity(min(perPart, total))
        for list in lists {
            var rest = list[...]
            while !rest.isEmpty {
                let take = min(perPart - current.count, rest.count)
                current.append(contentsOf: rest.prefix(take))
                rest = rest.dropFirst(take)
                if current.count == perPart {
                    result.append(current)
                    current = []
                    current.reserveCapacity(perPart)
                }
            }
        }
        if !current.isEmpty || result.isEmpty { result.append(current) }
        return result
    }
}

/// Writes committed pages to disk while the import goes on (`MDB_NOSYNC` leaves them to the kernel, which would
/// otherwise write most of them only in the final sync), so that the final `mdb_env_sync` has little left to do.
/// Unchecked Sendable: `pending` is atomic; the descriptor is only read.
private final class BackgroundFlusher: @unchecked Sendable {
    private let queue = DispatchQueue(label: "idgate.import.flush", qos: .utility)
    private let descriptor: Int32
    private let pending = Atomic<Bool>(false)

    init(_ environment: OpaquePointer) {
        var fd: Int32 = -1
        descriptor = mdb_env_get_fd(environment, &fd) == 0 ? fd : -1
    }

    /// Starts a flush of everything written so far, unless one is still running.
    func start() {
        guard descriptor >= 0, pending.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        queue.async { [self] in
            _ = fdatasync(descriptor)
            pending.store(false, ordering: .releasing)
        }
    }

    /// Waits for a running flush (before the environment and its descriptor are closed).
    func finish() { queue.sync {} }
}

/// A pointer handed to threads that write disjoint parts of what it points at.
private struct UncheckedPointer<Pointee>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Pointee>
    init(_ pointer: UnsafeMutablePointer<Pointee>) { self.pointer = pointer }
}

/// The first pass's rows, read (never written) by the second pass's workers.
private final class SharedRows: @unchecked Sendable {
    let rows: [RegistryImporter.PendingRow]
    init(_ rows: [RegistryImporter.PendingRow]) { self.rows = rows }
}

/// Hands chunks to the workers, finished chunks to the writer in order, and arenas back to the workers. A worker
/// waits for a free arena, so decoding runs at most a few chunks ahead of the writer and the arenas are reused.
/// Unchecked Sendable: every field is guarded by `condition`.
final class ChunkPipeline: @unchecked Sendable {
    private let condition = NSCondition()
    private let chunkCount: Int
    private var nextToHand = 0
    private var finished: [Int: ResidentBatch] = [:]
    private var freeArenas: [ByteArena]
    private var cancelled = false

    init(chunkCount: Int, arenas: Int, arenaCapacity: Int) {
        self.chunkCount = chunkCount
        freeArenas = (0..<arenas).map { _ in ByteArena(capacity: arenaCapacity) }
    }

    /// The next chunk to decode and an empty arena to encode it into; nil when all are handed out or cancelled.
    func nextChunk() -> (Int, ByteArena)? {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled && nextToHand < chunkCount && freeArenas.isEmpty { condition.wait() }
        guard !cancelled, nextToHand < chunkCount else { return nil }
        let chunk = nextToHand
        nextToHand += 1
        let arena = freeArenas.removeLast()
        arena.removeAll()
        return (chunk, arena)
    }

    func finish(_ chunk: Int, _ batch: ResidentBatch) {
        condition.lock()
        finished[chunk] = batch
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until chunk `chunk` is decoded and takes it.
    func take(_ chunk: Int) -> ResidentBatch {
        condition.lock()
        defer { condition.unlock() }
        while finished[chunk] == nil { condition.wait() }
        return finished.removeValue(forKey: chunk)!
    }

    func recycle(_ arena: ByteArena) {
        condition.lock()
        freeArenas.append(arena)
        condition.broadcast()
        condition.unlock()
    }

    /// Stops handing out chunks (the writer failed); workers finish the chunk they hold and stop.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}

/// One slot per task, each written by exactly one thread before `take()` runs after they have all joined.
/// Unchecked Sendable: slots are disjoint and `concurrentPerform` returns only after every write.
final class Slots<Value>: @unchecked Sendable {
    private var slots: [Value?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func store(_ value: Value, at index: Int) {
        slots.withUnsafeMutableBufferPointer { $0[index] = value }
    }

    func take() -> [Value] { slots.map { $0! } }
}
