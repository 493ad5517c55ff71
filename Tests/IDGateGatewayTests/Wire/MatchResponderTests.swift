import Foundation
import IDGateGateway
import IDGateCore
import IDGateDemo
import IDGateAudit
import IDGateWire
import IDGateMatching
import IDGateStore
import Testing

@Suite struct MatchResponderTests {
    func respond(_ body: String) -> (WireError?, [UInt8]) {
        var responder = MatchResponder()
        var out: [UInt8] = []
        let outcome = Array(body.utf8).withUnsafeBytes {
            responder.respond(to: $0, lookup: WireFixtures.registry, today: WireFixtures.today, into: &out)
        }
        guard case .failure(let error) = outcome else { return (nil, out) }
        return (error, out)
    }

    @Test func responseListsSubmittedFieldsInOrderWithStatusAndDigest() throws {
        let (error, out) = respond(
            #"{"idNumber":"001085012345","sex":"male","fullName":"NGUYEN VAN AN","dateOfBirth":"1985","ref":"r-1"}"#)
        #expect(error == nil)
        let text = String(decoding: out, as: UTF8.self)
        let json = try WireFixtures.json(out)
        #expect((json["transactionId"] as? String)?.count == 26)
        #expect(json["ref"] as? String == "r-1")
        #expect(json["decision"] as? String == "partial")
        let fields = try #require(json["fields"] as? [String: Any])
        #expect(fields.keys.sorted() == ["dateOfBirth", "fullName", "sex"])
        let name = try #require(fields["fullName"] as? [String: Any])
        #expect(name["result"] as? String == "match")
        #expect(name["score"] as? Int == 95)
        #expect(name["reasons"] as? [String] == ["case_differs", "no_diacritics"])
        #expect((fields["dateOfBirth"] as? [String: Any])?["reasons"] as? [String] == ["year_only"])
        #expect(json["status"] as? [String: String] == ["record": "active", "card": "valid"])
        #expect((json["requestDigest"] as? String)?.count == 64)
        let sexAt = try #require(text.range(of: "\"sex\":"))
        let nameAt = try #require(text.range(of: "\"fullName\":"))
        let dateAt = try #require(text.range(of: "\"dateOfBirth\":"))
        #expect(sexAt.lowerBound < nameAt.lowerBound && nameAt.lowerBound < dateAt.lowerBound)
    }

    @Test func responseNeverContainsStoredValues() throws {
        let (_, out) = respond(
            #"{"idNumber":"001085012345","fullName":"Trần Thị Bình","placeOfResidence":"Đà Nẵng","phoneNumber":"0987654321"}"#)
        let text = String(decoding: out, as: UTF8.self)
        for stored in ["Nguyễn", "Văn", "Hà Nội", "Cầu Giấy", "0912345678", "1985", "Huế"] {
            #expect(!text.contains(stored), "\(stored)")
        }
        #expect(try WireFixtures.json(out)["decision"] as? String == "mismatch")
    }

    @Test func notFoundHasNoFieldsOrStatus() throws {
        let (error, out) = respond(#"{"idNumber":"001085099999","sex":"male"}"#)
        #expect(error == nil)
        let json = try WireFixtures.json(out)
        #expect(json["decision"] as? String == "not_found")
        #expect(json["fields"] == nil && json["status"] == nil && json["ref"] == nil)
        #expect(json["requestDigest"] != nil)
    }

    @Test func refIsEchoedEscaped() throws {
        let (_, out) = respond(#"{"idNumber":"001085012345","sex":"male","ref":"a\"b\\c/đ😀"}"#)
        #expect(try WireFixtures.json(out)["ref"] as? String == "a\"b\\c/đ😀")
        // Control characters never reach an answer: such a ref is refused (422 naming `ref`).
        let (error, _) = respond(#"{"idNumber":"001085012345","sex":"male","ref":"a\u0001\nb"}"#)
        #expect(error?.field == "ref")
    }

    @Test func errorsWriteNothingAndAuthorizeCanRefuse() {
        let (error, out) = respond(#"{"idNumber":"001085012345"}"#)
        #expect(error?.code == .missingField)
        #expect(out.isEmpty)
        var responder = MatchResponder()
        var sink: [UInt8] = []
        let refused = Array(#"{"idNumber":"001085012345","sex":"male"}"#.utf8).withUnsafeBytes {
            responder.respond(to: $0, lookup: WireFixtures.registry, today: WireFixtures.today, into: &sink) { request in
                request.contains(.purpose) ? nil : WireError(.missingField, message: "purpose is required", field: "purpose")
            }
        }
        guard case .failure(let error) = refused else {
            Issue.record("a request the policy refuses was answered")
            return
        }
        #expect(error.field == "purpose")
        #expect(sink.isEmpty)
    }

    @Test func batchAnswersEveryLineInOrderAndABadLineInPlace() throws {
        let lines = [
            #"{"idNumber":"001085012345","sex":"male","ref":"one"}"#,
            #"{"idNumber":"001085012345","sex":"male","ref":"two","bogus":1}"#,
            #"{"idNumber":"001085012345","#,
            #"{"idNumber":"001085099999","sex":"female"}"# + "\r",
        ]
        var responder = MatchResponder()
        var out: [UInt8] = []
        for (index, line) in lines.enumerated() {
            Array(line.utf8).withUnsafeBytes {
                _ = responder.respond(
                    toBatchLine: $0, number: index + 1, lookup: WireFixtures.registry, today: WireFixtures.today, into: &out)
            }
        }
        let outLines = String(decoding: out, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(outLines.count == 5 && outLines.last == "")
        let parsed = try outLines.dropLast().map { try WireFixtures.json(Array($0.utf8)) }
        #expect(parsed[0]["ref"] as? String == "one")
        #expect(parsed[0]["decision"] as? String == "match")
        #expect(parsed[1]["line"] as? Int == 2)
        #expect(parsed[1]["ref"] as? String == "two")
        #expect((parsed[1]["error"] as? [String: String]) == ["code": "unknown_field", "message": "unknown field \"bogus\"", "field": "bogus"])
        #expect(parsed[2]["line"] as? Int == 3)
        #expect((parsed[2]["error"] as? [String: String])?["code"] == "invalid_json")
        #expect(parsed[3]["decision"] as? String == "not_found")
    }
}

@Suite struct WireErrorTests {
    @Test func everyCodeHasItsStatus() {
        let expected: [WireError.Code: Int] = [
            .invalidJSON: 400, .unknownField: 422, .missingField: 422, .invalidField: 422, .unsupportedMediaType: 415,
            .bodyTooLarge: 413, .unauthenticated: 401, .forbidden: 403, .rateLimited: 429, .overloaded: 503, .notFound: 404,
            .subjectAttemptsExceeded: 429, .clientSuspended: 403, .invalidCursor: 400,
        ]
        #expect(expected.count == WireError.Code.allCases.count)
        for code in WireError.Code.allCases {
            #expect(WireError(code, message: "m").status == expected[code], "\(code)")
        }
        #expect(WireError.Code.allCases.map(\.rawValue).sorted() == [
            "body_too_large", "client_suspended", "forbidden", "invalid_cursor", "invalid_field", "invalid_json", "missing_field", "not_found",
            "overloaded", "rate_limited", "subject_attempts_exceeded", "unauthenticated", "unknown_field",
            "unsupported_media_type",
        ])
    }

    @Test func encodesTheContractShape() throws {
        var generator = TransactionIDGenerator()
        let id = generator.next()
        var out: [UInt8] = []
        WireError(.invalidField, message: "sex must be \"male\"", field: "sex").encode(transactionID: id, into: &out)
        let json = try WireFixtures.json(out)
        #expect(json["transactionId"] as? String == id.description)
        #expect(json["error"] as? [String: String] == ["code": "invalid_field", "message": "sex must be \"male\"", "field": "sex"])
        out.removeAll()
        WireError(.overloaded, message: "busy").encode(transactionID: id, into: &out)
        #expect(try WireFixtures.json(out)["error"] as? [String: String] == ["code": "overloaded", "message": "busy"])
    }
}

@Suite struct TransactionIDTests {
    @Test func twentySixCrockfordCharactersSortedByTime() {
        var generator = TransactionIDGenerator()
        let earlier = generator.next(millisecondsSinceEpoch: 1_700_000_000_000)
        let later = generator.next(millisecondsSinceEpoch: 1_700_000_000_001)
        let text = earlier.description
        #expect(text.count == 26)
        #expect(text.allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains($0) })
        #expect(earlier < later && earlier.description < later.description)
        #expect(later.millisecondsSinceEpoch == 1_700_000_000_001)
    }

    @Test func strictlyIncreasingAndUniqueWithinAMillisecondAndAcrossGenerators() {
        var a = TransactionIDGenerator()
        var b = TransactionIDGenerator()
        var seen = Set<String>()
        var previous = a.next(millisecondsSinceEpoch: 5)
        for _ in 0..<10_000 {
            let next = a.next(millisecondsSinceEpoch: 5)
            #expect(previous < next && previous.description < next.description)
            previous = next
            seen.insert(next.description)
            seen.insert(b.next(millisecondsSinceEpoch: 5).description)
        }
        #expect(seen.count == 20_000)
        // A clock stepping back never makes IDs go backwards.
        #expect(a.next(millisecondsSinceEpoch: 1) > previous)
    }

    @Test func encodesKnownValue() {
        #expect(TransactionID(high: 0, low: 0).description == String(repeating: "0", count: 26))
        #expect(TransactionID(high: .max, low: .max).description == "7" + String(repeating: "Z", count: 25))
        #expect(TransactionID(high: 0, low: 32).description == String(repeating: "0", count: 24) + "10")
    }
}
