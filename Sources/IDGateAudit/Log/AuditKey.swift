import Foundation
import IDGateCore
import IDGateStore
import IDGateWire

/// The secret audit key (32 random bytes, base64 in a file readable only by the gateway and investigators).
///
/// Two keys are derived from it: one hashes subjects' ID numbers (so records can be searched by number without
/// holding numbers), one authenticates each record's chain hash (so someone without the key cannot rebuild a
/// consistent chain after editing records).
/// A class: the writer thread uses it for every record, and copying it as a struct (two keys and two keyed hash
/// states, also into the closures that capture it) cost retains and ~450-byte copies per record.
public final class AuditKey: Sendable {
    /// HMAC states already keyed: copying one skips the key schedule (half the hashing) for every record.
    private let subjectMAC: KeyedSHA256
    private let recordMAC: KeyedSHA256

    public init(secret: [UInt8]) throws {
        guard secret.count >= 32 else { throw AuditError.invalidKey("audit key must be at least 32 bytes") }
        // Each key is HMAC-SHA256(secret, label), as before: existing key files and logs keep verifying.
        let master = KeyedSHA256(key: secret)
        subjectMAC = KeyedSHA256(key: master.authenticationCode(Array("idgate-audit-subject-v1".utf8)))
        recordMAC = KeyedSHA256(key: master.authenticationCode(Array("idgate-audit-record-v1".utf8)))
    }

    /// Reads a key file (base64 of the secret, surrounding whitespace ignored).
    public static func load(from url: URL) throws -> AuditKey {
        let text = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let secret = Data(base64Encoded: text) else { throw AuditError.invalidKey("\(url.path) is not base64") }
        return try AuditKey(secret: Array(secret))
    }

    /// Creates a new key file (mode 0600); refuses to replace an existing one.
    @discardableResult
    public static func generate(at url: URL) throws -> AuditKey {
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255) }
        do {
            try SecretFile.create(at: url, contents: Array((Data(secret).base64EncodedString() + "\n").utf8))
        } catch {
            throw AuditError.invalidKey("\(error)")
        }
        return try AuditKey(secret: secret)
    }

    /// Loads the key file, creating it first if it does not exist.
    public static func loadOrGenerate(at url: URL) throws -> AuditKey {
        if FileManager.default.fileExists(atPath: url.path) { return try load(from: url) }
        do {
            return try generate(at: url)
        } catch where FileManager.default.fileExists(atPath: url.path) {
            // Another process created it first: use that key (the file is never overwritten).
            return try load(from: url)
        }
    }

    /// The keyed hash recorded instead of a subject's ID number.
    public func subjectHash(_ idNumber: String) -> [UInt8] {
        var idNumber = idNumber
        return idNumber.withUTF8 { subjectMAC.authenticationCode(UnsafeRawBufferPointer($0)) }
    }

    /// The keyed hash of `idNumber` (its 12 digits) as a key, computed on the request path when something there needs
    /// it (the guessing limiter): handed to the audit record (`AuditRecord.subjectHash`), the writer thread then
    /// stores it instead of hashing the number again.
    public func subjectKey(_ idNumber: IDNumber) -> SHA256Key {
        AuditRecord.Text.idNumber(idNumber).withUTF8 { digits in
            var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &words) { subjectMAC.authenticate(digits, into: $0.baseAddress!) }
            return SHA256Key(words: words)
        }
    }

    /// Writes the 32-byte keyed hash of an ID number to `output`.
    func writeSubjectHash(_ idNumber: UnsafeRawBufferPointer, to output: UnsafeMutableRawPointer) {
        subjectMAC.authenticate(idNumber, into: output)
    }

    /// The 16-byte tag stored with each record: HMAC of its chain hash, truncated.
    func recordTag(chainHash: SHA256Key) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: AuditFormat.tagLength) { tag, count in
            writeRecordTag(chainHash: chainHash, to: UnsafeMutableRawPointer(tag.baseAddress!))
            count = AuditFormat.tagLength
        }
    }

    /// Writes `recordTag(chainHash:)` (`AuditFormat.tagLength` bytes) to `output`.
    func writeRecordTag(chainHash: SHA256Key, to output: UnsafeMutableRawPointer) {
        var mac: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &mac) { mac in
            withUnsafeBytes(of: chainHash.words) { recordMAC.authenticate($0, into: mac.baseAddress!) }
            output.copyMemory(from: mac.baseAddress!, byteCount: AuditFormat.tagLength)
        }
    }
}
