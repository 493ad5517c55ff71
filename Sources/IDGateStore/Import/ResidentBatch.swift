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
    }

    let shard: Int
    let sequence: UInt64
    var arena: [UInt8] = []
    var entries: [Entry] = []
    var phoneEntries: [IndexEntry] = []
    var legacyEntries: [IndexEntry] = []
    /// Whether entries arrived in strictly ascending ID order (then the sort can be skipped).
    var isSorted = true
    var rejects: [InputError] = []

    init(shard: Int, sequence: UInt64) {
        self.shard = shard
        self.sequence = sequence
    }

    /// Encodes `record` (stamped with the import's sequence) and queues its index entries.
    mutating func add(_ record: ResidentRecord, line: Int) throws(InputError) {
        var record = record
        record.sequence = sequence
        let offset = arena.count
        do {
            try record.encode(into: &arena)
        } catch {
            arena.removeSubrange(offset...)
            throw InputError(line: line, reason: "record too large to store (\(error))")
        }
        let length = arena.count - offset
        let id = record.idNumber.value
        if let last = entries.last, last.id >= id { isSorted = false }
        entries.append(Entry(id: id, location: UInt64(shard) << 56 | UInt64(offset) << 16 | UInt64(length), line: line))
        for phone in record.phoneNumbers {
            if let key = IndexKey.phone(phone) { phoneEntries.append(IndexEntry(key: key, id: id, line: line)) }
        }
        if let legacy = record.legacyIdNumber, let key = IndexKey.legacyID(legacy) {
            legacyEntries.append(IndexEntry(key: key, id: id, line: line))
        }
    }

    /// Shifts shard-relative line numbers to file line numbers.
    mutating func offsetLines(by lines: Int) {
        guard lines != 0 else { return }
        for i in entries.indices { entries[i].line += lines }
        for i in phoneEntries.indices { phoneEntries[i].line += lines }
        for i in legacyEntries.indices { legacyEntries[i].line += lines }
        for i in rejects.indices { rejects[i].line += lines }
    }
}

/// All shards merged and sorted by key, with duplicates found; what the writer appends.
struct SortedImport {
    var arenas: [[UInt8]]
    var entries: [ResidentBatch.Entry]
    var phoneEntries: [ResidentBatch.IndexEntry]
    var legacyEntries: [ResidentBatch.IndexEntry]

    /// Merges the shards' batches and sorts them. Duplicate ID numbers (and legacy numbers claimed by two
    /// residents) fail the import naming both lines.
    init(batches: [ResidentBatch]) throws(InputError) {
        arenas = batches.map(\.arena)
        let alreadySorted = batches.count == 1 && batches[0].isSorted
        entries = batches.count == 1 ? batches[0].entries : batches.flatMap(\.entries)
        if !alreadySorted {
            entries.sort { $0.id != $1.id ? $0.id < $1.id : $0.line < $1.line }
        }
        for (previous, next) in zip(entries, entries.dropFirst()) where previous.id == next.id {
            throw InputError(
                line: next.line, field: ResidentField.idNumber.name,
                reason: "duplicate ID number \(IDNumber(unchecked: next.id)), first given on line \(previous.line)")
        }
        phoneEntries = batches.flatMap(\.phoneEntries)
        phoneEntries.sort { $0.key != $1.key ? $0.key < $1.key : $0.id < $1.id }
        legacyEntries = batches.flatMap(\.legacyEntries)
        legacyEntries.sort { $0.key != $1.key ? $0.key < $1.key : $0.line < $1.line }
        for (previous, next) in zip(legacyEntries, legacyEntries.dropFirst()) where previous.key == next.key {
            throw InputError(
                line: next.line, field: ResidentField.legacyIdNumber.name,
                reason: "legacy ID number also given to another resident on line \(previous.line)")
        }
    }
}
