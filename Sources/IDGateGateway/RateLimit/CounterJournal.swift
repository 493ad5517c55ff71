import Foundation
import IDGateAudit
import IDGateCore
import IDGateStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The counters that must outlive the process (guessing counts, daily quotas, suspensions) in one owner-only file,
/// `<state directory>/counters.journal`: appended with the counters changed since the last flush, rewritten whole
/// (compacted) at start and when it has grown well past what it holds.
///
/// Why a journal of full values rather than a database: each entry is the counter's whole current value, so the
/// last one read wins, a lost or torn tail only loses the last flush, and replay needs no ordering beyond the file's.
/// Appending what changed costs what changed, not what is held (a snapshot per second would rewrite every open
/// window each second).
///
/// Layout: blocks of `u32 payloadLength | u32 crc32c(payload) | payload`, little-endian; the payload is entries:
/// `u8 kind | u8 clientIdLength | clientId | ...`, then for kind 1 (guessing count) `subjectHash[32] |
/// i64 windowEndsMillis | u32 failures`, kind 2 (daily quota) `i64 day | u64 used`, kind 3 (suspension)
/// `i64 untilMillis`. Reading stops at the first short or damaged block: a torn write is the end of the last flush.
///
/// One process at a time: `lock` is held with `flock` while the journal is open (a second gateway on the same
/// directory would interleave appends).
final class CounterJournal {
    enum Entry: Sendable, Equatable {
        case attempts(SubjectAttemptLimiter.Pair, SubjectAttemptLimiter.Attempts)
        case quota(clientID: String, day: Int64, used: UInt64)
        case suspension(clientID: String, untilMillis: Int64)
    }

    /// What the file held when opened.
    struct Contents {
        var entries: [Entry] = []
        /// Bytes after the last intact block (a torn final flush), dropped by the compaction at open.
        var discardedBytes = 0
    }

    static let fileName = "counters.journal"
    static let lockName = "counters.lock"

    let path: String
    private var fd: Int32
    private var lockFD: Int32
    private(set) var size: Int
    /// Size right after the last compaction: the journal is compacted again when it grows well past it.
    private var compactedSize: Int

    /// Opens (creating it and the directory, owner-only) and reads the journal, then compacts it to `keep(contents)`.
    static func open(directory: String, keep: (Contents) -> [Entry]) throws -> (CounterJournal, Contents) {
        try OwnerOnlyFiles.createDirectory(atPath: directory)
        let lockPath = (directory as NSString).appendingPathComponent(lockName)
        let lockFD = Glibc.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, OwnerOnlyFiles.fileMode)
        guard lockFD >= 0 else { throw CounterJournalError.io(path: lockPath, operation: "open", code: errno) }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            Glibc.close(lockFD)
            throw CounterJournalError.locked(lockPath, code)
        }
        let path = (directory as NSString).appendingPathComponent(fileName)
        let contents = FileManager.default.contents(atPath: path).map { Self.read(Array($0)) } ?? Contents()
        // A failed compaction closes the lock with the half-made journal (its deinit).
        let journal = try CounterJournal(path: path, lockFD: lockFD, entries: keep(contents))
        return (journal, contents)
    }

    private init(path: String, lockFD: Int32, entries: [Entry]) throws {
        self.path = path
        self.lockFD = lockFD
        fd = -1
        size = 0
        compactedSize = 0
        try compact(entries)
    }

    deinit { close() }

    /// Replaces the file with one block of `entries` (written beside it, fsync'd, renamed over it).
    func compact(_ entries: [Entry]) throws {
        let bytes = Self.block(entries)
        try OwnerOnlyFiles.write(bytes, toPath: path)
        if fd >= 0 { Glibc.close(fd) }
        fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw CounterJournalError.io(path: path, operation: "open", code: errno) }
        size = bytes.count
        compactedSize = bytes.count
    }

    /// Appends one block and waits until it is on disk.
    func append(_ entries: [Entry]) throws {
        guard !entries.isEmpty, fd >= 0 else { return }
        let bytes = Self.block(entries)
        let failure = bytes.withUnsafeBytes { writeAll(fd, $0) }
        guard failure == 0 else { throw CounterJournalError.io(path: path, operation: "write", code: failure) }
        guard fdatasync(fd) == 0 else { throw CounterJournalError.io(path: path, operation: "fdatasync", code: errno) }
        size += bytes.count
    }

    /// Worth compacting: well past its compacted size and at least a megabyte.
    var shouldCompact: Bool { size > max(1 << 20, 4 * compactedSize) }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        if lockFD >= 0 { Glibc.close(lockFD) }
        lockFD = -1
    }

    // MARK: Encoding

    static func block(_ entries: [Entry]) -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(entries.count * 64)
        for entry in entries {
            switch entry {
            case .attempts(let pair, let attempts):
                payload.append(1)
                putClient(pair.clientID, into: &payload)
                withUnsafeBytes(of: pair.subject.words) { payload.append(contentsOf: $0) }
                put(attempts.windowEndsMillis, into: &payload)
                put(attempts.failures, into: &payload)
            case .quota(let clientID, let day, let used):
                payload.append(2)
                putClient(clientID, into: &payload)
                put(day, into: &payload)
                put(used, into: &payload)
            case .suspension(let clientID, let untilMillis):
                payload.append(3)
                putClient(clientID, into: &payload)
                put(untilMillis, into: &payload)
            }
        }
        var block: [UInt8] = []
        block.reserveCapacity(8 + payload.count)
        put(UInt32(payload.count), into: &block)
        put(CRC32C.checksum(payload), into: &block)
        block.append(contentsOf: payload)
        return block
    }

    /// Every entry of every intact block, in file order; stops at the first short or damaged block.
    static func read(_ bytes: [UInt8]) -> Contents {
        var contents = Contents()
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 8 else { break }
            let length = Int(get(UInt32.self, bytes, offset))
            let checksum = get(UInt32.self, bytes, offset + 4)
            guard bytes.count - offset - 8 >= length else { break }
            let payload = Array(bytes[(offset + 8)..<(offset + 8 + length)])
            guard CRC32C.checksum(payload) == checksum, let entries = parse(payload) else { break }
            contents.entries += entries
            offset += 8 + length
        }
        contents.discardedBytes = bytes.count - offset
        return contents
    }

    private static func parse(_ payload: [UInt8]) -> [Entry]? {
        var entries: [Entry] = []
        var offset = 0
        func take(_ count: Int) -> Int? {
            guard payload.count - offset >= count else { return nil }
            defer { offset += count }
            return offset
        }
        while offset < payload.count {
            guard let kindAt = take(1), let lengthAt = take(1), let clientAt = take(Int(payload[lengthAt])) else { return nil }
            let clientID = String(decoding: payload[clientAt..<(clientAt + Int(payload[lengthAt]))], as: UTF8.self)
            switch payload[kindAt] {
            case 1:
                guard let subjectAt = take(32), let endsAt = take(8), let failuresAt = take(4) else { return nil }
                let subject = SHA256Key(words: (
                    get(UInt64.self, payload, subjectAt), get(UInt64.self, payload, subjectAt + 8),
                    get(UInt64.self, payload, subjectAt + 16), get(UInt64.self, payload, subjectAt + 24)))
                entries.append(.attempts(
                    SubjectAttemptLimiter.Pair(subject: subject, clientID: clientID),
                    SubjectAttemptLimiter.Attempts(
                        windowEndsMillis: get(Int64.self, payload, endsAt), failures: get(UInt32.self, payload, failuresAt))))
            case 2:
                guard let dayAt = take(8), let usedAt = take(8) else { return nil }
                entries.append(.quota(clientID: clientID, day: get(Int64.self, payload, dayAt), used: get(UInt64.self, payload, usedAt)))
            case 3:
                guard let untilAt = take(8) else { return nil }
                entries.append(.suspension(clientID: clientID, untilMillis: get(Int64.self, payload, untilAt)))
            default:
                return nil
            }
        }
        return entries
    }

    private static func putClient(_ clientID: String, into bytes: inout [UInt8]) {
        let utf8 = Array(clientID.utf8.prefix(255))
        bytes.append(UInt8(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    private static func put<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func get<T: FixedWidthInteger>(_ type: T.Type, _ bytes: [UInt8], _ offset: Int) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { destination in
            for index in 0..<MemoryLayout<T>.size { destination[index] = bytes[offset + index] }
        }
        return T(littleEndian: value)
    }
}

enum CounterJournalError: Error, CustomStringConvertible {
    case locked(String, Int32)
    case io(path: String, operation: String, code: Int32)

    var description: String {
        switch self {
        case .io(let path, let operation, let code): "\(operation) \(path): \(String(cString: strerror(code)))"
        case .locked(let path, let code):
            "\(path) is held by another process (\(String(cString: strerror(code)))): one gateway per state directory"
        }
    }
}
