import Foundation
import Testing
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

@Suite struct ResponseSignerTests {
    let body = Array(#"{"transactionId":"01J","decision":"match"}"#.utf8)

    @Test func headerVerifiesAgainstPublishedKey() throws {
        let signer = ResponseSigner.generate()
        let header = signer.headerValue(for: body)
        #expect(header.hasPrefix("keyid=\(signer.keyID); sig="))
        let published = try #require(SigningKeySet(jsonBytes: SigningKeySet(keys: [signer.publicKey]).jsonBytes()))
        let key = try #require(published.keys.first)
        #expect(key.keyID == signer.keyID)
        #expect(key.verifies(headerValue: header, body: body))
    }

    @Test func anyChangedByteOrOtherKeyFails() throws {
        let signer = ResponseSigner.generate()
        let header = signer.headerValue(for: body)
        var edited = body
        edited[5] ^= 0x20
        #expect(!signer.publicKey.verifies(headerValue: header, body: edited))
        #expect(!ResponseSigner.generate().publicKey.verifies(headerValue: header, body: body))
        #expect(!signer.publicKey.verifies(headerValue: "keyid=\(signer.keyID); sig=AAAA", body: body))
        #expect(!signer.publicKey.verifies(headerValue: "garbage", body: body))
    }

    @Test func wellKnownDocumentHasTheAgreedShape() throws {
        let signer = ResponseSigner.generate()
        let object = try JSONSerialization.jsonObject(with: Data(SigningKeySet(keys: [signer.publicKey]).jsonBytes())) as? [String: Any]
        let key = try #require((object?["keys"] as? [[String: Any]])?.first)
        #expect(key["kid"] as? String == signer.keyID)
        #expect(key["alg"] as? String == "Ed25519")
        #expect((key["publicKey"] as? String).flatMap { Data(base64Encoded: $0) }?.count == 32)
    }

    @Test func keyFileRoundTripsAndIsNotOverwritten() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let url = directory.appending("signing-key.json")
        let created = try ResponseSigner.loadOrGenerate(at: url)
        let loaded = try ResponseSigner.loadOrGenerate(at: url)
        #expect(created.keyID == loaded.keyID)
        #expect(loaded.publicKey.verifies(headerValue: created.headerValue(for: body), body: body))
        #expect(throws: SigningKeyError.self) { try ResponseSigner.generate().save(to: url) }
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func mismatchedKeyIDInFileIsRefused() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let url = directory.appending("signing-key.json")
        try ResponseSigner.generate().save(to: url)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: String])
        object["kid"] = "ffffffffffffffff"
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        #expect(throws: SigningKeyError.self) { try ResponseSigner.load(from: url) }
    }
}
