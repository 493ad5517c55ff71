import Testing
@testable import IDGateStore

@Suite struct ResidentCodecTests {
    @Test(arguments: [Fixtures.resident(), Fixtures.elderResident(), Fixtures.childResident()])
    func ndjsonRoundTrips(record: ResidentRecord) throws {
        #expect(try ResidentCodec.decodeNDJSON(ResidentCodec.ndjson(record)) == record)
    }

    @Test(arguments: [Fixtures.resident(), Fixtures.elderResident(), Fixtures.childResident()])
    func csvRoundTrips(record: ResidentRecord) throws {
        var line: [UInt8] = []
        ResidentCodec.appendCSV(record, to: &line)
        line.removeLast()
        let columns = try Array(ResidentCodec.csvHeader.utf8).withUnsafeBytes { try ResidentCodec.CSVColumns(header: $0) }
        let decoded = try line.withUnsafeBytes { try ResidentCodec.decodeCSV($0, columns: columns, lineNumber: 2) }
        #expect(decoded == record)
    }

    @Test func csvQuotesFieldsWithCommasAndQuotes() throws {
        var record = Fixtures.resident()
        record.fullName = "Nguyễn \"Út\" An"
        var line: [UInt8] = []
        ResidentCodec.appendCSV(record, to: &line)
        line.removeLast()
        let columns = try Array(ResidentCodec.csvHeader.utf8).withUnsafeBytes { try ResidentCodec.CSVColumns(header: $0) }
        #expect(try line.withUnsafeBytes { try ResidentCodec.decodeCSV($0, columns: columns, lineNumber: 2) } == record)
    }

    @Test func acceptsEscapesInternationalPhonesAndDefaults() throws {
        let line = #"{"idNumber":"001085012345","fullName":"Nguy\u1ec5n V\u0103n An","dateOfBirth":"1985","sex":"male","#
            + #""placeOfOrigin":"A","placeOfResidence":"B","phoneNumbers":["+84912345678"]}"#
        let record = try ResidentCodec.decodeNDJSON(line)
        #expect(record.fullName == "Nguyễn Văn An")
        #expect(record.phoneNumbers == ["0912345678"])
        #expect(record.nationality == "Việt Nam")
        #expect(record.recordStatus == .active)
        #expect(record.card == nil)
        #expect(record.dateOfBirth.precision == .year)
    }

    @Test func normalizesNamesToNFC() throws {
        let decomposed = "Nguye\u{0302}\u{0303}n Va\u{0306}n An"  // "Nguyễn Văn An" with combining marks
        let line = #"{"idNumber":"001085012345","fullName":""# + decomposed
            + #"","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B"}"#
        let record = try ResidentCodec.decodeNDJSON(line)
        #expect(Array(record.fullName.utf8) == Array("Nguyễn Văn An".utf8))
    }

    static let badRows: [(line: String, field: String?, reasonFragment: String)] = [
        (#"{"idNumber":"001085012345","fullName":"A""#, nil, "malformed JSON"),
        (#"not json"#, nil, "malformed JSON"),
        (#"{"idNumber":"00108501234","fullName":"A","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B"}"#,
         "idNumber", "not 12 digits"),
        (#"{"idNumber":"003085012345","fullName":"A","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B"}"#,
         "idNumber", "unknown province code 3"),
        (#"{"idNumber":"001185012345","fullName":"A","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B"}"#,
         "idNumber", "says female but sex is male"),
        (#"{"idNumber":"001086012345","fullName":"A","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B"}"#,
         "idNumber", "encodes birth year 1986"),
        (#"{"idNumber":"001085012345","fullName":"A","dateOfBirth":"1985-02-30","sex":"male","placeOfOrigin":"A","placeOfResidence":"B"}"#,
         "dateOfBirth", "not a possible date"),
        (#"{"idNumber":"001085012345","fullName":"A","dateOfBirth":"1985-13","sex":"male","placeOfOrigin":"A","placeOfResidence":"B"}"#,
         "dateOfBirth", "not a possible date"),
        (#"{"idNumber":"001085012345","fullName":"A","dateOfBirth":"1985","sex":"m","placeOfOrigin":"A","placeOfResidence":"B"}"#,
         "sex", "not male or female"),
        (#"{"idNumber":"001085012345","fullName":"A","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A"}"#,
         "placeOfResidence", "missing"),
        (#"{"idNumber":"001085012345","fullname":"A","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B"}"#,
         "fullname", "unknown field"),
        (#"{"idNumber":"001085012345","idNumber":"001085012345","fullName":"A","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B"}"#,
         "idNumber", "more than once"),
        (#"{"idNumber":"001085012345","fullName":"A","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B","phoneNumbers":["12345"]}"#,
         "phoneNumbers", "not a Vietnamese phone number"),
        (#"{"idNumber":"001085012345","fullName":"A","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B","legacyIdNumber":"12AB"}"#,
         "legacyIdNumber", "not 9 digits"),
        (#"{"idNumber":"001085012345","fullName":"A","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B","cardNumber":"001085012345","cardIssueDate":"1980-01-01"}"#,
         "cardIssueDate", "before the date of birth"),
        (#"{"idNumber":"001085012345","fullName":"A","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B","cardNumber":"001085012345","cardIssueDate":"2021-01-01","cardExpiryDate":"2020-01-01"}"#,
         "cardExpiryDate", "not after the issue date"),
        (#"{"idNumber":"001085012345","fullName":"A","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B","cardStatus":"valid"}"#,
         "cardNumber", "other card fields"),
        (#"{"idNumber":"001085012345","fullName":"A\u0001","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B"}"#,
         "fullName", "control characters"),
    ]

    @Test(arguments: badRows)
    func rejectsBadRowsNamingLineAndField(row: (line: String, field: String?, reasonFragment: String)) {
        do {
            _ = try ResidentCodec.decodeNDJSON(row.line, lineNumber: 7)
            Issue.record("accepted \(row.line)")
        } catch let error as InputError {
            #expect(error.line == 7)
            #expect(error.field == row.field)
            #expect(error.reason.contains(row.reasonFragment), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func csvHeaderRejectsUnknownAndMissingColumns() {
        func header(_ text: String) throws -> ResidentCodec.CSVColumns {
            try Array(text.utf8).withUnsafeBytes { try ResidentCodec.CSVColumns(header: $0) }
        }
        #expect(throws: InputError(line: 1, field: "birthday", reason: "unknown column")) {
            try header("idNumber,fullName,birthday,sex,placeOfOrigin,placeOfResidence")
        }
        #expect(throws: InputError(line: 1, field: "dateOfBirth", reason: "required column missing")) {
            try header("idNumber,fullName,sex,placeOfOrigin,placeOfResidence")
        }
    }

    @Test func csvRowWithWrongColumnCountIsRejected() throws {
        let columns = try Array("idNumber,fullName,dateOfBirth,sex,placeOfOrigin,placeOfResidence".utf8)
            .withUnsafeBytes { try ResidentCodec.CSVColumns(header: $0) }
        #expect(throws: InputError.self) {
            try Array("001085012345,A,1985,male,X".utf8).withUnsafeBytes { try ResidentCodec.decodeCSV($0, columns: columns, lineNumber: 3) }
        }
        #expect(throws: InputError.self) {
            try Array("001085012345,A,1985,male,X,Y,Z".utf8).withUnsafeBytes { try ResidentCodec.decodeCSV($0, columns: columns, lineNumber: 3) }
        }
    }
}
