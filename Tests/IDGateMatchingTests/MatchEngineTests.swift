import IDGateMatching
import IDGateStore
import Testing

@Suite struct MatchEngineTests {
    let engine = MatchEngine()

    func match(_ fields: KeyValuePairs<RequestField, String>, against resident: ResidentRecord? = Fixtures.resident())
        throws -> MatchResult
    {
        engine.match(try MatchRequest(fields), against: resident, today: Fixtures.today)
    }

    @Test func everyFieldMatchingIsAMatchInSubmittedOrder() throws {
        let result = try match([
            .idNumber: "001085012345", .phoneNumber: "0912345678", .fullName: "Nguyễn Văn An",
            .dateOfBirth: "1985-03-14", .sex: "male", .cardIssueDate: "2021-04-20",
        ])
        #expect(result.decision == .match)
        #expect(Array(result.fields) == [.phoneNumber, .fullName, .dateOfBirth, .sex, .cardIssueDate])
        #expect(result.recordStatus == .active)
        #expect(result.cardStatus == .valid)
    }

    @Test func onePartialFieldMakesThePartialDecision() throws {
        let result = try match([.idNumber: "001085012345", .fullName: "Nguyễn An", .dateOfBirth: "1985-03-14"])
        #expect(result.decision == .partial)
        #expect(result[.fullName].outcome == .partial)
        #expect(result[.dateOfBirth] == .exact)
    }

    @Test func oneMismatchMakesTheMismatchDecision() throws {
        let result = try match([.idNumber: "001085012345", .fullName: "Nguyễn An", .sex: "female"])
        #expect(result.decision == .mismatch)
    }

    @Test func unknownResidentIsNotFound() throws {
        let result = try match([.idNumber: "001085012345", .fullName: "Nguyễn Văn An"], against: nil)
        #expect(result.decision == .notFound)
        #expect(result.recordStatus == nil && result.cardStatus == nil)
    }

    @Test func lookupFindsResidentsByIDNumber() throws {
        let registry = [Fixtures.resident().idNumber: Fixtures.resident()]
        let found = engine.match(
            try MatchRequest([.idNumber: "001085012345", .sex: "male"]), in: registry, today: Fixtures.today)
        #expect(found.decision == .match)
        let missing = engine.match(
            try MatchRequest([.idNumber: "001085099999", .sex: "male"]), in: registry, today: Fixtures.today)
        #expect(missing.decision == .notFound)
    }

    @Test func cardAndRecordStatusAreAlwaysAnswered() throws {
        let request: KeyValuePairs<RequestField, String> = [.idNumber: "001085012345", .sex: "male"]
        func card(_ status: StoredCardStatus, expiry: PartialDate?) -> IdentityCard {
            IdentityCard(number: "001085012345", issueDate: PartialDate(year: 2016, month: 1, day: 1)!, expiryDate: expiry, status: status)
        }
        let expired = try match(request, against: Fixtures.resident(card: card(.valid, expiry: PartialDate(year: 2025, month: 1, day: 1))))
        #expect(expired.cardStatus == .expired)
        #expect(try match(request, against: Fixtures.resident(card: card(.valid, expiry: nil))).cardStatus == .valid)
        #expect(try match(request, against: Fixtures.resident(card: card(.revoked, expiry: nil))).cardStatus == .revoked)
        #expect(try match(request, against: Fixtures.resident(card: card(.lost, expiry: nil))).cardStatus == .lost)
        #expect(try match(request, against: Fixtures.resident(card: nil)).cardStatus == nil)
        let deceased = try match(request, against: Fixtures.resident(recordStatus: .deceased))
        #expect(deceased.recordStatus == .deceased)
        #expect(deceased.decision == .match)
    }
}

@Suite struct MatchRequestTests {
    @Test func validatesEachField() {
        func problem(_ field: RequestField, _ value: String) -> RequestProblem? {
            var request = MatchRequest()
            var value = value
            return value.withUTF8 { request.set(field, utf8: UnsafeRawBufferPointer($0)) }
        }
        #expect(problem(.idNumber, "00108501234")?.field == "idNumber")
        #expect(problem(.idNumber, "999085012345")?.message.contains("province") == true)
        #expect(problem(.dateOfBirth, "1985-02-30")?.field == "dateOfBirth")
        #expect(problem(.dateOfBirth, "1985-13")?.field == "dateOfBirth")
        #expect(problem(.dateOfBirth, "85-03-14") != nil)
        #expect(problem(.cardIssueDate, "2021-00-01")?.field == "cardIssueDate")
        #expect(problem(.sex, "Male")?.field == "sex")
        #expect(problem(.phoneNumber, "12345")?.field == "phoneNumber")
        #expect(problem(.fullName, "   ")?.message.contains("empty") == true)
        #expect(problem(.fullName, "An\u{0}")?.message.contains("control") == true)
        #expect(problem(.fullName, String(repeating: "a", count: 257))?.message.contains("longer") == true)
        #expect(problem(.purpose, "") != nil)
        #expect(problem(.ref, "") == nil)
        #expect(problem(.dateOfBirth, "2000-02-29") == nil)
    }

    @Test func wholeRequestNeedsIDNumberAndAnAttribute() {
        #expect(throws: RequestProblem(
            .missingField, field: "idNumber",
            message: "idNumber is required (or, for a foreign resident, passportNumber with nationality)")
        ) {
            try MatchRequest([.fullName: "An"])
        }
        #expect {
            try MatchRequest([.idNumber: "001085012345", .ref: "r1", .purpose: "kyc"])
        } throws: { ($0 as? RequestProblem)?.kind == .missingField }
    }

    @Test func duplicateFieldIsInvalid() {
        #expect {
            try MatchRequest([.idNumber: "001085012345", .sex: "male", .sex: "male"])
        } throws: { ($0 as? RequestProblem)?.message.contains("more than once") == true }
    }
}
