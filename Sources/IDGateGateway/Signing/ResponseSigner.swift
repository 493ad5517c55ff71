import Crypto
import Foundation

/// Signs response bodies with the gateway's Ed25519 key so a relying party can later prove what the registry
/// answered: the detached signature covers the exact body bytes and travels in `x-idgate-signature`
/// (docs/CLIENTS.md, "Signed answers").
public struct ResponseSigner: Sendable {
    public static let headerName = "x-idgate-signature"

    private let privateKey: Curve25519.Signing.PrivateKey
    public let publicKey: SigningPublicKey

    public init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        self.publicKey = SigningPublicKey(rawRepresentation: Array(privateKey.publicKey.rawRepresentation))!
    }

    public static func generate() -> ResponseSigner { ResponseSigner(privateKey: .init()) }

    public var keyID: String { publicKey.keyID }

    var privateKeyBase64: String { privateKey.rawRepresentation.base64EncodedString() }

    /// The Ed25519 signature (64 bytes) of `body`.
    public func signature(for body: UnsafeRawBufferPointer) -> [UInt8] {
        // Signing with a valid in-memory key cannot fail; the API throws only for hardware-backed keys.
        Array(try! privateKey.signature(for: body))
    }

    /// `keyid=<kid>; sig=<base64 signature>`, the value of `x-idgate-signature`.
    public func headerValue(for body: UnsafeRawBufferPointer) -> String {
        "keyid=\(keyID); sig=\(Data(signature(for: body)).base64EncodedString())"
    }

    public func headerValue(for body: [UInt8]) -> String { body.withUnsafeBytes { headerValue(for: $0) } }
}

/// A public signing key as published at `/.well-known/idgate-signing-keys`.
public struct SigningPublicKey: Sendable, Equatable {
    public let rawRepresentation: [UInt8]
    /// First 8 bytes of SHA-256 of the raw public key, hex: stable across restarts, distinct across rotations.
    public let keyID: String

    public init?(rawRepresentation: [UInt8]) {
        guard (try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation)) != nil else { return nil }
        self.rawRepresentation = rawRepresentation
        self.keyID = SHA256.hash(data: rawRepresentation).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Checks `signature` over `body`.
    public func isValidSignature(_ signature: [UInt8], for body: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation) else { return false }
        return key.isValidSignature(signature, for: body)
    }

    /// Checks an `x-idgate-signature` header value over `body` (what a relying party does).
    public func verifies(headerValue: String, body: [UInt8]) -> Bool {
        guard let parsed = SignatureHeader(headerValue), parsed.keyID == keyID else { return false }
        return isValidSignature(parsed.signature, for: body)
    }
}

/// A parsed `x-idgate-signature` value.
public struct SignatureHeader: Sendable, Equatable {
    public var keyID: String
    public var signature: [UInt8]

    public init?(_ value: String) {
        var keyID: String? = nil
        var signature: [UInt8]? = nil
        for part in value.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { return nil }
            switch pair[0] {
            case "keyid": keyID = pair[1]
            case "sig": signature = Data(base64Encoded: pair[1]).map(Array.init)
            default: continue
            }
        }
        guard let keyID, let signature else { return nil }
        self.keyID = keyID
        self.signature = signature
    }
}

/// The JSON document of `/.well-known/idgate-signing-keys`:
/// `{"keys":[{"kid":"…","alg":"Ed25519","publicKey":"<base64>"}]}`. List retired keys too, so old answers stay
/// verifiable after a rotation.
public struct SigningKeySet: Sendable {
    public var keys: [SigningPublicKey]

    public init(keys: [SigningPublicKey]) { self.keys = keys }

    public func jsonBytes() -> [UInt8] {
        let entries = keys.map { key in
            "{\"kid\":\"\(key.keyID)\",\"alg\":\"Ed25519\",\"publicKey\":\"\(Data(key.rawRepresentation).base64EncodedString())\"}"
        }
        return Array("{\"keys\":[\(entries.joined(separator: ","))]}".utf8)
    }

    /// Parses the document (what a relying party does to fetch keys).
    public init?(jsonBytes: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(jsonBytes)) as? [String: Any],
              let entries = object["keys"] as? [[String: Any]]
        else { return nil }
        var keys: [SigningPublicKey] = []
        for entry in entries {
            guard entry["alg"] as? String == "Ed25519", let text = entry["publicKey"] as? String,
                  let raw = Data(base64Encoded: text), let key = SigningPublicKey(rawRepresentation: Array(raw)),
                  entry["kid"] as? String == key.keyID
            else { return nil }
            keys.append(key)
        }
        self.keys = keys
    }
}
