import Crypto
import Foundation
import IDGateStore
import Testing

@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

/// The audit writer's hand-rolled hashing must give exactly the standard results (the segment format depends on it).
@Suite struct AuditCryptoTests {
    @Test func crc32cKnownVectorsAndEveryLength() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        // Against the plain bytewise definition, for lengths around the 8-byte steps.
        func bytewise(_ bytes: [UInt8]) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return crc ^ 0xFFFF_FFFF
        }
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(CRC32C.checksum(bytes) == bytewise(bytes), "length \(length)")
            // The table version (the fallback where the CPU has no CRC32 instruction) agrees too.
            #expect(bytes.withUnsafeBytes { CRC32C.tableChecksum($0) } == bytewise(bytes), "length \(length)")
        }
    }

    @Test func keyedHashEqualsHMACSHA256() {
        var generator = SystemRandomNumberGenerator()
        for keyLength in [0, 1, 32, 63, 64, 65, 100] {
            let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let keyed = key.withUnsafeBytes { KeyedSHA256(key: $0) }
            for messageLength in [0, 1, 12, 55, 56, 64, 200] {
                let message = (0..<messageLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let expected = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
                #expect(message.withUnsafeBytes { keyed.authenticationCode($0) } == expected)
            }
        }
        let message = Array("abc".utf8)
        #expect(message.withUnsafeBytes { SHA256Key.hashing($0) } == SHA256Key(bytes: Array(SHA256.hash(data: message))))
        #expect(message.withUnsafeBytes { SHA256Key.hashing(prefix: 0x01, $0) } == SHA256Key(bytes: Array(SHA256.hash(data: [0x01] + message))))
    }

    @Test func auditKeyHashesAreUnchanged() throws {
        // Records written before this implementation must still verify and be found by subject.
        let key = try AuditKey(secret: Array(0..<32))
        let subjectKey = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(
            for: Array("idgate-audit-subject-v1".utf8), using: SymmetricKey(data: Array(UInt8(0)..<32)))))
        #expect(key.subjectHash("001085000123") == Array(HMAC<SHA256>.authenticationCode(for: Array("001085000123".utf8), using: subjectKey)))
        let written = [UInt8](unsafeUninitializedCapacity: 32) { output, count in
            Array("001085000123".utf8).withUnsafeBytes { key.writeSubjectHash($0, to: UnsafeMutableRawPointer(output.baseAddress!)) }
            count = 32
        }
        #expect(written == key.subjectHash("001085000123"))
        let chain = SHA256Key.hashing(Array("chain".utf8))
        let recordKey = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(
            for: Array("idgate-audit-record-v1".utf8), using: SymmetricKey(data: Array(UInt8(0)..<32)))))
        let chainBytes = withUnsafeBytes(of: chain.words) { Array($0) }
        #expect(key.recordTag(chainHash: chain)
            == Array(HMAC<SHA256>.authenticationCode(for: chainBytes, using: recordKey).prefix(AuditFormat.tagLength)))
    }
}

@Suite struct AuditRecordTextTests {
    /// The request path hands over a `TransactionID` and an `IDNumber` unformatted; the frame must be byte for byte
    /// the one the formatted strings give (investigators query by the same subject hash and transaction text).
    @Test func unformattedFieldsWriteTheSameFrame() throws {
        let key = try AuditKey(secret: Array(0..<32))
        let id = TransactionID(high: 0x0193_5A2B_3C4D_5E6F, low: 0x0123_4567_89AB_CDEF)
        let subject = IDNumber(unchecked: 1_085_000_123)
        let time = Date(timeIntervalSince1970: 1_795_405_780)
        var fast = AuditRecord(
            clientID: "bank-a", purpose: "account-opening", operation: .match, transaction: id, subject: subject,
            attributes: AttributeSet([.fullName]), decision: .match, status: 200, latencyMicros: 7)
        fast.time = time
        let slow = AuditRecord(
            time: time, clientID: "bank-a", purpose: "account-opening", operation: .match, transactionID: id.description,
            subjectIDNumber: "001085000123", attributes: AttributeSet([.fullName]), decision: .match, status: 200, latencyMicros: 7)
        var fastFrame: [UInt8] = [], slowFrame: [UInt8] = []
        let previous = SHA256Key.hashing(Array("previous".utf8))
        let fastHash = AuditFrame.append(fast, sequence: 5, previousHash: previous, key: key, to: &fastFrame)
        let slowHash = AuditFrame.append(slow, sequence: 5, previousHash: previous, key: key, to: &slowFrame)
        #expect(fastFrame == slowFrame)
        #expect(fastHash == slowHash)
        #expect(fast.transactionID == id.description)
        #expect(fast.subjectIDNumber == "001085000123")
    }
}

@Suite struct AuditFrameLayoutTests {
    /// The layout of `AuditFormat`, assembled field by field: segments written by any version must stay readable.
    private func documentedFrame(
        _ record: AuditRecord, sequence: UInt64, previousHash: SHA256Key, key: AuditKey
    ) -> (bytes: [UInt8], chainHash: SHA256Key) {
        func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        func short(_ text: String?) -> [UInt8] { Array(Array((text ?? "").utf8).prefix(255)) }
        let client = short(record.clientID), purpose = short(record.purpose), transaction = short(record.transactionID)
        var payload = littleEndian(sequence) + littleEndian(Int64((record.time.timeIntervalSince1970 * 1e6).rounded()))
        payload += littleEndian(record.latencyMicros) + littleEndian(record.status) + littleEndian(record.attributes.rawValue)
        payload += [record.operation.code, record.decision.rawValue, record.subjectIDNumber == nil ? 0 : 1]
        payload += [UInt8(client.count), UInt8(purpose.count), UInt8(transaction.count)]
        payload += record.subjectIDNumber.map(key.subjectHash) ?? [UInt8](repeating: 0, count: 32)
        payload += client + purpose + transaction
        let previous = withUnsafeBytes(of: previousHash.words) { Array($0) }
        let hashed = littleEndian(UInt32(payload.count)) + payload + previous
        let chainHash = SHA256Key.hashing(hashed)
        let framed = hashed + key.recordTag(chainHash: chainHash)
        return (framed + littleEndian(CRC32C.checksum(framed)), chainHash)
    }

    @Test(arguments: [false, true]) func frameBytesFollowTheDocumentedLayout(longest: Bool) throws {
        let key = try AuditKey(secret: Array(0..<32))
        let long = String(repeating: "x", count: 300)
        let record = AuditRecord(
            time: Date(timeIntervalSince1970: 1_795_405_780.123456), clientID: longest ? long : "telco-b",
            purpose: longest ? long : nil, operation: .batch, transactionID: longest ? long : "01M8328ZAKDESXEZBYXRM25K4Z",
            subjectIDNumber: longest ? "079203000456" : nil, attributes: AttributeSet([.idNumber, .phoneNumber]),
            decision: .partial, status: 200, latencyMicros: 1234)
        let previous = SHA256Key.hashing(Array("previous".utf8))
        var buffer: [UInt8] = [0xAA]  // frames are appended after what the buffer holds
        let chainHash = AuditFrame.append(record, sequence: 42, previousHash: previous, key: key, to: &buffer)
        let expected = documentedFrame(record, sequence: 42, previousHash: previous, key: key)
        #expect(buffer.first == 0xAA)
        #expect(Array(buffer.dropFirst()) == expected.bytes)
        #expect(chainHash == expected.chainHash)
        // Short frame: the fixed payload, "telco-b" and the 26-character transaction ID.
        #expect(buffer.count - 1 == AuditFormat.frameOverhead + (longest ? AuditFormat.maximumPayloadLength : 62 + 7 + 26))
    }
}
