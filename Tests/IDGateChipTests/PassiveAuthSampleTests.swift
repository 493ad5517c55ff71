import Foundation
import Testing
@testable import IDGateChip

/// Every valid public sample verifies; every deliberately broken one fails with its own reason.
@Suite struct PassiveAuthSampleTests {
    @Test(arguments: [
        ("pymrtd/bsi_tr03105-5", [1, 14]),
        ("pymrtd/etsi_tr103200_EACAA", [1, 14, 15]),
        ("bsi_tr03105-5_full", [1, 2, 3, 4, 14]),
        ("jmrtd/bsi2008", [1, 2, 3, 14]),
        ("jmrtd/loes2006", [1, 2, 15]),
    ])
    func specimenSignatureAndDataGroupsVerify(folder: String, dataGroups: [Int]) {
        let verifier = ChipVerifier(trustStore: Fixture.emptyTrust)
        let result = verifier.verify(sod: Fixture.bytes("\(folder)/EF_SOD.bin"), dataGroups: Fixture.dataGroups(folder, dataGroups))
        let passive = result.passiveAuth
        #expect(passive.signature == .valid, "\(passive.errors)")
        #expect(passive.dataGroups == Dictionary(uniqueKeysWithValues: dataGroups.map { ($0, .match) }))
        // No CSCA is published for the specimens: the chain is untrusted and that is the only error.
        #expect(passive.chain == .untrusted)
        #expect(passive.errors == ["no_trusted_csca"])
        #expect(passive.result == .invalid)
        #expect(passive.documentSigner != nil)
    }

    @Test(arguments: ["DE", "FR", "AT", "CN", "NZ"])
    func realPassportChainsToItsCSCA(country: String) throws {
        let folder = "gmrtd/\(country)"
        let documentSigner = try Fixture.certificate("\(folder)/DSC.cer")
        let trust = try TrustStore(paths: [Fixture.path("\(folder)/CSCA.cer")])
        let verifier = ChipVerifier(trustStore: trust)
        let during = documentSigner.notBefore.addingTimeInterval(86_400)
        let result = verifier.verify(sod: Fixture.bytes("\(folder)/EF_SOD.bin"), dataGroups: [:], at: during)
        #expect(result.passiveAuth.signature == .valid, "\(result.passiveAuth.errors)")
        #expect(result.passiveAuth.chain == .trusted)
        #expect(result.passiveAuth.result == .valid, "\(result.passiveAuth.errors)")
        #expect(result.passiveAuth.documentSigner?.country == country)
        let expected = try String(contentsOfFile: Fixture.path("\(folder)/expected.txt"), encoding: .utf8)
        let dg1Line = expected.split(separator: "\n").first { $0.hasPrefix("expDg1Hash=") }!
        #expect(result.sodDataGroupHashes[1] == Fixture.hex(String(dg1Line.dropFirst("expDg1Hash=".count))))
        if country == "CN" { #expect(result.passiveAuth.warnings == ["legacy_content_type:id-data"]) }

        // Long after the Document Signer's validity the chain is expired, not trusted.
        let later = documentSigner.notAfter.addingTimeInterval(86_400 * 400)
        #expect(verifier.verify(sod: Fixture.bytes("\(folder)/EF_SOD.bin"), dataGroups: [:], at: later).passiveAuth.chain == .expired)
    }

    @Test func wrongCSCAIsUntrusted() throws {
        let verifier = ChipVerifier(trustStore: try TrustStore(paths: [Fixture.path("gmrtd/FR/CSCA.cer")]))
        let result = verifier.verify(sod: Fixture.bytes("gmrtd/DE/EF_SOD.bin"), dataGroups: [:])
        #expect(result.passiveAuth.signature == .valid)
        #expect(result.passiveAuth.chain == .untrusted)
        #expect(result.passiveAuth.result == .invalid)
    }

    @Test func dataGroupNotCoveredBySODFails() {
        let verifier = ChipVerifier(trustStore: Fixture.emptyTrust)
        let result = verifier.verify(
            sod: Fixture.bytes("pymrtd/bsi_tr03105-5/EF_SOD.bin"),
            dataGroups: [15: Fixture.bytes("pymrtd/bsi_tr03105-5/EF_DG15_not_in_SOD.bin")])
        #expect(result.passiveAuth.dataGroups == [15: .notInSOD])
        #expect(result.passiveAuth.errors.contains("data_group_not_in_sod:15"))
    }

    @Test func brokenSignatureIsInvalid() {
        let result = ChipVerifier(trustStore: Fixture.emptyTrust).verify(
            sod: Fixture.bytes("pymrtd/negative/etsi_SOD_signature_last_byte_modified.bin"), dataGroups: [:])
        #expect(result.passiveAuth.signature == .invalid)
        #expect(result.passiveAuth.errors.contains("signature_invalid"))
    }

    @Test(arguments: [
        "pymrtd/negative/etsi_SOD_DG1_hash_modified.bin", "pymrtd/negative/etsi_SOD_DG14_hash_modified.bin",
    ])
    func hashChangedInsideSignedContentBreaksTheMessageDigest(file: String) {
        let result = ChipVerifier(trustStore: Fixture.emptyTrust).verify(
            sod: Fixture.bytes(file), dataGroups: Fixture.dataGroups("pymrtd/etsi_tr103200_EACAA", [1, 14]))
        #expect(result.passiveAuth.signature == .invalid)
        #expect(result.passiveAuth.errors.contains("message_digest_mismatch"))
        #expect(result.passiveAuth.result == .invalid)
    }

    @Test func alteredDataGroupsMismatch() {
        let result = ChipVerifier(trustStore: Fixture.emptyTrust).verify(
            sod: Fixture.bytes("pymrtd/etsi_tr103200_EACAA/EF_SOD.bin"),
            dataGroups: [
                1: Fixture.bytes("pymrtd/negative/etsi_DG1_country_modified.bin"),
                15: Fixture.bytes("pymrtd/negative/etsi_DG15_exponent_modified.bin"),
            ])
        #expect(result.passiveAuth.signature == .valid)
        #expect(result.passiveAuth.dataGroups == [1: .mismatch, 15: .mismatch])
        #expect(result.passiveAuth.errors.contains("data_group_mismatch:1"))
        #expect(result.passiveAuth.errors.contains("data_group_mismatch:15"))
    }

    @Test func trailingByteAfterSODIsRejected() {
        let result = ChipVerifier(trustStore: Fixture.emptyTrust).verify(
            sod: Fixture.bytes("pymrtd/negative/bsi_SOD_trailing_data.bin"), dataGroups: [:])
        #expect(result.passiveAuth.result == .invalid)
        #expect(result.passiveAuth.errors == ["sod_trailing_data:1"])
    }

    @Test func changedContentTypeIsRejected() {
        // Both the encapsulated type and the signed contentType attribute were changed: the signature breaks.
        let result = ChipVerifier(trustStore: Fixture.emptyTrust).verify(
            sod: Fixture.bytes("pymrtd/negative/bsi_SOD_eContentType_id-data.bin"), dataGroups: [:])
        #expect(result.passiveAuth.signature == .invalid)
        #expect(result.passiveAuth.errors.contains("signature_invalid"))
        #expect(result.passiveAuth.warnings == ["legacy_content_type:id-data"])
    }

    @Test func unsupportedLDSVersionIsRejected() {
        let result = ChipVerifier(trustStore: Fixture.emptyTrust).verify(
            sod: Fixture.bytes("pymrtd/negative/bsi_SOD_lds_version2.bin"), dataGroups: [:])
        #expect(result.passiveAuth.result == .invalid)
        #expect(result.passiveAuth.errors == ["lds_unsupported_version:2"])
    }
}
