import Crypto
import Foundation
import IDGateStore

/// Encoding of one record frame (layout in `AuditFormat`), and decoding of its payload.
///
/// Payload: `u64 sequence | i64 timeMicros | u32 latencyMicros | u16 status | u16 attributes | u8 operation |
/// u8 decision | u8 flags (bit 0: has subject) | u8 clientIdLength | u8 purposeLength | u8 transactionIdLength |
/// subjectHash[32] | clientId | purpose | transactionId`.
enum AuditFrame {
    private static let flagHasSubject: UInt8 = 1

    /// Appends the frame of `record` to `buffer`; returns the record's chain hash.
    static func append(
        _ record: AuditRecord, sequence: UInt64, previousHash: SHA256Key, key: AuditKey, to buffer: inout [UInt8]
    ) -> SHA256Key {
        let start = buffer.count
        buffer.appendLittleEndian(UInt32(0))
        buffer.appendLittleEndian(sequence)
        buffer.appendLittleEndian(Int64((record.time.timeIntervalSince1970 * 1e6).rounded()))
        buffer.appendLittleEndian(record.latencyMicros)
        buffer.appendLittleEndian(record.status)
        buffer.appendLittleEndian(record.attributes.rawValue)
        buffer.append(record.operation.code)
        buffer.append(record.decision.rawValue)
        buffer.append(record.subjectText == nil ? 0 : flagHasSubject)
        let lengthsOffset = buffer.count
        buffer.appendLittleEndian(UInt16(0))
        buffer.append(0)  // the three string lengths, set below
        if let subject = record.subjectText {
            subject.withUTF8 { key.appendSubjectHash($0, to: &buffer) }
        } else {
            buffer.append(contentsOf: repeatElement(0, count: AuditFormat.hashLength))
        }
        buffer[lengthsOffset] = buffer.appendShortString(record.clientID)
        buffer[lengthsOffset + 1] = buffer.appendShortString(record.purpose)
        buffer[lengthsOffset + 2] = record.transactionText.withUTF8 { buffer.appendShortString($0) }
        let payloadLength = UInt32(buffer.count - start - 4)
        withUnsafeBytes(of: payloadLength.littleEndian) { length in
            for index in 0..<4 { buffer[start + index] = length[index] }
        }
        buffer.append(previousHash)
        let chainHash = buffer.withUnsafeBytes { SHA256Key.hashing(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        key.appendRecordTag(chainHash: chainHash, to: &buffer)
        let crc = buffer.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        buffer.appendLittleEndian(crc)
        return chainHash
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
            subjectHash: hasSubject ? Array(payload[30..<62]) : nil,
            attributes: AttributeSet(rawValue: payload.loadLittleEndian(UInt16.self, at: 22)),
            decision: AuditDecision(rawValue: payload[25]),
            status: payload.loadLittleEndian(UInt16.self, at: 20),
            latencyMicros: payload.loadLittleEndian(UInt32.self, at: 16))
    }
}
