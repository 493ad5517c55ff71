import Testing
@testable import IDGateStore

@Suite struct RecordEncodingTests {
    @Test(arguments: [Fixtures.resident(), Fixtures.elderResident(), Fixtures.childResident(),
                      Fixtures.resident(phones: ["0912345678", "0987654321", "0356000111", "0886123456"], legacy: nil)])
    func roundTripsEveryFieldThroughTheBinaryFormat(record: ResidentRecord) throws {
        var record = record
        record.sequence = 42
        let bytes = try record.encoded()
        let view = try #require(bytes.withUnsafeBytes { raw in
            ResidentView(idNumber: record.idNumber, bytes: raw).map { $0.record() }
        })
        #expect(view == record)
    }

    @Test func viewReadsFieldsInPlace() throws {
        var record = Fixtures.resident()
        record.sequence = 7
        let bytes = try record.encoded()
        try bytes.withUnsafeBytes { raw in
            let view = try #require(ResidentView(idNumber: record.idNumber, bytes: raw))
            #expect(view.fullName.string == "Nguyễn Văn An")
            #expect(view.dateOfBirth == PartialDate(year: 1985, month: 3, day: 14))
            #expect(view.sex == .male)
            #expect(view.recordStatus == .active)
            #expect(view.storedCardStatus == .valid)
            #expect(view.cardIssueDate == PartialDate(year: 2021, month: 4, day: 20))
            #expect(view.cardExpiryDate == PartialDate(year: 2025, month: 3, day: 14))
            #expect(view.sequence == 7)
            #expect(view.phoneNumberCount == 2)
            #expect(view.phoneNumber(at: 1).string == "0987654321")
            #expect(view.legacyIdNumber.string == "012345678")
            #expect(view.cardNumber.string == "001085012345")
            #expect(view.nationality.string == "Việt Nam")
            #expect(view.ethnicity.string == "Kinh")
        }
    }

    @Test func absentOptionalFieldsReadAsNilOrEmpty() throws {
        let bytes = try Fixtures.childResident().encoded()
        try bytes.withUnsafeBytes { raw in
            let view = try #require(ResidentView(idNumber: IDNumber("048215000042")!, bytes: raw))
            #expect(view.storedCardStatus == nil)
            #expect(view.cardIssueDate == nil)
            #expect(view.cardExpiryDate == nil)
            #expect(view.cardNumber.isEmpty)
            #expect(view.legacyIdNumber.isEmpty)
            #expect(view.dateOfBirth.precision == .month)
        }
    }

    @Test func rejectsUnknownFormatVersionAndTruncatedRecords() throws {
        var bytes = try Fixtures.resident().encoded()
        let id = IDNumber("001085012345")!
        bytes.withUnsafeBytes { raw in
            #expect(ResidentView(idNumber: id, bytes: UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 1)])) == nil)
        }
        bytes[0] = 99
        bytes.withUnsafeBytes { raw in #expect(ResidentView(idNumber: id, bytes: raw) == nil) }
    }

    @Test func refusesMoreThanTheMaximumPhoneNumbers() {
        let phones = (0..<33).map { "09120000" + ($0 < 10 ? "0\($0)" : "\($0)") }
        #expect(throws: ResidentRecord.EncodingError.tooManyPhoneNumbers(33)) {
            try Fixtures.resident(phones: phones).encoded()
        }
    }
}
