import Crypto
import Foundation
import IDGateCore
import IDGateStore
import IDGateWire

/// The binary layout of audit segments (docs/AUDIT.md). All integers little-endian.
///
/// Segment: an 84-byte header, then record frames back to back. A frame is
/// `u32 payloadLength | payload | previousHash[32] | tag[16] | crc32c u32`, where `previousHash` is the chain hash of
/// the record before (for a segment's first record: the header's `previousHash`), the record's own chain hash is
/// SHA-256 over `payloadLength | payload | previousHash`, `tag` is the first 16 bytes of HMAC(record key, chain hash),
/// and the CRC covers everything before it.
public enum AuditFormat {
    public static let magic: [UInt8] = Array("IDGAUDT1".utf8)
    /// Version 1: the 84-byte header. Version 2: the same fields, then the node id (`AuditSegmentHeader.nodeID`),
    /// 148 bytes. Segments of both versions verify; a log may hold both (one upgraded in place).
    public static let version: UInt16 = 1
    public static let versionWithNodeID: UInt16 = 2
    /// The length of a version 1 header (`AuditSegmentHeader.length` gives a header's own).
    public static let headerLength = 84
    /// The length of a version 2 header: version 1's fields, `u8 nodeIdLength`, the node id zero-padded to 63 bytes,
    /// then the CRC-32C of everything before it.
    public static let headerLengthWithNodeID = 148
    /// The longest node id a version 2 header holds (printable ASCII).
    public static let maximumNodeIDLength = 63
    public static let hashLength = 32
    public static let tagLength = 16
    /// Bytes of a frame besides the payload.
    public static let frameOverhead = 4 + hashLength + tagLength + 4
    static let fixedPayloadLength = 62
    public static let maximumPayloadLength = fixedPayloadLength + 3 * 255
    public static let segmentExtension = "seg"

    /// `audit-0000000000000001.seg`: names sort in segment order.
    public static func segmentName(_ number: UInt64) -> String {
        let digits = String(number)
        return "audit-" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + "." + segmentExtension
    }

    public static func segmentNumber(fromName name: String) -> UInt64? {
        guard name.hasPrefix("audit-"), name.hasSuffix("." + segmentExtension) else { return nil }
        return UInt64(name.dropFirst(6).dropLast(segmentExtension.count + 1))
    }
}

/// A segment header: where the segment sits in the chain, so a removed, truncated or reordered segment shows.
public struct AuditSegmentHeader: Sendable, Equatable {
    /// Set when the previous segment ended in unreadable bytes at startup (left in place, not part of the chain).
    public static let flagRecoveredTail: UInt16 = 1

    public var flags: UInt16
    public var segmentNumber: UInt64
    public var createdAtMicros: Int64
    /// Sequence number of this segment's first record.
    public var firstSequence: UInt64
    /// Length in bytes of the previous segment's readable part (its whole length unless it ended torn).
    public var previousSegmentLength: UInt64
    /// Chain hash of the previous segment's last record (zeros for the first segment of a log).
    public var previousHash: SHA256Key
    /// The gateway node that wrote the segment (version 2 headers; nil in version 1): in a fleet each node keeps its
    /// own log, and the id says whose log a directory is even after it was copied elsewhere. Covered by the header's
    /// CRC like the other header fields, not by the audit key.
    public var nodeID: String?

    /// The header's length in the file: records start right after it.
    public var length: Int { nodeID == nil ? AuditFormat.headerLength : AuditFormat.headerLengthWithNodeID }

    /// Why a node id cannot go into a header, or nil when it can.
    public static func nodeIDProblem(_ nodeID: String) -> String? {
        let bytes = Array(nodeID.utf8)
        if bytes.isEmpty { return "the node id is empty" }
        if bytes.count > AuditFormat.maximumNodeIDLength {
            return "the node id is longer than \(AuditFormat.maximumNodeIDLength) bytes"
        }
        if bytes.contains(where: { $0 < 0x21 || $0 > 0x7E }) { return "the node id must be printable ASCII without spaces" }
        return nil
    }

    public func encoded() -> [UInt8] {
        var bytes = AuditFormat.magic
        bytes.reserveCapacity(length)
        bytes.appendLittleEndian(nodeID == nil ? AuditFormat.version : AuditFormat.versionWithNodeID)
        bytes.appendLittleEndian(flags)
        bytes.appendLittleEndian(UInt32(0))
        bytes.appendLittleEndian(segmentNumber)
        bytes.appendLittleEndian(createdAtMicros)
        bytes.appendLittleEndian(firstSequence)
        bytes.appendLittleEndian(previousSegmentLength)
        bytes.append(previousHash)
        if let nodeID {
            let name = Array(nodeID.utf8.prefix(AuditFormat.maximumNodeIDLength))
            bytes.append(UInt8(name.count))
            bytes.append(contentsOf: name)
            bytes.append(contentsOf: repeatElement(0, count: AuditFormat.maximumNodeIDLength - name.count))
        }
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    /// Decodes the header at the start of `bytes` (version 1 or 2); nil if the magic, version, node id or CRC is
    /// wrong.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= AuditFormat.headerLength, Array(bytes[0..<8]) == AuditFormat.magic else { return nil }
        let version = bytes.loadLittleEndian(UInt16.self, at: 8)
        let crcOffset: Int
        switch version {
        case AuditFormat.version: crcOffset = AuditFormat.headerLength - 4
        case AuditFormat.versionWithNodeID: crcOffset = AuditFormat.headerLengthWithNodeID - 4
        default: return nil
        }
        guard bytes.count >= crcOffset + 4,
              bytes.loadLittleEndian(UInt32.self, at: crcOffset)
                == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<crcOffset]))
        else { return nil }
        if version == AuditFormat.versionWithNodeID {
            let nameLength = Int(bytes[80])
            guard nameLength >= 1, nameLength <= AuditFormat.maximumNodeIDLength else { return nil }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[81..<81 + nameLength]), as: UTF8.self)
            guard Self.nodeIDProblem(name) == nil else { return nil }
            nodeID = name
        } else {
            nodeID = nil
        }
        flags = bytes.loadLittleEndian(UInt16.self, at: 10)
        segmentNumber = bytes.loadLittleEndian(UInt64.self, at: 16)
        createdAtMicros = bytes.loadLittleEndian(Int64.self, at: 24)
        firstSequence = bytes.loadLittleEndian(UInt64.self, at: 32)
        previousSegmentLength = bytes.loadLittleEndian(UInt64.self, at: 40)
        previousHash = SHA256Key(bytes: UnsafeRawBufferPointer(rebasing: bytes[48..<80]))!
    }

    public init(
        flags: UInt16, segmentNumber: UInt64, createdAtMicros: Int64, firstSequence: UInt64,
        previousSegmentLength: UInt64, previousHash: SHA256Key, nodeID: String? = nil
    ) {
        self.nodeID = nodeID
        self.flags = flags
        self.segmentNumber = segmentNumber
        self.createdAtMicros = createdAtMicros
        self.firstSequence = firstSequence
        self.previousSegmentLength = previousSegmentLength
        self.previousHash = previousHash
    }
}

extension SHA256Key {
    /// The all-zero hash that precedes the first record of a log.
    public static let zero = SHA256Key(bytes: [UInt8](repeating: 0, count: 32))!
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { appendBytes($0) }
    }

    mutating func append(_ key: SHA256Key) {
        Swift.withUnsafeBytes(of: key.words) { appendBytes($0) }
    }
}

extension UnsafeRawBufferPointer {
    func loadLittleEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Big-endian where keys must sort as their bytes (the subject index's).
    func loadBigEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
