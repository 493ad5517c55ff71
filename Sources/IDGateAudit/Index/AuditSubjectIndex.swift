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
/// and a backwards cursor walk over adjacent keys (a few pages of the memory map), never a file read per record,
/// so a subject's page stays fast whatever the log's size. The segments stay the source of truth: the index is
/// derived from them, holds no more than they do (the subject's keyed hash, never an ID number), and is rebuilt
/// from them when it is missing, damaged, behind or belongs to another log.
///
/// Keys: `subjectHash[32] ‖ sequence (u64 big-endian)`, so one subject's records are adjacent and in log order.
/// Values: the record's payload exactly as in the segment (`AuditFrame`). The `meta` database holds the sequence
/// and chain hash of the last record indexed. Written by one thread only (`AuditFollower`); read from any.
final class AuditSubjectIndex: @unchecked Sendable {
    /// Where the last indexed record sits in the chain.
    struct Position: Equatable, Sendable {
        var sequence: UInt64
        var hash: SHA256Key
        static let start = Position(sequence: 0, hash: .zero)
    }

    static let directoryName = "subject-index"
    private static let positionKey = Array("through".utf8)
    /// Virtual address space only: LMDB grows the file as pages are used.
    private static let mapSize = 1 << 40

    let url: URL
    private let environment: OpaquePointer
    private let entries: MDB_dbi
    private let meta: MDB_dbi

    /// Opens (creating) the index in `auditDirectory`. Throws when the environment cannot be opened (damaged).
    init(auditDirectory: URL) throws {
        url = auditDirectory.appendingPathComponent(Self.directoryName)
        try OwnerOnlyFiles.createDirectory(atPath: url.path)
        var env: OpaquePointer?
        try Self.check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(operation: "mdb_env_create", code: EINVAL) }
        do {
            try Self.check(mdb_env_set_maxdbs(env, 2), "mdb_env_set_maxdbs")
            try Self.check(mdb_env_set_maxreaders(env, 1024), "mdb_env_set_maxreaders")
            try Self.check(mdb_env_set_mapsize(env, Self.mapSize), "mdb_env_set_mapsize")
            // NOTLS: event loops read with short transactions of their own. NOMETASYNC: a crash may undo the last
            // index commit (never corrupt it); the catch-up from the segments redoes it. NORDAHEAD: lookups read a few
            // pages anywhere in a file larger than memory; read-ahead would read many more around each.
            let flags = UInt32(MDB_NOTLS) | UInt32(MDB_NOMETASYNC) | UInt32(MDB_NORDAHEAD)
            try Self.check(mdb_env_open(env, url.path, flags, OwnerOnlyFiles.fileMode), "open subject index at \(url.path)")
            var txn: OpaquePointer?
            try Self.check(mdb_txn_begin(env, nil, 0, &txn), "begin transaction")
            var entries: MDB_dbi = 0, meta: MDB_dbi = 0
            do {
                try Self.check(mdb_dbi_open(txn, "entries", UInt32(MDB_CREATE), &entries), "open entries")
                try Self.check(mdb_dbi_open(txn, "meta", UInt32(MDB_CREATE), &meta), "open meta")
                try Self.check(mdb_txn_commit(txn), "commit")
            } catch {
                mdb_txn_abort(txn)
                throw error
            }
            self.entries = entries
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
            var key = MDB_val(), value = MDB_val()
            return try Self.positionKey.withUnsafeBytes { name in
                key = MDB_val(mv_size: name.count, mv_data: UnsafeMutableRawPointer(mutating: name.baseAddress))
                let rc = mdb_get(txn, meta, &key, &value)
                if rc == MDB_NOTFOUND { return .start }
                try Self.check(rc, "read index position")
                let bytes = UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
                guard bytes.count == 40 else { throw LMDBError(operation: "read index position", code: EINVAL) }
                return Position(
                    sequence: bytes.loadLittleEndian(UInt64.self, at: 0),
                    hash: SHA256Key(bytes: UnsafeRawBufferPointer(rebasing: bytes[8..<40]))!)
            }
        }
    }

    /// Adds the frames of `frames` (records with a subject; others only move the position) in one transaction,
    /// skipping those at or before the current position, and stores the new position.
    func add(_ frames: AuditFrameList, position: Position) throws {
        var txn: OpaquePointer?
        try Self.check(mdb_txn_begin(environment, nil, 0, &txn), "begin index transaction")
        do {
            var keyBytes = [UInt8](repeating: 0, count: 40)
            for frame in frames.frames {
                guard frame.hasSubject else { continue }
                frames.bytes.withUnsafeBytes { all in
                    let payload = UnsafeRawBufferPointer(rebasing: all[frame.payload])
                    keyBytes.withUnsafeMutableBytes { key in
                        key.copyMemory(from: UnsafeRawBufferPointer(rebasing: payload[AuditFrame.subjectHashRange]))
                        key.storeBytes(of: frame.sequence.bigEndian, toByteOffset: 32, as: UInt64.self)
                    }
                }
                try keyBytes.withUnsafeBytes { key in
                    try frames.bytes.withUnsafeBytes { all in
                        var k = MDB_val(mv_size: 40, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
                        let payload = UnsafeRawBufferPointer(rebasing: all[frame.payload])
                        var v = MDB_val(mv_size: payload.count, mv_data: UnsafeMutableRawPointer(mutating: payload.baseAddress))
                        try Self.check(mdb_put(txn, entries, &k, &v, 0), "index record \(frame.sequence)")
                    }
                }
            }
            var stored: [UInt8] = []
            stored.appendLittleEndian(position.sequence)
            stored.append(position.hash)
            try Self.positionKey.withUnsafeBytes { name in
                try stored.withUnsafeBytes { value in
                    var k = MDB_val(mv_size: name.count, mv_data: UnsafeMutableRawPointer(mutating: name.baseAddress))
                    var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
                    try Self.check(mdb_put(txn, meta, &k, &v, 0), "store index position")
                }
            }
            try Self.check(mdb_txn_commit(txn), "commit index transaction")
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
    }

    /// Appends a rebuild's bucket (`AuditSubjectIndexRebuild`: entries `key[40] ‖ length (u32 LE) ‖ payload`, in
    /// any order) in ascending key order with `MDB_APPEND`; every key must be above those already in the index.
    /// Of two entries with the same key (a sequence number written twice by an old log), the later one is kept, as
    /// the incremental path's overwrite would.
    func appendSorted(spilled bytes: [UInt8]) throws {
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
            var txn: OpaquePointer?
            var inTransaction = 0
            do {
                for (position, entry) in offsets.enumerated() {
                    if position + 1 < offsets.count, memcmp(base + entry, base + offsets[position + 1], 40) == 0 { continue }
                    if txn == nil { try Self.check(mdb_txn_begin(environment, nil, 0, &txn), "begin index transaction") }
                    var key = MDB_val(mv_size: 40, mv_data: UnsafeMutableRawPointer(mutating: base + entry))
                    var value = MDB_val(
                        mv_size: Int(all.loadLittleEndian(UInt32.self, at: entry + 40)),
                        mv_data: UnsafeMutableRawPointer(mutating: base + entry + 44))
                    try Self.check(mdb_put(txn, entries, &key, &value, UInt32(MDB_APPEND)), "append index record")
                    inTransaction += 1
                    if inTransaction == Self.appendsPerTransaction {
                        let committing = txn
                        txn = nil
                        inTransaction = 0
                        try Self.check(mdb_txn_commit(committing), "commit index transaction")
                    }
                }
                if let committing = txn {
                    txn = nil
                    try Self.check(mdb_txn_commit(committing), "commit index transaction")
                }
            } catch {
                if let txn { mdb_txn_abort(txn) }
                throw error
            }
        }
    }

    /// Appends dirty only the tree's right edge, so a transaction can hold many more than random inserts.
    private static let appendsPerTransaction = 200_000

    /// Up to `limit` records of `subjectHash` with a sequence below `before` (nil: from the newest), newest first,
    /// none older than `notBefore`; `more` says whether older records in the window remain.
    func records(
        subjectHash: [UInt8], before: UInt64?, notBefore: Date, limit: Int
    ) throws -> (entries: [AuditEntry], more: Bool) {
        precondition(subjectHash.count == 32)
        let notBeforeMicros = Int64((notBefore.timeIntervalSince1970 * 1e6).rounded(.down))
        return try read { txn in
            var cursor: OpaquePointer?
            try Self.check(mdb_cursor_open(txn, entries, &cursor), "open index cursor")
            defer { mdb_cursor_close(cursor) }
            var start = subjectHash
            withUnsafeBytes(of: (before ?? UInt64.max).bigEndian) { start.append(contentsOf: $0) }
            return try start.withUnsafeBytes { startBytes in
                var key = MDB_val(mv_size: 40, mv_data: UnsafeMutableRawPointer(mutating: startBytes.baseAddress))
                var value = MDB_val()
                // The first key at or after the start, then one step back: the newest record before `before`.
                var rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE)
                if rc == MDB_NOTFOUND {
                    rc = mdb_cursor_get(cursor, &key, &value, MDB_LAST)
                } else {
                    try Self.check(rc, "position index cursor")
                    rc = mdb_cursor_get(cursor, &key, &value, MDB_PREV)
                }
                var found: [AuditEntry] = []
                while rc == 0 {
                    let keyBytes = UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size)
                    guard keyBytes.count == 40, keyBytes.prefix(32).elementsEqual(subjectHash) else { break }
                    let payload = UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
                    guard payload.count >= 16, payload.loadLittleEndian(Int64.self, at: 8) >= notBeforeMicros else { break }
                    if found.count == limit { return (found, true) }
                    if let entry = AuditFrame.decodePayload(payload) { found.append(entry) }
                    rc = mdb_cursor_get(cursor, &key, &value, MDB_PREV)
                }
                if rc != 0 && rc != MDB_NOTFOUND { try Self.check(rc, "walk index cursor") }
                return (found, false)
            }
        }
    }

    private func read<R>(_ body: (OpaquePointer?) throws -> R) throws -> R {
        var txn: OpaquePointer?
        try Self.check(mdb_txn_begin(environment, nil, UInt32(MDB_RDONLY), &txn), "begin index read")
        defer { mdb_txn_abort(txn) }
        return try body(txn)
    }

    private static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        if code != 0 { throw LMDBError(operation: operation(), code: code) }
    }
}
