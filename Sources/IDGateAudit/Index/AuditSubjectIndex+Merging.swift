import CLMDB
import Foundation
import IDGateStore
#if canImport(Glibc)
import Glibc
#endif

/// Merging a level's runs into one run of the next level, a bounded number of entries per index commit.
///
/// When a level's receiving side holds `fanIn` runs, the level swaps sides: the full side becomes the merging side
/// and new runs go to the other (empty) one. Each commit then copies up to its share of work of the merging side's
/// entries, smallest key first across its runs, into a new run at the end of the next level's receiving side
/// (`MDB_APPEND`: full pages), and remembers the last key copied. When the merging side is exhausted it is emptied
/// with one `mdb_drop` (its pages freed, not its entries deleted one by one) and the merge ends.
///
/// Everything happens in the index commit's transaction, so a crash leaves the state of the last commit: the merge
/// resumes after its last copied key. While it runs, its entries are in both levels (the history read keeps one of
/// each sequence). A level may not start a merge while the level below is still writing its output into it (that run
/// would be merged half-written).
extension AuditSubjectIndex {
    /// A level's merge state, stored in `meta` under `level ‖ <level>`; absent: side 0 receives, nothing merges.
    struct LevelState: Equatable {
        /// The side (0 or 1) that receives new runs; while merging, the other side holds the runs being merged.
        var receiving = 0
        var merging = false
        /// The run of the next level that the merge writes.
        var output: UInt64 = 0
        /// The last `subjectHash ‖ sequence` the merge copied (nil before the first).
        var resume: [UInt8]?

        init() {}

        /// `receiving u8 ‖ merging u8 ‖ output u64 LE ‖ resume[40]?`
        init?(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count == 10 || bytes.count == 50, bytes[0] <= 1, bytes[1] <= 1 else { return nil }
            receiving = Int(bytes[0])
            merging = bytes[1] == 1
            output = bytes.loadLittleEndian(UInt64.self, at: 2)
            resume = bytes.count == 50 ? Array(bytes[10..<50]) : nil
        }

        var encoded: [UInt8] {
            var bytes: [UInt8] = [UInt8(receiving), merging ? 1 : 0]
            bytes.appendLittleEndian(output)
            if let resume { bytes += resume }
            return bytes
        }
    }

    private static func levelKey(_ level: Int) -> [UInt8] { Array("level".utf8) + [UInt8(level)] }

    func levelStates(_ txn: OpaquePointer?) throws -> [LevelState] {
        try (0..<Self.levelCount).map { level in
            guard let bytes = Self.get(txn, meta, Self.levelKey(level)) else { return LevelState() }
            guard let state = LevelState(bytes) else { throw LMDBError(operation: "read index level \(level)", code: EINVAL) }
            return state
        }
    }

    /// Starts the merges that are due and does up to `work` entries of the running ones, lowest level first (its
    /// merges are the smallest and keep level 0 short), then stores the states that changed.
    func merge(_ states: inout [LevelState], work: Int, txn: OpaquePointer?) throws {
        let before = states
        for level in 0..<Self.levelCount - 1 where !states[level].merging {
            if level > 0 && states[level - 1].merging { continue }
            guard try runIDs(in: runs[level][states[level].receiving], txn: txn).count >= policy.fanIn,
                  try nextRunID(in: runs[level][1 - states[level].receiving], txn: txn) == 1
            else { continue }
            states[level].receiving ^= 1
            states[level].merging = true
            states[level].output = try nextRunID(in: runs[level + 1][states[level + 1].receiving], txn: txn)
            states[level].resume = nil
        }
        var remaining = work
        for level in 0..<Self.levelCount - 1 where states[level].merging && remaining > 0 {
            remaining = try copy(
                level: level, state: &states[level], into: runs[level + 1][states[level + 1].receiving],
                work: remaining, txn: txn)
        }
        for level in states.indices where states[level] != before[level] {
            try Self.put(txn, meta, Self.levelKey(level), states[level].encoded)
        }
    }

    /// Copies up to `work` entries of `level`'s merging side into run `state.output` of `target`, ending the merge
    /// when the side is exhausted. Returns the work left.
    private func copy(level: Int, state: inout LevelState, into target: MDB_dbi, work: Int, txn: OpaquePointer?) throws -> Int {
        let source = runs[level][1 - state.receiving]
        let inputs = try MergeInputs(dbi: source, runs: try runIDs(in: source, txn: txn), after: state.resume, txn: txn)
        var output: OpaquePointer?
        try Self.check(mdb_cursor_open(txn, target, &output), "open index cursor")
        defer { mdb_cursor_close(output) }
        var key = [UInt8](repeating: 0, count: Self.keyLength)
        key.withUnsafeMutableBytes { $0.storeBytes(of: state.output.bigEndian, toByteOffset: 0, as: UInt64.self) }
        var value: [UInt8] = []
        var remaining = work
        while remaining > 0, let smallest = inputs.smallest() {
            // Copy the entry before writing: LMDB values are valid only until the next update.
            try inputs.currentValue(smallest, into: &value)
            key.withUnsafeMutableBytes { inputs.copyTail(smallest, to: $0.baseAddress! + 8) }
            try key.withUnsafeBytes { keyBytes in
                try value.withUnsafeBytes { valueBytes in
                    var k = Self.value(keyBytes), v = Self.value(valueBytes)
                    try Self.check(mdb_cursor_put(output, &k, &v, UInt32(MDB_APPEND)), "merge index run")
                }
            }
            try key.withUnsafeBytes { try inputs.advance(past: $0.baseAddress! + 8) }
            remaining -= 1
        }
        if inputs.exhausted {
            try Self.check(mdb_drop(txn, source, 0), "empty merged index runs")
            state.merging = false
            state.output = 0
            state.resume = nil
        } else {
            state.resume = Array(key[8..<Self.keyLength])
        }
        return remaining
    }
}

/// The runs of a merging side, one cursor each, walked together in key order (`subjectHash ‖ sequence`).
private final class MergeInputs {
    private static let keyLength = AuditSubjectIndex.keyLength
    private var cursors: [OpaquePointer?] = []
    private let runs: [UInt64]
    /// Each input's current key, 48 bytes at `index * 48` (no allocation per entry).
    private var keys: [UInt8]
    /// The first 8 bytes of each input's subject hash as an integer: most comparisons of two inputs end there,
    /// so the 40-byte memcmp runs only on equal prefixes (it was two memcmps per input per copied entry).
    private var prefixes: [UInt64]
    /// False once the input's run is exhausted.
    private var live: [Bool]

    init(dbi: MDB_dbi, runs: [UInt64], after resume: [UInt8]?, txn: OpaquePointer?) throws {
        self.runs = runs
        keys = Array(repeating: 0, count: runs.count * Self.keyLength)
        prefixes = Array(repeating: 0, count: runs.count)
        live = Array(repeating: false, count: runs.count)
        for index in runs.indices {
            var cursor: OpaquePointer?
            try AuditSubjectIndex.check(mdb_cursor_open(txn, dbi, &cursor), "open index cursor")
            cursors.append(cursor)
            var seek = [UInt8](repeating: 0, count: 8)
            seek.withUnsafeMutableBytes { $0.storeBytes(of: runs[index].bigEndian, toByteOffset: 0, as: UInt64.self) }
            if let resume { seek += resume }
            try seek.withUnsafeBytes { seekBytes in
                var key = AuditSubjectIndex.value(seekBytes), value = MDB_val()
                try load(index, mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE), key)
            }
            if let resume, live[index], tail(index, equals: resume) { try step(index) }
        }
    }

    deinit { for cursor in cursors { mdb_cursor_close(cursor) } }

    var exhausted: Bool { !live.contains(true) }

    /// The input with the smallest key; of equal keys (a sequence in two runs) the later run's.
    func smallest() -> Int? {
        keys.withUnsafeBytes { keys in
            var best: Int?
            for index in live.indices where live[index] {
                if let current = best {
                    let (candidate, leader) = (prefixes[index], prefixes[current])
                    if candidate > leader { continue }
                    if candidate == leader,
                       memcmp(keys.baseAddress! + index * Self.keyLength + 8, keys.baseAddress! + current * Self.keyLength + 8, 40) > 0 {
                        continue
                    }
                }
                best = index
            }
            return best
        }
    }

    func currentValue(_ index: Int, into value: inout [UInt8]) throws {
        var key = MDB_val(), data = MDB_val()
        try AuditSubjectIndex.check(mdb_cursor_get(cursors[index], &key, &data, MDB_GET_CURRENT), "read index run")
        value.removeAll(keepingCapacity: true)
        value.append(contentsOf: UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size))
    }

    func copyTail(_ index: Int, to destination: UnsafeMutableRawPointer) {
        keys.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress! + index * Self.keyLength + 8, byteCount: 40) }
    }

    /// Moves every input whose key's tail is `tail` (40 bytes) to its next entry.
    func advance(past tail: UnsafeRawPointer) throws {
        let prefix = UnsafeRawBufferPointer(start: tail, count: 8).loadBigEndian(UInt64.self, at: 0)
        for index in live.indices where live[index] && prefixes[index] == prefix {
            let equal = keys.withUnsafeBytes { memcmp($0.baseAddress! + index * Self.keyLength + 8, tail, 40) == 0 }
            if equal { try step(index) }
        }
    }

    private func tail(_ index: Int, equals bytes: [UInt8]) -> Bool {
        keys[index * Self.keyLength + 8..<(index + 1) * Self.keyLength].elementsEqual(bytes)
    }

    private func step(_ index: Int) throws {
        var key = MDB_val(), value = MDB_val()
        try load(index, mdb_cursor_get(cursors[index], &key, &value, MDB_NEXT), key)
    }

    /// Keeps the key the cursor reached if it is still in the input's run.
    private func load(_ index: Int, _ rc: Int32, _ key: MDB_val) throws {
        live[index] = false
        guard rc != MDB_NOTFOUND else { return }
        try AuditSubjectIndex.check(rc, "walk index run")
        let bytes = UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size)
        guard bytes.count == Self.keyLength, bytes.loadBigEndian(UInt64.self, at: 0) == runs[index] else { return }
        keys.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: index * Self.keyLength).copyMemory(from: bytes.baseAddress!, byteCount: Self.keyLength) }
        prefixes[index] = bytes.loadBigEndian(UInt64.self, at: 8)
        live[index] = true
    }
}
