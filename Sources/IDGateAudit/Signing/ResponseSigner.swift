import Crypto
import Foundation
import IDGateCore
import IDGateWire

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
        self.keyID = Hex.encode(SHA256Key.hashing(rawRepresentation).bytes.prefix(8))
    }

    /// Checks `signature` over `body`.
    public func isValidSignature(_ signature: [UInt8], for body: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation) else { return false }
        return key.isValidSignature(signature, for: body)
    }

    /// Checks an `x-idgate-signature` header value over `body` (what a relying party does): a single signature
    /// over the body, or a batch signature (`BatchResponseSigner`): the body's leaf hash, found in `leaves` when the
    /// answer shares its header with others of its group, then the group's place in the signed tree.
    public func verifies(headerValue: String, body: [UInt8]) -> Bool {
        guard let parsed = SignatureHeader(headerValue), parsed.keyID == keyID else { return false }
        guard let batch = parsed.batch else { return parsed.leaves == nil && isValidSignature(parsed.signature, for: body) }
        var groupRoot = body.withUnsafeBytes { MerkleHash.leaf($0) }
        if let leaves = parsed.leaves {
            guard leaves.count > 1, leaves.contains(groupRoot) else { return false }
            groupRoot = MerkleTree(leaves: leaves).root
        }
        guard let root = MerkleHash.root(leaf: groupRoot, index: batch.index, count: batch.count, path: batch.path) else {
            return false
        }
        var message = BatchResponseSigner.rootPrefix
        message.append(root)
        return isValidSignature(parsed.signature, for: message)
    }
}

/// A parsed `x-idgate-signature` value.
public struct SignatureHeader: Sendable, Equatable {
    /// Where a batch-signed body sits in its Merkle tree.
    public struct BatchPosition: Sendable, Equatable {
        public var index: Int
        public var count: Int
        public var path: [UInt8]
    }

    public var keyID: String
    public var signature: [UInt8]
    /// Present for batch signatures (`leaf=` and `path=`).
    public var batch: BatchPosition?
    /// The leaf hashes of the answer's group (`leaves=`), when it has more than one member.
    public var leaves: [SHA256Key]?

    public init?(_ value: String) {
        guard let fields = Self.fields(value), let keyID = fields["keyid"],
              let signature = fields["sig"].flatMap({ Data(base64Encoded: $0) })
        else { return nil }
        self.keyID = keyID
        self.signature = Array(signature)
        if fields["leaf"] != nil {
            guard let position = BatchPosition(fields: fields) else { return nil }
            batch = position
        }
        if let list = fields["leaves"] {
            guard let bytes = Data(base64Encoded: list), bytes.count % 32 == 0 else { return nil }
            let bytesArray = Array(bytes)
            leaves = stride(from: 0, to: bytesArray.count, by: 32).compactMap { SHA256Key(bytes: bytesArray[$0..<$0 + 32]) }
        }
    }

    /// `name=value` pairs separated by `;`.
    static func fields(_ value: String) -> [String: String]? {
        var fields: [String: String] = [:]
        for part in value.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { return nil }
            fields[pair[0]] = pair[1]
        }
        return fields
    }
}

extension SignatureHeader.BatchPosition {
    init?(fields: [String: String]) {
        guard let position = fields["leaf"]?.split(separator: "/"), position.count == 2,
              let index = Int(position[0]), let count = Int(position[1]),
              let path = fields["path"].flatMap({ Data(base64Encoded: $0) })
        else { return nil }
        self.init(index: index, count: count, path: Array(path))
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
