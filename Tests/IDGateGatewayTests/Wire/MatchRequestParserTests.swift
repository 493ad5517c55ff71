import IDGateGateway
import IDGateCore
import IDGateDemo
import IDGateAudit
import IDGateWire
import IDGateMatching
import IDGateStore
import Testing

@Suite struct MatchRequestParserTests {
    func error(_ body: String) -> WireError? { WireFixtures.parse(body).0 }

    @Test func parsesEveryField() throws {
        let (error, parser) = WireFixtures.parse(
            #"{"idNumber": "001085012345", "fullName": "Nguyễn Văn An", "dateOfBirth": "1985-03-14", "sex": "male", "#
                + #""placeOfOrigin": "Huế", "placeOfResidence": "Hà Nội", "phoneNumber": "0912345678", "#
                + #""cardIssueDate": "2021-04-20", "purpose": "account-opening", "ref": "caller-ref-1"}"#)
        #expect(error == nil)
        let request = parser.request
        #expect(request.idNumber == IDNumber("001085012345"))
        #expect(request.text(.fullName) == "Nguyễn Văn An")
        #expect(request.dateOfBirth == PartialDate(year: 1985, month: 3, day: 14))
        #expect(request.sex == .male)
        #expect(request.phoneNumber?.significantNumber == 912_345_678)
        #expect(request.cardIssueDate == PartialDate(year: 2021, month: 4, day: 20))
        #expect(request.text(.purpose) == "account-opening")
        #expect(parser.ref == "caller-ref-1")
        #expect(Array(request.attributes) == [
            .fullName, .dateOfBirth, .sex, .placeOfOrigin, .placeOfResidence, .phoneNumber, .cardIssueDate,
        ])
    }

    @Test func decodesEveryEscapeIncludingSurrogatePairs() throws {
        let (error, parser) = WireFixtures.parse(
            #"{"idNumber":"001085012345","fullName":"Nguy\u1ec5n","ref":"q\"b\\s\/\u00e9\ud83d\ude00"}"#)
        #expect(error == nil)
        #expect(parser.request.text(.fullName) == "Nguyễn")
        #expect(parser.ref == "q\"b\\s/é😀")
        // \b \f \n \r \t decode to control characters, which no text field accepts (refRefusesControlCharacters).
        for escape in [#"\b"#, #"\f"#, #"\n"#, #"\r"#, #"\t"#] {
            #expect(self.error(#"{"idNumber":"001085012345","sex":"male","ref":"x"# + escape + #""}"#)?.field == "ref")
            #expect(self.error(#"{"idNumber":"001085012345","sex":"male","ref":"x\"# + escape + #""}"#) == nil)
        }
    }

    @Test func keysMayBeEscapedToo() {
        #expect(error(#"{"\u0069dNumber":"001085012345","sex":"male"}"#) == nil)
    }

    @Test func rejectsLoneOrBrokenSurrogates() {
        for body in [
            #"{"idNumber":"001085012345","ref":"\ud83d"}"#, #"{"idNumber":"001085012345","ref":"\ude00"}"#,
            #"{"idNumber":"001085012345","ref":"\ud83d\u0041"}"#, #"{"idNumber":"001085012345","ref":"\u12"}"#,
            #"{"idNumber":"001085012345","ref":"\x"}"#,
        ] {
            #expect(error(body)?.code == .invalidJSON, "\(body)")
        }
    }

    @Test func unknownFieldIsNamed() {
        let e = error(#"{"idNumber":"001085012345","fullname":"An"}"#)
        #expect(e == WireError(.unknownField, message: "unknown field \"fullname\"", field: "fullname"))
        #expect(e?.status == 422)
        #expect(error(#"{"idNumber":"001085012345","sex":"male","extra":{"nested":[1,2,{"a":null}]}}"#)?.field == "extra")
    }

    @Test func duplicateKeysAreRejected() {
        let e = error(#"{"idNumber":"001085012345","sex":"male","sex":"female"}"#)
        #expect(e?.code == .invalidField)
        #expect(e?.field == "sex")
    }

    @Test func wrongTypesAreInvalidFields() {
        for (body, field) in [
            (#"{"idNumber":1085012345,"sex":"male"}"#, "idNumber"), (#"{"idNumber":"001085012345","sex":null}"#, "sex"),
            (#"{"idNumber":"001085012345","fullName":["An"]}"#, "fullName"),
            (#"{"idNumber":"001085012345","dateOfBirth":19850314}"#, "dateOfBirth"),
            (#"{"idNumber":"001085012345","sex":true}"#, "sex"), (#"{"idNumber":"001085012345","ref":{},"sex":"male"}"#, "ref"),
        ] {
            let e = error(body)
            #expect(e?.code == .invalidField, "\(body)")
            #expect(e?.field == field, "\(body)")
        }
    }

    @Test func badLayoutsAndImpossibleDatesAreInvalidFields() {
        for (body, field) in [
            (#"{"idNumber":"00108501234","sex":"male"}"#, "idNumber"), (#"{"idNumber":"999085012345","sex":"male"}"#, "idNumber"),
            (#"{"idNumber":"00108501234x","sex":"male"}"#, "idNumber"),
            (#"{"idNumber":"001085012345","dateOfBirth":"1985-02-29"}"#, "dateOfBirth"),
            (#"{"idNumber":"001085012345","cardIssueDate":"2021-13-01"}"#, "cardIssueDate"),
            (#"{"idNumber":"001085012345","sex":"m"}"#, "sex"), (#"{"idNumber":"001085012345","phoneNumber":"12"}"#, "phoneNumber"),
            (#"{"idNumber":"001085012345","fullName":"An\u0000"}"#, "fullName"),
        ] {
            let e = error(body)
            #expect(e?.code == .invalidField, "\(body)")
            #expect(e?.field == field, "\(body)")
        }
    }

    /// `ref` is echoed into answers, batch error lines and CSV output: CR/LF or other control characters in it are
    /// refused like in every other text field; plain text (spaces included) is kept.
    @Test func refRefusesControlCharacters() {
        for escaped in [#"\r\n"#, #"\n"#, #"\u0000"#, #"\t"#, #"\u007f"#] {
            let body = #"{"idNumber":"001085012345","sex":"male","ref":"a"# + escaped + #"b"}"#
            let e = error(body)
            #expect(e?.code == .invalidField, "\(body)")
            #expect(e?.field == "ref", "\(body)")
            #expect(e?.status == 422)
        }
        #expect(error(#"{"idNumber":"001085012345","sex":"male","ref":"caller ref 1"}"#) == nil)
    }

    @Test func chipRefRefusesControlCharacters() {
        func parse(_ body: String) -> Result<ChipVerifyRequest, WireError> {
            Array(body.utf8).withUnsafeBytes { ChipVerifyRequest.parse($0, maxBytes: 1 << 20) }
        }
        let bad = parse(#"{"sod":"AAAA","dataGroups":{"1":"AAAA"},"ref":"a\r\nb"}"#)
        guard case .failure(let error) = bad else { Issue.record("accepted a ref with CR/LF"); return }
        #expect(error.code == .invalidField)
        #expect(error.field == "ref")
        guard case .success(let request) = parse(#"{"sod":"AAAA","dataGroups":{"1":"AAAA"},"ref":"a b"}"#) else {
            Issue.record("refused a plain ref"); return
        }
        #expect(request.ref == "a b")
    }

    @Test func missingIDNumberOrNothingToCompare() {
        let missingID = error(#"{"fullName":"An"}"#)
        #expect(missingID?.code == .missingField)
        #expect(missingID?.field == "idNumber")
        #expect(missingID?.status == 422)
        #expect(error(#"{"idNumber":"001085012345","ref":"r","purpose":"kyc"}"#)?.code == .missingField)
        #expect(error("{}")?.code == .missingField)
    }

    @Test func malformedJSONIsInvalidJSONWithPosition() {
        let e = error(#"{"idNumber":"001085012345","sex":"male",}"#)
        #expect(e?.code == .invalidJSON)
        #expect(e?.status == 400)
        #expect(e?.message.contains("byte 40") == true)
        for body in [
            "", " ", "[]", "\"x\"", "{", #"{"idNumber""#, #"{"idNumber":}"#, #"{"idNumber" "x"}"#, "{'a':1}",
            #"{"idNumber":"001085012345","sex":"male"} x"#, #"{"idNumber":"001085012345","sex":"male"}{}"#,
            #"{"a":01}"#, #"{"a":1.}"#, #"{"a":-}"#, #"{"a":1e}"#, #"{"a":tru}"#, #"{"a":nul}"#, #"{"a":[1,]}"#,
            "{\"a\":\"line\nbreak\"}", "\u{FEFF}{}",
        ] {
            #expect(error(body)?.code == .invalidJSON, "\(body.debugDescription)")
        }
    }

    @Test func malformedJSONWinsOverFieldErrors() {
        #expect(error(#"{"unknown":"x","idNumber":"001085012345" "#)?.code == .invalidJSON)
    }

    @Test func deepNestingIsRejectedAndHugeNumbersAreJustWrongTypes() {
        let deep = #"{"x":"# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        #expect(error(deep)?.code == .invalidJSON)
        let huge = #"{"idNumber":"001085012345","sex":"male","n":"# + String(repeating: "9", count: 5000) + "e99999}"
        #expect(error(huge)?.code == .unknownField)
        #expect(error(#"{"idNumber":-1.5e+300,"sex":"male"}"#)?.code == .invalidField)
    }

    @Test func nulAndInvalidUTF8AreRejected() {
        #expect(WireFixtures.parse(Array(#"{"idNumber":"001085012345","fullName":"A"#.utf8) + [0] + Array(#""}"#.utf8)).0?.code == .invalidJSON)
        #expect(WireFixtures.parse(Array(#"{"idNumber":"001085012345"}"#.utf8) + [0]).0?.code == .invalidJSON)
        let prefix = Array(#"{"idNumber":"001085012345","fullName":""#.utf8)
        let suffix = Array(#""}"#.utf8)
        for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3], [0x80]] {
            #expect(WireFixtures.parse(prefix + bad + suffix).0?.code == .invalidJSON, "\(bad)")
        }
        #expect(WireFixtures.parse(prefix + [0xF0, 0x9F, 0x98, 0x80] + suffix).0 == nil)
    }

    @Test func parserIsReusable() {
        var parser = MatchRequestParser()
        for name in ["An", "Bình", "Chi"] {
            let body = Array(#"{"idNumber":"001085012345","fullName":"\#(name)"}"#.utf8)
            #expect(body.withUnsafeBytes { parser.parse($0) } == nil)
            #expect(parser.request.text(.fullName) == name)
            #expect(parser.request.text(.ref) == nil)
        }
    }
}
