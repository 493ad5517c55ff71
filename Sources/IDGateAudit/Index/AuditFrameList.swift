import Foundation
import IDGateCore

/// Record frames back to back (as the writer wrote them, or read from a segment) with where each payload lies:
/// what the follower hands to the subject index and the outbox without decoding every record into strings.
struct AuditFrameList {
    struct Frame {
        let sequence: UInt64
        /// The frame's bytes in `bytes`.
        let frame: Range<Int>
        /// The payload's bytes in `bytes` (`AuditFrame`'s layout).
        let payload: Range<Int>
        let hasSubject: Bool
    }

    let bytes: [UInt8]
    private(set) var frames: [Frame]

    /// Parses the frames of one or more of the writer's batches (just written and fsync'd, so trusted; it stops at
    /// the first frame that does not parse).
    init(written bytes: [UInt8]) {
        self.bytes = bytes
        var frames: [Frame] = []
        bytes.withUnsafeBytes { all in
            var offset = 0
            while all.count - offset >= 4 {
                let payloadLength = Int(all.loadLittleEndian(UInt32.self, at: offset))
                let length = payloadLength + AuditFormat.frameOverhead
                guard payloadLength >= AuditFormat.fixedPayloadLength, offset + length <= all.count else { break }
                let payload = offset + 4..<offset + 4 + payloadLength
                frames.append(Frame(
                    sequence: all.loadLittleEndian(UInt64.self, at: payload.lowerBound),
                    frame: offset..<offset + length, payload: payload, hasSubject: all[payload.lowerBound + 26] & 1 != 0))
                offset += length
            }
        }
        self.frames = frames
    }

    /// The intact frames of a scanned segment (`AuditSegmentScan`) whose bytes are `bytes`.
    init(segment bytes: [UInt8], scan: AuditSegmentScan) {
        self.bytes = bytes
        frames = scan.frames.compactMap { frame in
            guard frame.crcValid, let entry = frame.entry, frame.offset + frame.length <= bytes.count else { return nil }
            return Frame(
                sequence: entry.sequence, frame: frame.offset..<frame.offset + frame.length,
                payload: frame.offset + 4..<frame.offset + frame.length - AuditFormat.frameOverhead + 4,
                hasSubject: entry.subjectHash != nil)
        }
    }

    /// Keeps only the frames with a sequence after `after` and up to `through`.
    mutating func keep(after: UInt64, through: UInt64 = .max) {
        frames.removeAll { $0.sequence <= after || $0.sequence > through }
    }

    /// The chain hash of `frame`: SHA-256 over its length, payload and previous hash.
    func chainHash(of frame: Frame) -> SHA256Key {
        bytes.withUnsafeBytes { all in
            SHA256Key.hashing(UnsafeRawBufferPointer(rebasing: all[frame.frame.lowerBound..<frame.payload.upperBound + 32]))
        }
    }

    /// The same frames in pieces of at most `count` (one LMDB transaction each: a transaction of random inserts into
    /// a large tree has a bounded number of dirty pages).
    func chunks(of count: Int) -> [AuditFrameList] {
        stride(from: 0, to: frames.count, by: count).map { start in
            var piece = self
            piece.frames = Array(frames[start..<min(start + count, frames.count)])
            return piece
        }
    }
}
