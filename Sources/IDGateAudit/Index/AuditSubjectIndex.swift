import CLMDB
import Foundation
import IDGateCore
import IDGateStore
#if canImport(Glibc)
import Glibc
#endif

/// Subject hash → that subject's audit records, in an LMDB environment beside the segments (`DIR/subject-index`).
///
/// Why a copy of the records and not pointers into the segments: a history page then costs one read transaction
/// and a few backwards cursor walks over adjacent keys (pages of the memory map), never a file read per record,
/// so a subject's page stays fast whatever the log's size. The segments stay the source of truth: the index is
/// derived from them, holds no more than they do (the subject's keyed hash, never an ID number), and is rebuilt
/// from them when it is missing, damaged, behind or belongs to another log.
///
/// Why sorted runs and not one B-tree keyed by subject: records arrive in log order and their subjects are random,
/// so in one tree every record dirtied a leaf page of its own once the tree outgrew a commit (~4 KiB written and a
/// page copied per record: the index was most of the audit's cost per request and the disk writes that lengthened
/// every answer's fsync). Here each commit appends its records, sorted by subject, as one new *run* at the end of
/// level 0 (pages written once and filled); `fanIn` runs of a level are merged, a bounded amount of work per commit,
/// into one run of the next level (`AuditSubjectIndex+Merging.swift`). A record is written once per level, in full
/// pages, instead of costing a page per insert; a history read looks up the subject in every run (a few dozen
/// cursor positionings) and merges what it finds by sequence.
///
/// Layout: per level two LMDB databases (`L<level>a`, `L<level>b`): one receives new runs, the other holds the runs
/// being merged into the next level and is emptied in one step when the merge ends. Keys: `run (u64 big-endian) ‖
/// subjectHash[32] ‖ sequence (u64 big-endian)`, so a run's records are sorted by subject, then in log order.
/// Values: the record's payload exactly as in the segment (`AuditFrame`). The `meta` database holds the sequence and
/// chain hash of the last record indexed, the layout's version and each level's merge state. Written by one thread
/// only (`AuditFollower`); read from any.
final class AuditSubjectIndex: @unchecked Sendable {
    /// Where the last indexed record sits in the chain.
    struct Position: Equatable, Sendable {
        var sequence: UInt64
        var hash: SHA256Key
        static let start = Position(sequence: 0, hash: .zero)
    }

    /// How much merging the index does: `fanIn` runs of a level become one run of the next, and a commit of `n`
    /// records copies at most `work(forRecords: n)` entries of merging (enough to keep up: a record is copied once
    /// per level, and there are at most `levelCount - 1` merges).
    struct MergePolicy: Sendable {
        var fanIn = 16
        var minimumWork = 8192
        var workPerRecord = 16

        func work(forRecords count: Int) -> Int { max(minimumWork, workPerRecord * count) }
        static let standard = MergePolicy()
    }

    static let directoryName = "subject-index"
    /// Levels of runs; the last one is never merged (at a fan-in of 16 its runs hold 16^7 commits' records each).
    static let levelCount = 8
    /// `run ‖ subjectHash ‖ sequence`.
    static let keyLength = 48
    private static let positionKey = Array("through".utf8)
    private static let layoutKey = Array("layout".utf8)
    /// An index written with another layout (the single B-tree before 3 December 2026) is rebuilt.
    private static let layout = Array("runs-1".utf8)
    /// Virtual address space only: LMDB grows the file as pages are used.
    private static let mapSize = 1 << 40

    let url: URL
    let policy: MergePolicy
    let environment: OpaquePointer
    /// `runs[level][side]`.
    let runs: [[MDB_dbi]]
    let meta: MDB_dbi

    /// Opens (creating) the index in `auditDirectory`. Throws when the environment cannot be opened (damaged).
    init(auditDirectory: URL, policy: MergePolicy = .standard) throws {
        url = auditDirectory.appendingPathComponent(Self.directoryName)
        self.policy = policy
        try OwnerOnlyFiles.createDirectory(atPath: url.path)
        var env: OpaquePointer?
        try Self.check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(operation: "mdb_env_create", code: EINVAL) }
        do {
            try Self.check(mdb_env_set_maxdbs(env, MDB_dbi(2 * Self.levelCount + 2)), "mdb_env_set_maxdbs")
            try Self.check(mdb_env_set_maxreaders(env, 1024), "mdb_env_set_maxreaders")
            try Self.check(mdb_env_set_mapsize(env, Self.mapSize), "mdb_env_set_mapsize")
            // NOTLS: event loops read with short transactions of their own. NOMETASYNC: a crash may undo the last
            // index commit (never corrupt it); the catch-up from the segments redoes it. NORDAHEAD: lookups read a few
            // pages anywhere in a file larger than memory; read-ahead would read many more around each.
            let flags = UInt32(MDB_NOTLS) | UInt32(MDB_NOMETASYNC) | UInt32(MDB_NORDAHEAD)
            try Self.check(mdb_env_open(env, url.path, flags, OwnerOnlyFiles.fileMode), "open subject index at \(url.path)")
            var txn: OpaquePointer?
            try Self.check(mdb_txn_begin(env, nil, 0, &txn), "begin transaction")
            var runs: [[MDB_dbi]] = []
            var meta: MDB_dbi = 0
            do {
                for level in 0..<Self.levelCount {
                    var sides: [MDB_dbi] = []
                    for side in ["a", "b"] {
                        var dbi: MDB_dbi = 0
                        try Self.check(mdb_dbi_open(txn, "L\(level)\(side)", UInt32(MDB_CREATE), &dbi), "open runs")
                        sides.append(dbi)
                    }
                    runs.append(sides)
                }
                try Self.check(mdb_dbi_open(txn, "meta", UInt32(MDB_CREATE), &meta), "open meta")
                if Self.get(txn, meta, Self.layoutKey).map(Array.init) != Self.layout {
                    // Another layout's position must not be continued: without it the follower rebuilds the index.
                    try Self.delete(txn, meta, Self.positionKey)
                    try Self.put(txn, meta, Self.layoutKey, Self.layout)
                }
                try Self.check(mdb_txn_commit(txn), "commit")
            } catch {
                mdb_txn_abort(txn)
                throw error
            }
            self.runs = runs
            self.meta = meta
        } catch {
            mdb_env_close(env)
            throw error
        }
        environment = env
    }

    deinit { mdb_env_close(environment) }

    /// Removes the index of `auditDirectory` (it is rebuilt from the segments).
    static func remove(auditDirectory: URL) {
        try? FileManager.default.removeItem(at: auditDirectory.appendingPathComponent(directoryName))
    }

    /// The last record indexed (`.start` for an empty index).
    func position() throws -> Position {
        try read { txn in
            guard let bytes = Self.get(txn, meta, Self.positionKey) else { return .start }
            guard bytes.count == 40 else { throw LMDBError(operation: "read index position", code: EINVAL) }
            return Position(
                sequence: bytes.loadLittleEndian(UInt64.self, at: 0),
                hash: SHA256Key(bytes: UnsafeRawBufferPointer(rebasing: bytes[8..<40]))!)
        }
    }

    /// Adds the frames of `frames` that have a subject as one new run of level 0, stores `position` (the last
    /// frame's, or the log's head) and does a bounded share of the pending merges, in one transaction.
    func add(_ frames: AuditFrameList, position: Position) throws {
        try write { txn in
            var states = try levelStates(txn)
            let added = try appendRun(frames, to: runs[0][states[0].receiving], txn: txn)
            var stored: [UInt8] = []
            stored.appendLittleEndian(position.sequence)
            stored.append(position.hash)
            try Self.put(txn, meta, Self.positionKey, stored)
            try merge(&states, work: policy.work(forRecords: added), txn: txn)
        }
    }

    /// Appends the frames with a subject, sorted by subject hash then sequence, as a new run; returns their count.
    private func appendRun(_ frames: AuditFrameList, to dbi: MDB_dbi, txn: OpaquePointer?) throws -> Int {
        let withSubject = frames.frames.filter(\.hasSubject)
        guard !withSubject.isEmpty else { return 0 }
        let run = try nextRunID(in: dbi, txn: txn)
        return try frames.bytes.withUnsafeBytes { all in
            let base = all.baseAddress!
            let subjectOffset = AuditFrame.subjectHashRange.lowerBound
            // Sorted by the hash's first 8 bytes as an integer (the whole hash only where those are equal): a record's
            // sort key costs one load instead of a memcmp per comparison.
            let sorted = withSubject.map { frame in
                (prefix: UnsafeRawBufferPointer(start: base + frame.payload.lowerBound + subjectOffset, count: 8)
                    .loadBigEndian(UInt64.self, at: 0), frame: frame)
            }.sorted { a, b in
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                let order = memcmp(base + a.frame.payload.lowerBound + subjectOffset, base + b.frame.payload.lowerBound + subjectOffset, 32)
                return order != 0 ? order < 0 : a.frame.sequence < b.frame.sequence
            }.map(\.frame)
            var cursor: OpaquePointer?
            try Self.check(mdb_cursor_open(txn, dbi, &cursor), "open index cursor")
            defer { mdb_cursor_close(cursor) }
            var key = [UInt8](repeating: 0, count: Self.keyLength)
            for frame in sorted {
                key.withUnsafeMutableBytes { key in
                    key.storeBytes(of: run.bigEndian, toByteOffset: 0, as: UInt64.self)
                    key.baseAddress!.advanced(by: 8).copyMemory(from: base + frame.payload.lowerBound + subjectOffset, byteCount: 32)
                    key.storeBytes(of: frame.sequence.bigEndian, toByteOffset: 40, as: UInt64.self)
                }
                try key.withUnsafeBytes { key in
                    var k = Self.value(key)
                    var v = Self.value(UnsafeRawBufferPointer(rebasing: all[frame.payload]))
                    try Self.check(mdb_cursor_put(cursor, &k, &v, UInt32(MDB_APPEND)), "index record \(frame.sequence)")
                }
            }
            return sorted.count
        }
    }

    /// Appends a rebuild's bucket (`AuditSubjectIndexRebuild`: entries `subjectHash[32] ‖ sequence (u64 BE) ‖
    /// length (u32 LE) ‖ payload`, in any order) to run `run` of the last level, in ascending key order with
    /// `MDB_APPEND`: buckets are appended in key order, so the whole rebuild is one run whose pages are written once
    /// and filled. Of two entries with the same key (a sequence number written twice by an old log), the later one
    /// is kept, as the incremental path would.
    func appendSorted(spilled bytes: [UInt8], run: UInt64 = 1) throws {
        let dbi = runs[Self.levelCount - 1][0]
        try bytes.withUnsafeBytes { all in
            var offsets: [Int] = []
            var offset = 0
            while all.count - offset >= 44 {
                let length = Int(all.loadLittleEndian(UInt32.self, at: offset + 40))
                guard offset + 44 + length <= all.count else { break }
                offsets.append(offset)
                offset += 44 + length
            }
            let base = all.baseAddress!
            offsets.sort { a, b in
                let order = memcmp(base + a, base + b, 40)
                return order != 0 ? order < 0 : a < b
            }
            var key = [UInt8](repeating: 0, count: Self.keyLength)
            key.withUnsafeMutableBytes { $0.storeBytes(of: run.bigEndian, toByteOffset: 0, as: UInt64.self) }
            var position = 0
            while position < offsets.count {
                let end = min(position + Self.appendsPerTransaction, offsets.count)
                try write { txn in
                    var cursor: OpaquePointer?
                    try Self.check(mdb_cursor_open(txn, dbi, &cursor), "open index cursor")
                    defer { mdb_cursor_close(cursor) }
                    for index in position..<end {
                        let entry = offsets[index]
                        if index + 1 < offsets.count, memcmp(base + entry, base + offsets[index + 1], 40) == 0 { continue }
                        key.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: 8).copyMemory(from: base + entry, byteCount: 40) }
                        try key.withUnsafeBytes { key in
                            var k = Self.value(key)
                            var v = MDB_val(
                                mv_size: Int(all.loadLittleEndian(UInt32.self, at: entry + 40)),
                                mv_data: UnsafeMutableRawPointer(mutating: base + entry + 44))
                            try Self.check(mdb_cursor_put(cursor, &k, &v, UInt32(MDB_APPEND)), "append index record")
                        }
                    }
                }
                position = end
            }
        }
    }

    /// Appends dirty only the tree's right edge, so a transaction can hold many more than random inserts.
    private static let appendsPerTransaction = 200_000

    /// Up to `limit` records of `subjectHash` with a sequence below `before` (nil: from the newest), newest first,
    /// none older than `notBefore`; `more` says whether older records in the window remain.
    ///
    /// Every run of every level is looked up (a record being merged is in two runs at once: kept once).
    func records(
        subjectHash: [UInt8], before: UInt64?, notBefore: Date, limit: Int
    ) throws -> (entries: [AuditEntry], more: Bool) {
        precondition(subjectHash.count == 32)
        let notBeforeMicros = Int64((notBefore.timeIntervalSince1970 * 1e6).rounded(.down))
        let wanted = max(1, limit)
        return try read { txn in
            var found: [(sequence: UInt64, payload: UnsafeRawBufferPointer)] = []
            var start = [UInt8](repeating: 0, count: Self.keyLength)
            start.replaceSubrange(8..<40, with: subjectHash)
            start.withUnsafeMutableBytes { $0.storeBytes(of: (before ?? UInt64.max).bigEndian, toByteOffset: 40, as: UInt64.self) }
            for dbi in runs.joined() {
                var cursor: OpaquePointer?
                try Self.check(mdb_cursor_open(txn, dbi, &cursor), "open index cursor")
                defer { mdb_cursor_close(cursor) }
                for run in try runIDs(in: dbi, txn: txn) {
                    start.withUnsafeMutableBytes { $0.storeBytes(of: run.bigEndian, toByteOffset: 0, as: UInt64.self) }
                    try start.withUnsafeBytes { startBytes in
                        var key = Self.value(startBytes)
                        var value = MDB_val()
                        // The first key at or after the start, then one step back: the newest record before `before`.
                        var rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE)
                        rc = rc == MDB_NOTFOUND ? mdb_cursor_get(cursor, &key, &value, MDB_LAST) : mdb_cursor_get(cursor, &key, &value, MDB_PREV)
                        var taken = 0
                        while rc == 0, taken <= wanted {
                            let keyBytes = UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size)
                            guard keyBytes.count == Self.keyLength, memcmp(keyBytes.baseAddress!, startBytes.baseAddress!, 40) == 0 else { break }
                            let payload = UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
                            guard payload.count >= 16, payload.loadLittleEndian(Int64.self, at: 8) >= notBeforeMicros else { break }
                            found.append((keyBytes.loadBigEndian(UInt64.self, at: 40), payload))
                            taken += 1
                            rc = mdb_cursor_get(cursor, &key, &value, MDB_PREV)
                        }
                        if rc != 0 && rc != MDB_NOTFOUND { try Self.check(rc, "walk index cursor") }
                    }
                }
            }
            found.sort { $0.sequence > $1.sequence }
            var entries: [AuditEntry] = []
            var last: UInt64?
            for (sequence, payload) in found where sequence != last {
                last = sequence
                if entries.count == wanted { return (entries, true) }
                if let entry = AuditFrame.decodePayload(payload) { entries.append(entry) }
            }
            return (entries, false)
        }
    }

    /// How many runs each level holds on each side (`[level][side]`): for tests and tools.
    func runCounts() throws -> [[Int]] {
        try read { txn in try runs.map { sides in try sides.map { try runIDs(in: $0, txn: txn).count } } }
    }

    // MARK: - LMDB helpers (also used by the merging extension)

    /// The run numbers present in `dbi`, ascending: one cursor positioning per run.
    func runIDs(in dbi: MDB_dbi, txn: OpaquePointer?) throws -> [UInt64] {
        var cursor: OpaquePointer?
        try Self.check(mdb_cursor_open(txn, dbi, &cursor), "open index cursor")
        defer { mdb_cursor_close(cursor) }
        var ids: [UInt64] = []
        var next: UInt64 = 0
        while true {
            var seek = next.bigEndian
            let rc = withUnsafeMutableBytes(of: &seek) { seekBytes -> Int32 in
                var key = MDB_val(mv_size: 8, mv_data: seekBytes.baseAddress)
                var value = MDB_val()
                let rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE)
                if rc == 0 {
                    next = UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size).loadBigEndian(UInt64.self, at: 0)
                }
                return rc
            }
            if rc == MDB_NOTFOUND { return ids }
            try Self.check(rc, "list index runs")
            ids.append(next)
            if next == .max { return ids }
            next += 1
        }
    }

    /// One above the highest run number in `dbi` (1 when it is empty).
    func nextRunID(in dbi: MDB_dbi, txn: OpaquePointer?) throws -> UInt64 {
        var cursor: OpaquePointer?
        try Self.check(mdb_cursor_open(txn, dbi, &cursor), "open index cursor")
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val(), value = MDB_val()
        let rc = mdb_cursor_get(cursor, &key, &value, MDB_LAST)
        if rc == MDB_NOTFOUND { return 1 }
        try Self.check(rc, "read the last index run")
        return UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size).loadBigEndian(UInt64.self, at: 0) + 1
    }

    func read<R>(_ body: (OpaquePointer?) throws -> R) throws -> R {
        var txn: OpaquePointer?
        try Self.check(mdb_txn_begin(environment, nil, UInt32(MDB_RDONLY), &txn), "begin index read")
        defer { mdb_txn_abort(txn) }
        return try body(txn)
    }

    func write<R>(_ body: (OpaquePointer?) throws -> R) throws -> R {
        var txn: OpaquePointer?
        try Self.check(mdb_txn_begin(environment, nil, 0, &txn), "begin index transaction")
        do {
            let result = try body(txn)
            let committing = txn
            txn = nil
            try Self.check(mdb_txn_commit(committing), "commit index transaction")
            return result
        } catch {
            if let txn { mdb_txn_abort(txn) }
            throw error
        }
    }

    static func value(_ bytes: UnsafeRawBufferPointer) -> MDB_val {
        MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
    }

    /// The value stored under `key` in `dbi` (valid until the transaction ends), nil when there is none.
    static func get(_ txn: OpaquePointer?, _ dbi: MDB_dbi, _ key: [UInt8]) -> UnsafeRawBufferPointer? {
        key.withUnsafeBytes { keyBytes in
            var k = value(keyBytes), v = MDB_val()
            guard mdb_get(txn, dbi, &k, &v) == 0 else { return nil }
            return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
        }
    }

    static func put(_ txn: OpaquePointer?, _ dbi: MDB_dbi, _ key: [UInt8], _ bytes: [UInt8]) throws {
        try key.withUnsafeBytes { keyBytes in
            try bytes.withUnsafeBytes { valueBytes in
                var k = value(keyBytes), v = value(valueBytes)
                try check(mdb_put(txn, dbi, &k, &v, 0), "store index metadata")
            }
        }
    }

    static func delete(_ txn: OpaquePointer?, _ dbi: MDB_dbi, _ key: [UInt8]) throws {
        try key.withUnsafeBytes { keyBytes in
            var k = value(keyBytes)
            let rc = mdb_del(txn, dbi, &k, nil)
            if rc != MDB_NOTFOUND { try check(rc, "delete index metadata") }
        }
    }

    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        if code != 0 { throw LMDBError(operation: operation(), code: code) }
    }
}
