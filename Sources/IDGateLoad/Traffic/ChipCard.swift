import Crypto
import Foundation
import IDGateCore

/// A test card from the demo folder: its SOD and data groups pre-encoded into the verify body, and the chip's
/// Active Authentication key to answer the gateway's challenge.
public struct ChipCard: Sendable {
    public let id: String
    /// `valid`, `tampered`, `revoked_ds` or `no_aa`.
    public let kind: String
    /// `nil` when the card does Active Authentication without a key file or is `no_aa`: verify is sent directly.
    let activeAuthKey: P256.Signing.PrivateKey?
    /// `{"sod":"...","dataGroups":{...}` (the body up to, not including, `activeAuth` and the closing brace).
    let verifyBodyPrefix: [UInt8]

    public init(id: String, kind: String, directory: String) throws {
        self.id = id
        self.kind = kind
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        func read(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)) }
        guard files.contains("EF_SOD.bin") else { throw LoadOptionError.missing("EF_SOD.bin in \(directory)") }
        var groups: [(Int, String)] = []
        for name in files where name.hasPrefix("EF_DG") && name.hasSuffix(".bin") {
            if let number = Int(name.dropFirst(5).dropLast(4)) { groups.append((number, try read(name).base64EncodedString())) }
        }
        groups.sort { $0.0 < $1.0 }
        let dataGroups = groups.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",")
        verifyBodyPrefix = Array("{\"sod\":\"\(try read("EF_SOD.bin").base64EncodedString())\",\"dataGroups\":{\(dataGroups)}".utf8)
        if kind != "no_aa", files.contains("aa.key.pem") {
            let pem = String(decoding: try read("aa.key.pem"), as: UTF8.self)
            do { activeAuthKey = try P256.Signing.PrivateKey(pemRepresentation: pem) } catch {
                throw LoadOptionError.invalid("aa.key.pem (want ECDSA P-256) in", directory)
            }
        } else {
            activeAuthKey = nil
        }
    }

    /// The verify body: the pre-encoded SOD and data groups, the signed challenge when given, and the purpose.
    func verifyBody(activeAuth: (challengeId: String, signature: String)?, purposeSuffix: [UInt8]) -> [UInt8] {
        var body = verifyBodyPrefix
        if let activeAuth {
            body += Array(",\"activeAuth\":{\"challengeId\":\(ChipCard.jsonString(activeAuth.challengeId)),\"signature\":\"\(activeAuth.signature)\"}".utf8)
        }
        body += purposeSuffix
        body.append(UInt8(ascii: "}"))
        return body
    }

    /// Signs the challenge (its 8 bytes, decoded from 16 hex digits) with ECDSA P-256 over SHA-256; plain r‖s, base64.
    func signChallenge(hex: String) -> String? {
        guard let activeAuthKey, let bytes = ChipCard.decodeHex(hex),
            let signature = try? activeAuthKey.signature(for: bytes)
        else { return nil }
        return signature.rawRepresentation.base64EncodedString()
    }

    static func decodeHex(_ hex: String) -> Data? {
        guard !hex.isEmpty, let bytes = Hex.decode(hex) else { return nil }
        return Data(bytes)
    }

    /// `text` as a JSON string literal, quotes included.
    static func jsonString(_ text: String) -> String {
        var literal: [UInt8] = []
        literal.write(jsonString: text)
        return String(decoding: literal, as: UTF8.self)
    }
}
