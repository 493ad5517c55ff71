import Crypto
import Foundation
import IDGateCore
import IDGateStore
import IDGateWire

/// Encoding of one record frame (layout in `AuditFormat`), and decoding of its payload.
///
/// Payload: `u64 sequence | i64 timeMicros | u32 latencyMicros | u16 status | u16 attributes | u8 operation |
/// u8 decision | u8 flags (bit 0: has subject) | u8 clientIdLength | u8 purposeLength | u8 transactionIdLength |
/// subjectHash[32] | clientId | purpose | transactionId`.
enum AuditFrame {
    private static let flagHasSubject: UInt8 = 1
    /// Where the payload holds the subject's keyed hash (32 bytes).
    static let subjectHashRange = 30..<62

    /// Appends the frame of `record` to `buffer`; returns the record's chain hash.
    ///
    /// The frame is composed in stack memory and appended with one copy: appending its dozen fields to the array one
    /// by one cost ~0.2 µs per record on the writer thread, which shares the event loop's core.
    static func append(
        _ record: AuditRecord, sequence: UInt64, previousHash: SHA256Key, key: AuditKey, to buffer: inout [UInt8]
    ) -> SHA256Key {
        withUnsafeTemporaryAllocation(
            byteCount: AuditFormat.frameOverhead + AuditFormat.maximumPayloadLength, alignment: 8
        ) { memory in
            var frame = FrameWriter(memory.baseAddress!)
            frame.skip(4)  // payload length, set below
            frame.put(sequence)
            frame.put(Int64((record.time.timeIntervalSince1970 * 1e6).rounded()))
            frame.put(record.latencyMicros)
            frame.put(record.status)
            frame.put(record.attributes.rawValue)
            frame.put(record.operation.code)
            frame.put(record.decision.rawValue)
            frame.put(record.subjectText == nil ? 0 : flagHasSubject)
            let lengthsOffset = frame.count
            frame.skip(3)  // the three string lengths, set below
            if case .keyedHash(let hash)? = record.subjectText {
                withUnsafeBytes(of: hash.words) { frame.next.copyMemory(from: $0.baseAddress!, byteCount: AuditFormat.hashLength) }
            } else if let subject = record.subjectText {
                subject.withUTF8 { key.writeSubjectHash($0, to: frame.next) }
            } else {
                frame.next.initializeMemory(as: UInt8.self, repeating: 0, count: AuditFormat.hashLength)
            }
            frame.skip(AuditFormat.hashLength)
            frame.set(frame.putShortString(record.clientID), at: lengthsOffset)
            frame.set(frame.putShortString(record.purpose), at: lengthsOffset + 1)
            frame.set(record.transactionText.withUTF8 { frame.putShortString($0) }, at: lengthsOffset + 2)
            frame.set(UInt32(frame.count - 4), at: 0)
            frame.put(previousHash)
            let chainHash = SHA256Key.hashing(frame.written)
            key.writeRecordTag(chainHash: chainHash, to: frame.next)
            frame.skip(AuditFormat.tagLength)
            frame.put(CRC32C.checksum(frame.written))
            buffer.appendBytes(frame.written)
            return chainHash
        }
    }

    /// Little-endian fields stored one after another into memory large enough for any frame.
    private struct FrameWriter {
        let base: UnsafeMutableRawPointer
        private(set) var count = 0

        init(_ base: UnsafeMutableRawPointer) { self.base = base }

        var next: UnsafeMutableRawPointer { base + count }
        var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

        mutating func skip(_ byteCount: Int) { count += byteCount }

        mutating func put<T: FixedWidthInteger>(_ value: T) {
            next.storeBytes(of: value.littleEndian, as: T.self)
            count += MemoryLayout<T>.size
        }

        mutating func put(_ hash: SHA256Key) {
            withUnsafeBytes(of: hash.words) { next.copyMemory(from: $0.baseAddress!, byteCount: 32) }
            count += 32
        }

        func set<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            (base + offset).storeBytes(of: value.littleEndian, as: T.self)
        }

        /// Stores `bytes` truncated to 255 bytes; returns the length stored.
        mutating func putShortString(_ bytes: UnsafeRawBufferPointer) -> UInt8 {
            let kept = min(bytes.count, 255)
            if kept > 0 { next.copyMemory(from: bytes.baseAddress!, byteCount: kept) }
            count += kept
            return UInt8(kept)
        }

        mutating func putShortString(_ text: String?) -> UInt8 {
            guard var text else { return 0 }
            return text.withUTF8 { putShortString(UnsafeRawBufferPointer($0)) }
        }
    }

    /// Decodes a payload (already CRC-checked); nil if its internal lengths are inconsistent.
    static func decodePayload(_ payload: UnsafeRawBufferPointer) -> AuditEntry? {
        guard payload.count >= AuditFormat.fixedPayloadLength else { return nil }
        let clientLength = Int(payload[27]), purposeLength = Int(payload[28]), transactionLength = Int(payload[29])
        guard payload.count == AuditFormat.fixedPayloadLength + clientLength + purposeLength + transactionLength else {
            return nil
        }
        func string(at offset: Int, length: Int) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: payload[offset..<offset + length]), as: UTF8.self)
        }
        let stringsStart = AuditFormat.fixedPayloadLength
        let hasSubject = payload[26] & flagHasSubject != 0
        return AuditEntry(
            sequence: payload.loadLittleEndian(UInt64.self, at: 0),
            time: Date(timeIntervalSince1970: Double(payload.loadLittleEndian(Int64.self, at: 8)) / 1e6),
            clientID: string(at: stringsStart, length: clientLength),
            purpose: purposeLength == 0 ? nil : string(at: stringsStart + clientLength, length: purposeLength),
            operation: ClientOperation(code: payload[24]),
            transactionID: string(at: stringsStart + clientLength + purposeLength, length: transactionLength),
            subjectHash: hasSubject ? Array(payload[subjectHashRange]) : nil,
            attributes: AttributeSet(rawValue: payload.loadLittleEndian(UInt16.self, at: 22)),
            decision: AuditDecision(rawValue: payload[25]),
            status: payload.loadLittleEndian(UInt16.self, at: 20),
            latencyMicros: payload.loadLittleEndian(UInt32.self, at: 16))
    }
}
