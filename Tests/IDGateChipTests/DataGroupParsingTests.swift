import Foundation
import IDGateStore
import Testing
@testable import IDGateChip

@Suite struct DataGroupParsingTests {
    @Test func td3PassportMRZ() throws {
        let mrz = try MRZ(dg1: Fixture.bytes("bsi_tr03105-5_full/EF_DG1.bin"))
        #expect(mrz.format == .td3)
        #expect(mrz.documentCode.hasPrefix("P"))
        #expect(mrz.issuingState == "D<<")
        #expect(!mrz.primaryIdentifier.isEmpty)
    }

    @Test func td1IDCardMRZ() throws {
        // The ICAO 9303-10 A.21 example DG1 carries composite check digit 4 where the digits give 8.
        var dg1 = Fixture.bytes("pymrtd/icao9303_p10_A21_DG1.bin")
        #expect(throws: DataGroupParseError(dataGroup: 1, reason: "check digit of composite")) { try MRZ(dg1: dg1) }
        dg1[5 + 59] = 0x38
        let mrz = try MRZ(dg1: dg1)
        #expect(mrz.format == .td1)
        #expect(mrz.issuingState == "NLD")
        #expect(mrz.documentNumber == "XI85935F8")
        #expect(mrz.optionalData == "999999990")
        #expect(mrz.primaryIdentifier == "VAN DER STEEN")
        #expect(mrz.secondaryIdentifier == "MARIANNE LOUISE")
        let data = mrz.personalData(today: PartialDate(year: 2026, month: 1, day: 1)!)
        #expect(data.dateOfBirth == PartialDate(year: 1972, month: 8, day: 14))
        #expect(data.sex == .female)
        #expect(data.cardExpiryDate == PartialDate(year: 2011, month: 8, day: 26))
    }

    @Test func checkDigitFailureIsReported() throws {
        var dg1 = Fixture.bytes("pymrtd/icao9303_p10_A21_DG1.bin")
        // The date-of-birth digit "4" of 720814 → "5": its check digit no longer holds.
        dg1[5 + 59] = 0x38
        let index = 5 + 30 + 5
        #expect(dg1[index] == 0x34)
        dg1[index] = 0x35
        #expect(throws: DataGroupParseError(dataGroup: 1, reason: "check digit of date of birth")) { try MRZ(dg1: dg1) }
        #expect(MRZ.checkDigit(Array("D23145890".utf8)) == 0x37)  // ICAO 9303-3 worked example
    }

    @Test func dg13ItemsAreReadByNumberInAnyOrder() throws {
        let dg13 = VietnameseDG13.encode([
            .placeOfResidence: ["Hà Nội"], .idNumber: ["001085012345"], .sex: ["Nữ"], .dateOfBirth: ["03/1985"],
            .expiryDate: [VietnameseDG13.noExpiry], .parents: ["Cha", "Mẹ"],
        ])
        let data = try VietnameseDG13.parse(dg13)
        #expect(data.idNumber == "001085012345")
        #expect(data.registryIDNumber == IDNumber("001085012345"))
        #expect(data.sex == .female)
        #expect(data.dateOfBirth == PartialDate(year: 1985, month: 3))
        #expect(data.cardExpiryDate == nil)
        #expect(data.fatherName == "Cha" && data.motherName == "Mẹ")
        #expect(data.fullName == nil)

        // Items directly under the 0x6D tag, PrintableString values and unknown item numbers are all accepted.
        let flat = DERWriter.tlv(0x6D, DERWriter.sequence([DERWriter.integer(1), DERWriter.printableString("001085012345")]) + DERWriter.sequence([DERWriter.integer(42), DERWriter.utf8String("x")]))
        #expect(try VietnameseDG13.parse(flat).idNumber == "001085012345")
    }

    @Test func malformedDG13() {
        #expect(throws: DataGroupParseError.self) { try VietnameseDG13.parse([0x6D, 0x00]) }
        #expect(throws: DataGroupParseError.self) { try VietnameseDG13.parse(Fixture.bytes("bsi_tr03105-5_full/EF_DG1.bin")) }
        #expect(throws: DataGroupParseError(dataGroup: 13, reason: "item 3 date \"31/02/1985\"")) {
            try VietnameseDG13.parse(VietnameseDG13.encode([.dateOfBirth: ["31/02/1985"]]))
        }
        #expect(throws: DataGroupParseError(dataGroup: 13, reason: "sex \"X\"")) {
            try VietnameseDG13.parse(VietnameseDG13.encode([.sex: ["X"]]))
        }
        let repeated = DERWriter.tlv(0x6D, DERWriter.sequence([
            DERWriter.sequence([DERWriter.integer(1), DERWriter.utf8String("a")]), DERWriter.sequence([DERWriter.integer(1), DERWriter.utf8String("b")]),
        ]))
        #expect(throws: DataGroupParseError(dataGroup: 13, reason: "item 1 repeated")) { try VietnameseDG13.parse(repeated) }
    }
}

@Suite struct TrustStoreTests {
    @Test func germanMasterListVerifiesAndChainsTheGermanPassport() throws {
        let trust = try TrustStore(paths: [Fixture.path("masterlists/DE_ML_2026-05-28-08-28-45.ml")])
        #expect(trust.anchors.count > 500)
        let vietnam = try Fixture.certificate("masterlists/VN_CSCA_from_DE_ML.pem")
        #expect(trust.anchors.contains { $0.der == vietnam.der })
        let signer = try Fixture.certificate("gmrtd/DE/DSC.cer")
        let result = ChipVerifier(trustStore: trust).verify(
            sod: Fixture.bytes("gmrtd/DE/EF_SOD.bin"), dataGroups: [:], at: signer.notBefore.addingTimeInterval(86_400))
        #expect(result.passiveAuth.chain == .trusted)
        #expect(result.passiveAuth.result == .valid)
    }

    @Test func dutchMasterListVerifies() throws {
        #expect(try MasterList(bytes: Fixture.bytes("masterlists/NL_ML_2026-07-22.ml")).certificates.count > 400)
    }

    @Test func tamperedMasterListIsRejected() throws {
        var bytes = Fixture.bytes("masterlists/NL_ML_2026-07-22.ml")
        bytes[bytes.count / 2] ^= 0x01
        #expect(throws: (any Error).self) { try MasterList(bytes: bytes) }
    }

    @Test func directoriesAndBundles() throws {
        let trust = try TrustStore(paths: [Fixture.path("gmrtd/AT"), Fixture.path("gmrtd/NZ/CSCA.cer")])
        // AT: CSCA.cer, DSC.cer (EF_SOD.bin and expected.txt are skipped with a warning).
        #expect(trust.anchors.count == 3)
        #expect(trust.loadWarnings.contains("skipped:EF_SOD.bin"))
        #expect(throws: TrustStore.LoadError.self) { try TrustStore(paths: ["/nonexistent/trust"]) }
    }
}
