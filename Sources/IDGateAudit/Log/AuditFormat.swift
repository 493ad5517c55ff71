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
    public static let version: UInt16 = 1
    public static let headerLength = 84
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

    public func encoded() -> [UInt8] {
        var bytes = AuditFormat.magic
        bytes.reserveCapacity(AuditFormat.headerLength)
        bytes.appendLittleEndian(AuditFormat.version)
        bytes.appendLittleEndian(flags)
        bytes.appendLittleEndian(UInt32(0))
        bytes.appendLittleEndian(segmentNumber)
        bytes.appendLittleEndian(createdAtMicros)
        bytes.appendLittleEndian(firstSequence)
        bytes.appendLittleEndian(previousSegmentLength)
        bytes.append(previousHash)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    /// Decodes the first `headerLength` bytes; nil if the magic, version or CRC is wrong.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= AuditFormat.headerLength,
              Array(bytes[0..<8]) == AuditFormat.magic,
              bytes.loadLittleEndian(UInt16.self, at: 8) == AuditFormat.version,
              bytes.loadLittleEndian(UInt32.self, at: 80) == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<80]))
        else { return nil }
        flags = bytes.loadLittleEndian(UInt16.self, at: 10)
        segmentNumber = bytes.loadLittleEndian(UInt64.self, at: 16)
        createdAtMicros = bytes.loadLittleEndian(Int64.self, at: 24)
        firstSequence = bytes.loadLittleEndian(UInt64.self, at: 32)
        previousSegmentLength = bytes.loadLittleEndian(UInt64.self, at: 40)
        previousHash = SHA256Key(bytes: UnsafeRawBufferPointer(rebasing: bytes[48..<80]))!
    }

    public init(
        flags: UInt16, segmentNumber: UInt64, createdAtMicros: Int64, firstSequence: UInt64,
        previousSegmentLength: UInt64, previousHash: SHA256Key
    ) {
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
}
