import Foundation
import Testing
@testable import IDGateStore

/// Inputs the fuzz targets (Fuzz/, docs/RELIABILITY.md) found crashing, kept as tests.
@Suite struct FuzzRegressionTests {
    /// FuzzStore: a phone number field of more than 19 digits overflowed `IndexKey.phone`'s accumulator and trapped
    /// (`idgate import` and `idgate update` crashed on such a row). Now it is an input error naming the field.
    @Test(arguments: [
        String(repeating: "0", count: 12), "085093428008201528500103100727", "+84" + String(repeating: "9", count: 40),
    ])
    func overlongPhoneNumbersAreInputErrors(phone: String) throws {
        #expect(IndexKey.phone(phone) == nil)
        let row = #"{"idNumber":"001031007275","fullName":"Cao Văn Vũ","dateOfBirth":"1931-10-21","sex":"male","placeOfOrigin":"Xã A","placeOfResidence":"Xã B","phoneNumbers":["\#(phone)"]}"#
        do {
            _ = try ResidentCodec.decodeNDJSON(row)
            Issue.record("an overlong phone number was accepted")
        } catch let error as InputError {
            #expect(error.field == "phoneNumbers")
        }
        let header = Array(ResidentCodec.csvHeader.utf8)
        let columns = try header.withUnsafeBytes { try ResidentCodec.CSVColumns(header: $0) }
        let csv = Array("001031007275,Cao Văn Vũ,1931-10-21,male,,,Xã A,Xã B,,\(phone),,,,,".utf8)
        #expect(throws: InputError.self) {
            try csv.withUnsafeBytes { try ResidentCodec.decodeCSV($0, columns: columns, lineNumber: 2) }
        }
    }

    /// The crash input itself (a CSV row whose phone field ran into the next row's digits).
    @Test func theCrashingCSVRowIsAnInputError() throws {
        let row = #"001031007275,"Cao ""Văn"" Vũ",1931-10-21,male,Việt Nam,Kinh,"Xã A, Huyện B","Thôn C, Xã D",,0850934280;08201528500103100727,001031007275,2020-01-04,,valid,active"#
        let header = Array(ResidentCodec.csvHeader.utf8)
        let columns = try header.withUnsafeBytes { try ResidentCodec.CSVColumns(header: $0) }
        #expect(throws: InputError.self) {
            try Array(row.utf8).withUnsafeBytes { try ResidentCodec.decodeCSV($0, columns: columns, lineNumber: 2) }
        }
    }

    /// FuzzWire (2026-12-02): an organization code of more than 19 digits overflowed `OrganizationID`'s accumulator
    /// and trapped: one /v1/organizations/match request crashed the gateway. Codes longer than 14 bytes are refused.
    @Test(arguments: ["0100206666666666666602", String(repeating: "9", count: 20), String(repeating: "1", count: 15), "0101234567-0011"])
    func overlongOrganizationCodesAreRefused(code: String) {
        #expect(OrganizationID(code) == nil)
    }

    @Test func organizationCodesStillParse() {
        #expect(OrganizationID("0101234567")?.description == "0101234567")
        #expect(OrganizationID("0101234567-001")?.description == "0101234567001")
        #expect(OrganizationID("0101234567001")?.description == "0101234567001")
    }
}
