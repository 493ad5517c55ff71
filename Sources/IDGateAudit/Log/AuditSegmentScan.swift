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
    /// Byte ranges that are not frames but are followed by intact frames: damage, not a torn write (a torn write
    /// can only be the end of the last write, with nothing decodable after it). The scan found the next intact
    /// frame by trying every following offset.
    public let skippedRanges: [Range<Int>]
    /// Bytes up to the end of the last frame with a valid CRC: everything after it is an unreadable tail.
    public let readableLength: Int
    /// Bytes up to the end of the last frame that fit (valid or not): anything after it is not a whole frame.
    public var parsedLength: Int {
        max(frames.last.map { $0.offset + $0.length } ?? min(fileLength, header?.length ?? AuditFormat.headerLength),
            skippedRanges.last?.upperBound ?? 0)
    }

    public var lastReadableFrame: Frame? { frames.last { $0.crcValid && $0.entry != nil } }
    /// The intact frame with the highest sequence: a restarted log continues after it, so no number is reused.
    public var highestReadableFrame: Frame? {
        frames.filter { $0.crcValid && $0.entry != nil }.max { $0.entry!.sequence < $1.entry!.sequence }
    }
    public var hasUnreadableTail: Bool { readableLength < fileLength }

    /// Damaged bytes followed by intact frames (skipped ranges and frames whose CRC fails), in file order.
    public var damagedRanges: [Range<Int>] {
        let badFrames = frames.filter { !($0.crcValid && $0.entry != nil) && $0.offset + $0.length <= readableLength }
            .map { $0.offset..<$0.offset + $0.length }
        return (skippedRanges.filter { $0.upperBound <= readableLength } + badFrames).sorted { $0.lowerBound < $1.lowerBound }
    }

    public init(url: URL) throws {
        try self.init(url: url, contents: try FileBytes.read(path: url.path))
    }

    /// Scans `contents`, the bytes of the segment file at `url` already read by the caller (who keeps them, as the
    /// subject index's catch-up and rebuild do, instead of reading the file twice).
    init(url: URL, contents data: some ContiguousBytes & Collection) throws {
        guard let number = AuditFormat.segmentNumber(fromName: url.lastPathComponent) else {
            throw AuditError.invalidDirectory("\(url.lastPathComponent) is not an audit segment name")
        }
        self.url = url
        self.segmentNumber = number
        self.fileLength = data.count
        (header, frames, skippedRanges, readableLength) = data.withUnsafeBytes { bytes in
            guard let header = AuditSegmentHeader(bytes) else { return (nil, [], [], 0) }
            var frames: [Frame] = []
            var skipped: [Range<Int>] = []
            var offset = header.length
            var readable = offset
            while bytes.count - offset >= 4 {
                let length = Self.frameLength(bytes, at: offset)
                if let length {
                    let crcValid = Self.isIntactFrame(bytes, at: offset, length: length)
                    // A frame whose CRC fails counts as one (an edited record) when an intact frame or the end of
                    // the file follows it; otherwise its length field itself may be damaged: resynchronise.
                    if crcValid || offset + length == bytes.count || Self.intactFrameLength(bytes, at: offset + length) != nil {
                        frames.append(Self.frame(bytes, index: frames.count, offset: offset, length: length, crcValid: crcValid))
                        offset += length
                        if crcValid { readable = offset }
                        continue
                    }
                }
                guard let next = (offset + 1..<bytes.count - 3).first(where: { Self.intactFrameLength(bytes, at: $0) != nil })
                else { break }
                skipped.append(offset..<next)
                offset = next
            }
            return (header, frames, skipped, readable)
        }
    }

    /// The frame length its length field announces, if plausible and the frame fits in the file.
    private static func frameLength(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        guard bytes.count - offset >= 4 else { return nil }
        let payloadLength = Int(bytes.loadLittleEndian(UInt32.self, at: offset))
        let length = payloadLength + AuditFormat.frameOverhead
        guard payloadLength >= AuditFormat.fixedPayloadLength, payloadLength <= AuditFormat.maximumPayloadLength,
              offset + length <= bytes.count
        else { return nil }
        return length
    }

    /// Whether the frame's CRC holds and its payload decodes.
    private static func isIntactFrame(_ bytes: UnsafeRawBufferPointer, at offset: Int, length: Int) -> Bool {
        let frame = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
        let crcOffset = length - 4
        guard frame.loadLittleEndian(UInt32.self, at: crcOffset)
            == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: frame[0..<crcOffset]))
        else { return false }
        return AuditFrame.decodePayload(UnsafeRawBufferPointer(rebasing: frame[4..<length - AuditFormat.frameOverhead + 4])) != nil
    }

    private static func intactFrameLength(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        guard let length = frameLength(bytes, at: offset), isIntactFrame(bytes, at: offset, length: length) else { return nil }
        return length
    }

    private static func frame(_ bytes: UnsafeRawBufferPointer, index: Int, offset: Int, length: Int, crcValid: Bool) -> Frame {
        let frame = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
        let crcOffset = length - 4
        let hashOffset = length - AuditFormat.frameOverhead + 4
        let entry = crcValid ? AuditFrame.decodePayload(UnsafeRawBufferPointer(rebasing: frame[4..<hashOffset])) : nil
        return Frame(
            index: index, offset: offset, length: length, crcValid: crcValid, entry: entry,
            storedPreviousHash: SHA256Key(bytes: UnsafeRawBufferPointer(rebasing: frame[hashOffset..<hashOffset + 32]))!,
            chainHash: SHA256Key.hashing(UnsafeRawBufferPointer(rebasing: frame[0..<hashOffset + 32])),
            tag: Array(frame[hashOffset + 32..<crcOffset]))
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
