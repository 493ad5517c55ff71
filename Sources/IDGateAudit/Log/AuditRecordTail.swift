import Foundation
import IDGateCore
#if canImport(Glibc)
import Glibc
#endif

/// One intact record as its segment holds it: the decoded fields and the frame's exact bytes, so a copy elsewhere
/// (the fleet's PostgreSQL, docs/FLEET.md "Audit shipping") can be checked byte for byte against the chain.
public struct AuditStoredRecord: Sendable, Equatable {
    public var entry: AuditEntry
    /// The whole frame: `u32 payloadLength | payload | previousHash | tag | crc32c`.
    public var frame: [UInt8]
    /// SHA-256 over the frame's length, payload and previous hash: the next record's `previousHash`.
    public var chainHash: SHA256Key
    /// The chain hash of the record before, as stored in the frame.
    public var previousHash: SHA256Key

    public var sequence: UInt64 { entry.sequence }

    /// Decodes one frame (its CRC checked); nil if it is not an intact frame.
    public init?(frame bytes: [UInt8]) {
        guard bytes.count >= AuditFormat.frameOverhead + AuditFormat.fixedPayloadLength else { return nil }
        let decoded: (AuditEntry, SHA256Key, SHA256Key)? = bytes.withUnsafeBytes { all in
            let payloadLength = Int(all.loadLittleEndian(UInt32.self, at: 0))
            guard payloadLength + AuditFormat.frameOverhead == all.count,
                  all.loadLittleEndian(UInt32.self, at: all.count - 4)
                    == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: all[0..<all.count - 4])),
                  let entry = AuditFrame.decodePayload(UnsafeRawBufferPointer(rebasing: all[4..<4 + payloadLength]))
            else { return nil }
            let hashEnd = 4 + payloadLength + AuditFormat.hashLength
            let previous = SHA256Key(bytes: UnsafeRawBufferPointer(rebasing: all[4 + payloadLength..<hashEnd]))!
            return (entry, SHA256Key.hashing(UnsafeRawBufferPointer(rebasing: all[0..<hashEnd])), previous)
        }
        guard let decoded else { return nil }
        (entry, chainHash, previousHash) = decoded
        frame = bytes
    }
}

/// Reads an audit directory's records in sequence order while the log is being written, from where the last read
/// stopped (a segment and a byte offset), without rereading whole segments: what the fleet's audit shipper tails.
///
/// Only frames whose CRC holds are returned; a damaged stretch inside a segment is skipped the way
/// `AuditSegmentScan` skips it. The caller says up to which sequence to read (the log's durable head), so a record
/// is never taken before its group commit's fsync.
public struct AuditRecordTail: Sendable {
    public let directory: URL
    private var position: (segment: UInt64, offset: Int, lastSequence: UInt64)?
    /// Bytes read from a segment per system call.
    static let readChunk = 4 << 20

    public init(directory: URL) {
        self.directory = directory
    }

    /// Up to `limit` records with a sequence after `after` and up to `through`, in log order.
    public mutating func read(after: UInt64, through: UInt64, limit: Int) throws -> [AuditStoredRecord] {
        guard through > after, limit > 0 else { return [] }
        var records: [AuditStoredRecord] = []
        var segments = try Self.segments(in: directory)
        guard !segments.isEmpty else { return [] }
        var segmentIndex: Int
        var offset: Int
        if let position, position.lastSequence == after, let index = segments.firstIndex(where: { $0.number == position.segment }) {
            segmentIndex = index
            offset = position.offset
        } else {
            // Find the segment that holds the record after `after`: the last one starting at or before it.
            segmentIndex = 0
            for (index, segment) in segments.enumerated() {
                guard let header = Self.header(of: segment.url) else { continue }
                if header.firstSequence <= after + 1 { segmentIndex = index } else { break }
            }
            guard let header = Self.header(of: segments[segmentIndex].url) else { return [] }
            offset = header.length
        }
        var last = after
        var current = segments[segmentIndex]
        func done() -> Bool { records.count >= limit || last >= through }
        while true {
            try Self.readFrames(url: current.url, offset: &offset, after: &last, through: through, limit: limit, into: &records)
            if done() { break }
            if segmentIndex + 1 >= segments.count {
                segments = try Self.segments(in: directory)
                guard let index = segments.firstIndex(where: { $0.number == current.number }), index + 1 < segments.count
                else { break }
                segmentIndex = index
            }
            // A later segment exists, so this one is finished: take what it got since the read above, then move on.
            try Self.readFrames(url: current.url, offset: &offset, after: &last, through: through, limit: limit, into: &records)
            if done() { break }
            segmentIndex += 1
            guard let header = Self.header(of: segments[segmentIndex].url) else { break }
            current = segments[segmentIndex]
            offset = header.length
        }
        position = (current.number, offset, last)
        return records
    }

    /// Appends the intact frames of `url` from `offset` with a sequence in (`after`, `through`]; moves `offset` past
    /// each frame taken or skipped, and `after` to the last sequence taken.
    private static func readFrames(
        url: URL, offset: inout Int, after: inout UInt64, through: UInt64, limit: Int, into records: inout [AuditStoredRecord]
    ) throws {
        let descriptor = Glibc.open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw AuditError.storage("cannot open \(url.lastPathComponent): \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(descriptor) }
        var stats = stat()
        guard fstat(descriptor, &stats) == 0 else { throw AuditError.storage("cannot stat \(url.lastPathComponent)") }
        let size = Int(stats.st_size)
        while records.count < limit, after < through, offset < size {
            let count = min(readChunk, size - offset)
            var bytes = [UInt8](repeating: 0, count: count)
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, count, off_t(offset)) }
            guard got > 0 else { break }
            if got < count { bytes.removeLast(count - got) }
            var consumed = 0
            var stalled = false
            while records.count < limit, after < through {
                guard bytes.count - consumed >= 4 else { stalled = true; break }
                let payloadLength = bytes.withUnsafeBytes { Int($0.loadLittleEndian(UInt32.self, at: consumed)) }
                let length = payloadLength + AuditFormat.frameOverhead
                guard payloadLength >= AuditFormat.fixedPayloadLength, payloadLength <= AuditFormat.maximumPayloadLength
                else { stalled = true; break }
                guard consumed + length <= bytes.count else { stalled = true; break }
                guard let record = AuditStoredRecord(frame: Array(bytes[consumed..<consumed + length])) else {
                    stalled = true
                    break
                }
                if record.sequence > through {
                    offset += consumed
                    return
                }
                if record.sequence > after {
                    records.append(record)
                    after = record.sequence
                }
                consumed += length
            }
            offset += consumed
            if stalled {
                if consumed > 0 { continue }  // a frame crossing the chunk's end: read again from it
                // Not a whole intact frame here: the writer's next frame in progress, or damage. Damage shows as
                // intact frames after it; skip to the first one the scan finds.
                guard offset + AuditFormat.frameOverhead < size,
                      let scan = try? AuditSegmentScan(url: url),
                      let next = scan.frames.first(where: { $0.offset > offset && $0.crcValid && $0.entry != nil })
                else { return }
                offset = next.offset
            }
        }
    }

    private static func segments(in directory: URL) throws -> [(number: UInt64, url: URL)] {
        try AuditDirectory.segmentURLs(in: directory).compactMap { url in
            AuditFormat.segmentNumber(fromName: url.lastPathComponent).map { (number: $0, url: url) }
        }
    }

    private static func header(of url: URL) -> AuditSegmentHeader? {
        let descriptor = Glibc.open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: AuditFormat.headerLengthWithNodeID)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, 0) }
        guard got >= AuditFormat.headerLength else { return nil }
        return bytes[0..<got].withUnsafeBytes { AuditSegmentHeader($0) }
    }
}
