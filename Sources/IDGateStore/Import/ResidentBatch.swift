#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable block of bytes holding encoded records, at a fixed address once filled, so the writer reads records
/// through plain pointers. Unchecked Sendable: one thread fills it, then (after the parser threads have joined)
/// one thread reads it.
///
/// Large arenas are anonymous mappings marked for transparent huge pages: filling gigabytes of records then takes
/// one page fault per 2 MiB instead of one per 4 KiB.
final class ByteArena: @unchecked Sendable {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var count = 0
    private var capacity = 0
    private var isMapped = false

    static let mappingThreshold = 1 << 20

    /// Reserves address space for `capacity` bytes; pages are only committed as they are written.
    init(capacity: Int = 0) {
        if capacity > 0 { allocate(capacity) }
    }

    /// Takes over a mapping of `count` bytes, already filled (a sorted run read back from disk); unmapped on deinit.
    init(adopting mapping: UnsafeMutableRawPointer, count: Int) {
        base = mapping
        self.count = count
        capacity = count
        isMapped = true
    }

    deinit { release(base, capacity: capacity, isMapped: isMapped) }

    private func allocate(_ size: Int) {
        if size >= Self.mappingThreshold {
            let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
            if let mapped, mapped != MAP_FAILED {
                #if os(Linux)
                _ = madvise(mapped, size, MADV_HUGEPAGE)
                #endif
                base = mapped
                capacity = size
                isMapped = true
                return
            }
        }
        guard let allocated = malloc(max(size, 1)) else { fatalError("out of memory allocating an import arena of \(size) bytes") }
        base = allocated
        capacity = size
        isMapped = false
    }

    private func release(_ pointer: UnsafeMutableRawPointer?, capacity: Int, isMapped: Bool) {
        guard let pointer else { return }
        if isMapped { munmap(pointer, capacity) } else { free(pointer) }
    }

    /// Room for `size` more bytes at the end, to be written and then kept with `commit(size)`.
    @inline(__always)
    func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        if count + size > capacity { grow(count + size) }
        return base! + count
    }

    @inline(__always)
    func commit(_ size: Int) { count += size }

    private func grow(_ needed: Int) {
        let old = (base, capacity, isMapped)
        allocate(max(needed, capacity * 2, 4096))
        if let from = old.0, count > 0 { base!.copyMemory(from: from, byteCount: count) }
        release(old.0, capacity: old.1, isMapped: old.2)
    }

    /// Empties the arena, keeping its memory.
    func removeAll() { count = 0 }

    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let from = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count).copyMemory(from: from, byteCount: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1).storeBytes(of: byte, as: UInt8.self)
        count += 1
    }

    @inline(__always)
    func bytes(at offset: Int, count length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.map { UnsafeRawPointer($0) + offset }, count: length)
    }
}

/// Encoded records and index entries gathered from one shard of the input, ready to be sorted and appended.
///
/// Records are encoded straight into one growing arena; an `Entry` locates each by shard, offset and length, so
/// sorting moves 24-byte entries rather than records.
struct ResidentBatch {
    struct Entry {
        var id: UInt64
        /// shard << 56 | offset << 16 | length
        var location: UInt64
        var line: Int

        var shard: Int { Int(location >> 56) }
        var offset: Int { Int((location >> 16) & 0xFF_FFFF_FFFF) }
        var length: Int { Int(location & 0xFFFF) }
    }

    /// One secondary-index entry: index key → ID number, with its source line for error messages.
    struct IndexEntry {
        var key: UInt64
        var id: UInt64
        var line: Int

        /// Phone index order: by phone, then resident (the store's duplicate-sorted values).
        static func phoneOrder(_ a: IndexEntry, _ b: IndexEntry) -> Bool { a.key != b.key ? a.key < b.key : a.id < b.id }
        /// Legacy-ID index order: by number, then input line (a number given twice names its first line).
        static func legacyOrder(_ a: IndexEntry, _ b: IndexEntry) -> Bool {
            a.key != b.key ? a.key < b.key : a.line < b.line
        }
    }

    let shard: Int
    let sequence: UInt64
    let arena: ByteArena
    var entries: [Entry] = []
    var phoneEntries: [IndexEntry] = []
    var legacyEntries: [IndexEntry] = []
    /// Whether entries arrived in strictly ascending ID order (then the sort can be skipped).
    var isSorted = true
    var rejects: [InputError] = []
    /// Scratch space for encoding `ResidentRecord`s.
    private var scratch: [UInt8] = []

    init(shard: Int, sequence: UInt64, arenaCapacity: Int = 0) {
        self.init(shard: shard, sequence: sequence, arena: ByteArena(capacity: arenaCapacity))
    }

    init(shard: Int, sequence: UInt64, arena: ByteArena) {
        self.shard = shard
        self.sequence = sequence
        self.arena = arena
    }

    /// Encodes `record` (stamped with the import's sequence) and queues its index entries.
    mutating func add(_ record: ResidentRecord, line: Int) throws(InputError) {
        var record = record
        record.sequence = sequence
        scratch.removeAll(keepingCapacity: true)
        do {
            try record.encode(into: &scratch)
        } catch {
            throw InputError(line: line, reason: "record too large to store (\(error))")
        }
        let offset = arena.count
        scratch.withUnsafeBytes { bytes in
            arena.reserve(bytes.count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            arena.commit(bytes.count)
        }
        let id = record.idNumber.value
        appendEntry(id: id, offset: offset, length: scratch.count, line: line)
        for phone in record.phoneNumbers {
            if let key = IndexKey.phone(phone) { phoneEntries.append(IndexEntry(key: key, id: id, line: line)) }
        }
        if let legacy = record.legacyIdNumber, let key = IndexKey.legacyID(legacy) {
            legacyEntries.append(IndexEntry(key: key, id: id, line: line))
        }
    }

    /// Checks a decoded row, encodes it straight from its bytes (stamped with the import's sequence) and queues
    /// its index entries.
    @inline(__always)
    mutating func add(_ values: ResidentRowValues) throws(InputError) {
        let offset = arena.count
        let length = try values.encode(into: arena, sequence: sequence)
        let line = values.line
        let id = values.validatedIDNumber.value
        appendEntry(id: id, offset: offset, length: length, line: line)
        for key in values.phoneKeys { phoneEntries.append(IndexEntry(key: key, id: id, line: line)) }
        if let key = values.legacyKey { legacyEntries.append(IndexEntry(key: key, id: id, line: line)) }
    }

    @inline(__always)
    private mutating func appendEntry(id: UInt64, offset: Int, length: Int, line: Int) {
        if let last = entries.last, last.id >= id { isSorted = false }
        entries.append(Entry(id: id, location: UInt64(shard) << 56 | UInt64(offset) << 16 | UInt64(length), line: line))
    }

    /// Shifts shard-relative line numbers to file line numbers.
    mutating func offsetLines(by lines: Int) {
        guard lines != 0 else { return }
        for i in entries.indices { entries[i].line += lines }
        for i in phoneEntries.indices { phoneEntries[i].line += lines }
        for i in legacyEntries.indices { legacyEntries[i].line += lines }
        for i in rejects.indices { rejects[i].line += lines }
    }

    /// Sorts the shard's entries into append order: records by ID number (then line), phone entries by key and
    /// ID, legacy entries by key (then line). Shards are sorted in parallel, then merged by the writer.
    mutating func sort() {
        if !isSorted {
            entries.sort { $0.id != $1.id ? $0.id < $1.id : $0.line < $1.line }
            isSorted = true
        }
        phoneEntries.sort(by: IndexEntry.phoneOrder)
        legacyEntries.sort(by: IndexEntry.legacyOrder)
    }
}

/// The shards' sorted entries merged into one stream in key order, as the writer appends them.
///
/// A k-way merge over the shards (each already sorted; earlier shards hold earlier lines, so ties go to the lower
/// shard and equal keys come out in line order). Duplicates are found as they pass: a duplicate ID number (or a
/// legacy number given to two residents) fails the import naming both lines.
struct MergedEntries<Element> {
    private let shards: [[Element]]
    private var positions: [Int]
    /// Shard indexes ordered as a binary min-heap by their current element.
    private var heap: [Int]
    private let precedes: (Element, Element) -> Bool

    init(_ shards: [[Element]], by precedes: @escaping (Element, Element) -> Bool) {
        self.shards = shards
        self.precedes = precedes
        positions = Array(repeating: 0, count: shards.count)
        heap = shards.indices.filter { !shards[$0].isEmpty }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    var count: Int { shards.reduce(0) { $0 + $1.count } }

    @inline(__always)
    private func less(_ a: Int, _ b: Int) -> Bool {
        let x = shards[a][positions[a]]
        let y = shards[b][positions[b]]
        if precedes(x, y) { return true }
        if precedes(y, x) { return false }
        return a < b
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, less(heap[left + 1], heap[left]) { smallest = left + 1 }
            guard less(heap[smallest], heap[parent]) else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }

    /// The next element in merged order.
    @inline(__always)
    mutating func next() -> Element? {
        guard let top = heap.first else { return nil }
        let element = shards[top][positions[top]]
        positions[top] += 1
        if positions[top] == shards[top].count {
            heap[0] = heap[heap.count - 1]
            heap.removeLast()
        }
        if heap.count > 1 { siftDown(0) }
        return element
    }
}
