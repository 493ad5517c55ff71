import Crypto
import Foundation
import IDGateCore
import IDGateWire

extension ResponseSigner {
    /// Key file: `{"kid": "…", "alg": "Ed25519", "privateKey": "<base64 of the 32-byte seed>"}`, mode 0600.
    private struct KeyFile: Codable {
        var kid: String
        var alg: String
        var privateKey: String
    }

    public static func load(from url: URL) throws -> ResponseSigner {
        let file = try JSONDecoder().decode(KeyFile.self, from: Data(contentsOf: url))
        guard file.alg == "Ed25519", let seed = Data(base64Encoded: file.privateKey) else {
            throw SigningKeyError.invalid("\(url.path): expected an Ed25519 key")
        }
        let signer = ResponseSigner(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: seed))
        guard signer.keyID == file.kid else { throw SigningKeyError.invalid("\(url.path): kid does not match the key") }
        return signer
    }

    /// Writes the key file; refuses to replace an existing one.
    public func save(to url: URL) throws {
        let file = KeyFile(kid: keyID, alg: "Ed25519", privateKey: privateKeyBase64)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try SecretFile.create(at: url, contents: Array(try encoder.encode(file)))
    }

    /// Loads the key file, generating and saving a new key if there is none.
    public static func loadOrGenerate(at url: URL) throws -> ResponseSigner {
        if FileManager.default.fileExists(atPath: url.path) { return try load(from: url) }
        let signer = generate()
        do {
            try signer.save(to: url)
        } catch where FileManager.default.fileExists(atPath: url.path) {
            // Another process created it first: use that key (the file is never overwritten).
            return try load(from: url)
        }
        return signer
    }
}

public enum SigningKeyError: Error, Sendable, Equatable {
    case invalid(String)
}
