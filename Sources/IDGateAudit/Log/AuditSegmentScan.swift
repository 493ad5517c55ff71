import Foundation
import IDGateCore
import IDGateWire

/// A segment file read back frame by frame, without judging the chain (that is `AuditVerifier`'s job).
public struct AuditSegmentScan: Sendable {
    /// One frame that fit in the file.
    public struct Frame: Sendable {
        /// Position within the segment, from 0.
        public let index: Int
        public let offset: Int
        public let length: Int
        public let crcValid: Bool
        /// Decoded when the CRC is valid.
        public let entry: AuditEntry?
        public let storedPreviousHash: SHA256Key
        /// SHA-256 over the frame's length, payload and previous hash, as stored.
        public let chainHash: SHA256Key
        public let tag: [UInt8]
    }

    public let url: URL
    /// From the file name.
    public let segmentNumber: UInt64
    /// Nil when the header is missing or damaged.
    public let header: AuditSegmentHeader?
    public let fileLength: Int
    public let frames: [Frame]
    /// Bytes up to the end of the last frame with a valid CRC: everything after it is an unreadable tail.
    public let readableLength: Int
    /// Bytes up to the end of the last frame that fit (valid or not): anything after it is not a whole frame.
    public var parsedLength: Int { frames.last.map { $0.offset + $0.length } ?? min(fileLength, AuditFormat.headerLength) }

    public var lastReadableFrame: Frame? { frames.last { $0.crcValid && $0.entry != nil } }
    public var hasUnreadableTail: Bool { readableLength < fileLength }

    public init(url: URL) throws {
        guard let number = AuditFormat.segmentNumber(fromName: url.lastPathComponent) else {
            throw AuditError.invalidDirectory("\(url.lastPathComponent) is not an audit segment name")
        }
        let data = try Data(contentsOf: url)
        self.url = url
        self.segmentNumber = number
        self.fileLength = data.count
        (header, frames, readableLength) = data.withUnsafeBytes { bytes in
            guard let header = AuditSegmentHeader(bytes) else { return (nil, [], 0) }
            var frames: [Frame] = []
            var offset = AuditFormat.headerLength
            var readable = offset
            while bytes.count - offset >= 4 {
                let payloadLength = Int(bytes.loadLittleEndian(UInt32.self, at: offset))
                let length = payloadLength + AuditFormat.frameOverhead
                guard payloadLength >= AuditFormat.fixedPayloadLength, payloadLength <= AuditFormat.maximumPayloadLength,
                      offset + length <= bytes.count
                else { break }
                let frame = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
                let crcOffset = length - 4
                let crcValid = frame.loadLittleEndian(UInt32.self, at: crcOffset)
                    == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: frame[0..<crcOffset]))
                let hashOffset = 4 + payloadLength
                let entry = crcValid ? AuditFrame.decodePayload(UnsafeRawBufferPointer(rebasing: frame[4..<hashOffset])) : nil
                frames.append(Frame(
                    index: frames.count, offset: offset, length: length, crcValid: crcValid, entry: entry,
                    storedPreviousHash: SHA256Key(bytes: UnsafeRawBufferPointer(rebasing: frame[hashOffset..<hashOffset + 32]))!,
                    chainHash: SHA256Key.hashing(UnsafeRawBufferPointer(rebasing: frame[0..<hashOffset + 32])),
                    tag: Array(frame[hashOffset + 32..<crcOffset])))
                offset += length
                if crcValid && entry != nil { readable = offset }
            }
            return (header, frames, readable)
        }
    }
}

/// The segment files of an audit directory, in order.
public enum AuditDirectory {
    public static func segmentURLs(in directory: URL) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return names.compactMap { name in AuditFormat.segmentNumber(fromName: name).map { ($0, name) } }
            .sorted { $0.0 < $1.0 }
            .map { directory.appendingPathComponent($0.1) }
    }
}
