import Foundation
import IDGateAudit
import IDGateCore
import IDGateWire

/// API key generation: `idg_<keyId>_<43 base64url characters of 32 random bytes>`.
///
/// The key id in the clear lets operators see which key a client uses during a rotation grace period; only
/// the SHA-256 of the whole string is ever stored.
public enum APIKey {
    /// A new key and the record to store for it. Show `key` to the operator once; it cannot be recovered.
    public static func generate(createdAt: Date = Date()) -> (key: String, record: APIKeyRecord) {
        var generator = SystemRandomNumberGenerator()
        let idBytes = (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let keyId = Hex.encode(idBytes)
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let key = "idg_\(keyId)_\(Base64.encodeURL(secret))"
        let record = APIKeyRecord(
            keyId: keyId, sha256: SHA256Key.hashing(Array(key.utf8)).hex, createdAt: wholeSeconds(createdAt))
        return (key, record)
    }

    /// `clients.json` stores ISO 8601 times without fractions; rounding keeps a saved file equal to the edited one.
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
