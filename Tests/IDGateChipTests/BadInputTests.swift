import Foundation
import Testing
@testable import IDGateChip

/// Hostile or broken input ends in an `invalid` result with a reason: never a crash, never a hang.
@Suite struct BadInputTests {
    let verifier = ChipVerifier(trustStore: Fixture.emptyTrust)
    let goodSOD = Fixture.bytes("pymrtd/etsi_tr103200_EACAA/EF_SOD.bin")

    @Test func garbageAndEmpty() {
        for input in [[], [0x77], [0x77, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], Array("not a SOD at all".utf8), [UInt8](repeating: 0, count: 100)] {
            let result = verifier.verify(sod: input, dataGroups: [:])
            #expect(result.passiveAuth.result == .invalid)
            #expect(result.passiveAuth.errors.count == 1)
            #expect(result.passiveAuth.errors[0].hasPrefix("sod_"))
        }
    }

    @Test func everyTruncationIsRejected() {
        for length in stride(from: 0, to: goodSOD.count, by: 7) {
            let result = verifier.verify(sod: Array(goodSOD.prefix(length)), dataGroups: [:])
            #expect(result.passiveAuth.result == .invalid)
            #expect(result.passiveAuth.errors.first?.hasPrefix("sod_") == true)
        }
    }

    @Test func tenMegabyteSOD() {
        var huge = [UInt8](repeating: 0x41, count: 10 << 20)
        huge[0] = 0x77
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(verifier.verify(sod: huge, dataGroups: [:]).passiveAuth.errors == ["sod_too_large"])
        }
        #expect(elapsed < .seconds(1))
    }

    @Test func deeplyNestedASN1() {
        // 10,000 nested indefinite-length SEQUENCEs: an elementary file's length is never indefinite.
        let indefinite: [UInt8] = [0x77, 0x80] + Array(repeating: [0x30, 0x80], count: 10_000).flatMap { $0 }
            + Array(repeating: 0, count: 20_002)
        #expect(verifier.verify(sod: indefinite, dataGroups: [:]).passiveAuth.errors.first?.hasPrefix("sod_malformed") == true)
        // 200 definite levels are refused at the parser's depth limit, not walked.
        var definite: [UInt8] = [0x05, 0x00]
        for _ in 0..<200 { definite = DERWriter.sequence([definite]) }
        let nested = DERWriter.tlv(0x77, definite)
        #expect(verifier.verify(sod: nested, dataGroups: [:]).passiveAuth.errors == ["sod_malformed:malformed ASN.1"])
        #expect(throws: (any Error).self) { try ContentInfo(bytes: definite[...], rules: .ber) }
    }

    @Test func lengthsAreNeverTrusted() {
        // A length beyond the bytes present, a length of more than four bytes, an indefinite primitive.
        for sod: [UInt8] in [[0x77, 0x84, 0x7F, 0xFF, 0xFF, 0xFF, 0x00], [0x77, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1],
            [0x77, 0x04, 0x30, 0x84, 0x7F, 0xFF], [0x77, 0x04, 0x04, 0x80, 0x00, 0x00]]
        {
            let errors = verifier.verify(sod: sod, dataGroups: [:]).passiveAuth.errors
            #expect(errors.count == 1 && errors[0].hasPrefix("sod_malformed"), "\(sod): \(errors)")
        }
        #expect(ElementaryFile.encodedLength([0x77, 0x84, 0x7F, 0xFF, 0xFF, 0xFF, 0x00]) == nil)
        #expect(ElementaryFile.encodedLength([0x5F, 0x1F, 0x02, 0x41, 0x42, 0x43]) == 5)
    }

    @Test func dataGroupThatDoesNotParse() {
        let result = verifier.verify(sod: goodSOD, dataGroups: [1: [0x61, 0x03, 0x5F, 0x1F, 0x05]])
        #expect(result.passiveAuth.result == .invalid)
        #expect(result.passiveAuth.dataGroups[1] == .mismatch)
        #expect(result.passiveAuth.errors.contains("dg1_unparsable:not a DG1 file"))
        #expect(result.personalData == nil)
        let dg13 = verifier.verify(sod: goodSOD, dataGroups: [13: [0x6D, 0x02, 0x01, 0x00]])
        #expect(dg13.passiveAuth.dataGroups[13] == .notInSOD)
        #expect(dg13.passiveAuth.errors.contains { $0.hasPrefix("dg13_unparsable") })
    }

    @Test func wrongDataGroupNumbers() {
        let dg1 = Fixture.bytes("pymrtd/etsi_tr103200_EACAA/EF_DG1.bin")
        let result = verifier.verify(sod: goodSOD, dataGroups: [0: dg1, 17: dg1, 14: dg1])
        #expect(result.passiveAuth.result == .invalid)
        #expect(result.passiveAuth.errors.contains("invalid_data_group_number:0"))
        #expect(result.passiveAuth.errors.contains("invalid_data_group_number:17"))
        #expect(result.passiveAuth.errors.contains("data_group_tag_mismatch:14"))
        #expect(result.passiveAuth.dataGroups == [14: .mismatch])
    }

    @Test func unknownSignatureAlgorithm() throws {
        // Re-sign nothing: swap the SignerInfo's signature algorithm OID for an unknown one of the same length.
        var sod = Fixture.bytes("jmrtd/loes2006/EF_SOD.bin")
        let sha256WithRSA = DERWriter.oid(.sha256WithRSA)
        let unknown = DERWriter.oid(OID("1.2.840.113549.1.1.99"))
        #expect(sha256WithRSA.count == unknown.count)
        let ranges = sod.indices.filter { sod[$0...].starts(with: sha256WithRSA) }
        let last = try #require(ranges.last)
        sod.replaceSubrange(last..<(last + unknown.count), with: unknown)
        let result = verifier.verify(sod: sod, dataGroups: [:])
        #expect(result.passiveAuth.signature == .invalid)
        #expect(result.passiveAuth.errors.contains { $0.hasPrefix("unsupported_algorithm") }, "\(result.passiveAuth.errors)")
    }

    @Test func jsonIsWellFormed() throws {
        let result = verifier.verify(sod: goodSOD, dataGroups: Fixture.dataGroups("pymrtd/etsi_tr103200_EACAA", [1, 15]))
        let bytes = result.passiveAuth.jsonBytes(sodDataGroupHashes: result.sodDataGroupHashes)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["result"] as? String == "invalid")
        #expect(object["signature"] as? String == "valid")
        #expect(object["chain"] as? String == "untrusted")
        #expect(object["dataGroups"] as? [String: String] == ["1": "match", "15": "match"])
        #expect((object["sodDataGroupHashes"] as? [String: String])?.keys.sorted() == ["1", "14", "15", "2", "3", "4"])
        #expect(object["errors"] as? [String] == ["no_trusted_csca"])
        let signer = try #require(object["documentSigner"] as? [String: Any])
        #expect(signer["serialNumber"] is String)
    }
}
