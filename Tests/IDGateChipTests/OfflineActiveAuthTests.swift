import Foundation
import Testing
@testable import IDGateChip

/// `idgate chip verify`'s offline Active Authentication check, on the BSI RSA-1024 ISO/IEC 9796-2 vectors (SHA-1 and
/// SHA-256 trailers) and a generated ECDSA P-256 card key, each also bit-flipped.
@Suite struct OfflineActiveAuthTests {
    static let dg15 = Fixture.bytes("bsi_tr03105-5_full/EF_DG15.bin")
    /// The SubjectPublicKeyInfo inside DG15, as an operator would export it.
    static let subjectPublicKeyInfo: [UInt8] = {
        let node = try! ElementaryFile.content(dg15[...], tag: .application(15), maxSize: 4096)
        return Array(node.encodedBytes)
    }()

    static func response(_ vector: ActiveAuthenticationTests.Vector) -> ActiveAuthInput {
        ActiveAuthInput(challengeHex: vector.challenge, signatureHex: vector.signature)!
    }

    @Test func rsaVectorsWithEitherKeyForm() {
        for vector in ActiveAuthenticationTests.vectors {
            for key in [ActiveAuthPublicKey.dataGroup15(Self.dg15), .subjectPublicKeyInfo(Self.subjectPublicKeyInfo)] {
                let report = try! OfflineChipCheck(
                    dataGroups: key.isDataGroup ? [15: Self.dg15] : [:],
                    activeAuthPublicKey: key.isDataGroup ? nil : Self.subjectPublicKeyInfo,
                    activeAuthResponse: Self.response(vector)
                ).run(trustStore: Fixture.emptyTrust)
                #expect(report.activeAuth == ActiveAuthResult(result: .valid, reason: nil), "\(vector.hash)")
                #expect(report.isValid && report.verification == nil)
                #expect(report.jsonString() == #"{"activeAuth":{"result":"valid"}}"#)
            }
        }
    }

    @Test func bitFlippedRSAResponsesAreInvalid() {
        for vector in ActiveAuthenticationTests.vectors {
            let response = Self.response(vector)
            for bit in stride(from: 0, to: response.signature.count * 8, by: 97) {
                var signature = response.signature
                signature[bit / 8] ^= 1 << (bit % 8)
                let result = ActiveAuthentication.verify(
                    publicKey: .subjectPublicKeyInfo(Self.subjectPublicKeyInfo),
                    response: ActiveAuthInput(challenge: response.challenge, signature: signature))
                #expect(result.result == .invalid, "\(vector.hash) bit \(bit)")
            }
            for bit in 0..<64 {
                var challenge = response.challenge
                challenge[bit / 8] ^= 1 << (bit % 8)
                let result = ActiveAuthentication.verify(
                    publicKey: .dataGroup15(Self.dg15), response: ActiveAuthInput(challenge: challenge, signature: response.signature))
                #expect(result == ActiveAuthResult(result: .invalid, reason: "signature_invalid"), "\(vector.hash) bit \(bit)")
            }
        }
    }

    @Test func generatedECDSAKey() throws {
        let key = try PrivateKey.generateEC()
        let challenge: [UInt8] = [0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE]
        let signature = try ActiveAuthSigner.sign(challenge: challenge, keyPEM: key.pkcs8PEM)
        let publicKey = ActiveAuthPublicKey.subjectPublicKeyInfo(key.publicKeyDER)
        #expect(ActiveAuthentication.verify(publicKey: publicKey, response: ActiveAuthInput(challenge: challenge, signature: signature)).result == .valid)
        for bit in stride(from: 0, to: signature.count * 8, by: 13) {
            var flipped = signature
            flipped[bit / 8] ^= 1 << (bit % 8)
            #expect(ActiveAuthentication.verify(publicKey: publicKey, response: ActiveAuthInput(challenge: challenge, signature: flipped)).result == .invalid, "bit \(bit)")
        }
        #expect(ActiveAuthentication.verify(publicKey: .subjectPublicKeyInfo([0x30, 0x00]), response: ActiveAuthInput(challenge: challenge, signature: signature))
            == ActiveAuthResult(result: .invalid, reason: "public_key_unparsable"))
    }

    @Test func withItsSODTheKeyMustBeVouchedFor() throws {
        // The ETSI sample's SOD covers its DG15; the BSI DG15 is not in that SOD.
        let sod = Fixture.bytes("pymrtd/etsi_tr103200_EACAA/EF_SOD.bin")
        let vector = ActiveAuthenticationTests.vectors[0]
        let report = try OfflineChipCheck(sod: sod, dataGroups: [15: Self.dg15], activeAuthResponse: Self.response(vector))
            .run(trustStore: Fixture.emptyTrust)
        #expect(report.activeAuth == ActiveAuthResult(result: .invalid, reason: "dg15_not_authenticated"))
        #expect(!report.isValid)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.jsonString().utf8)) as? [String: Any])
        #expect(json["activeAuth"] as? [String: String] == ["result": "invalid", "reason": "dg15_not_authenticated"])
        #expect(json["result"] as? String == "invalid")
        // A bare key is taken as given, beside passive authentication of the SOD.
        let bare = try OfflineChipCheck(sod: sod, activeAuthPublicKey: Self.subjectPublicKeyInfo, activeAuthResponse: Self.response(vector))
            .run(trustStore: Fixture.emptyTrust)
        #expect(bare.activeAuth?.result == .valid)
        #expect(bare.verification?.passiveAuth.errors == ["no_trusted_csca"])
    }

    @Test func inputThatAsksForNothingOrTooMuch() {
        let response = Self.response(ActiveAuthenticationTests.vectors[0])
        #expect(throws: OfflineChipCheck.Problem.nothingToVerify) { try OfflineChipCheck().validate() }
        #expect(throws: OfflineChipCheck.Problem.activeAuthKeyMissing) { try OfflineChipCheck(activeAuthResponse: response).validate() }
        #expect(throws: OfflineChipCheck.Problem.activeAuthKeyGivenTwice) {
            try OfflineChipCheck(dataGroups: [15: Self.dg15], activeAuthPublicKey: Self.subjectPublicKeyInfo, activeAuthResponse: response).validate()
        }
        #expect(ActiveAuthInput(challengeHex: "01:23 45", signatureHex: "AbCd")?.challenge == [0x01, 0x23, 0x45])
        for bad in ["", "0", "0g", "01 2", "0x01"] {
            #expect(ActiveAuthInput(challengeHex: bad, signatureHex: "00") == nil, "\(bad)")
        }
    }
}

extension ActiveAuthPublicKey {
    var isDataGroup: Bool {
        if case .dataGroup15 = self { return true }
        return false
    }
}
