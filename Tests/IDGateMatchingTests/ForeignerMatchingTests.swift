import IDGateMatching
import IDGateStore
import Testing

/// MRZ transliteration, travel-document name comparison and the passport-keyed engine path.
@Suite struct ForeignerMatchingTests {
    static let key = ForeignerKey(nationality: Nationality("DEU")!, passportNumber: PassportNumber("C01X00T47")!)

    static func foreigner(surname: String = "MÜLLER", givenNames: String = "JÜRGEN KLAUS") -> ForeignerRecord {
        ForeignerRecord(
            key: key, surname: surname, givenNames: givenNames, dateOfBirth: PartialDate(year: 1980, month: 5, day: 17)!,
            sex: .male, residenceCardNumber: "TT12345678", permittedFrom: PartialDate(year: 2025, month: 1, day: 1)!,
            permittedUntil: PartialDate(year: 2027, month: 12, day: 31)!)
    }

    static let today = PartialDate(year: 2026, month: 6, day: 1)!

    func match(_ fields: KeyValuePairs<RequestField, String>, against record: ForeignerRecord = foreigner(), today: PartialDate = today)
        throws -> MatchResult
    {
        let request = try MatchRequest(fields)
        return MatchEngine().match(request, in: RecordsLookup(foreigners: [record.key: record]), today: today)
    }

    func name(_ submitted: String, surname: String = "MÜLLER", givenNames: String = "JÜRGEN KLAUS") throws -> FieldResult {
        try match(
            [.passportNumber: "C01X00T47", .nationality: "DEU", .fullName: submitted],
            against: Self.foreigner(surname: surname, givenNames: givenNames))[.fullName]
    }

    // MARK: Transliteration

    @Test func transliterationFollowsICAOTable() {
        func mrz(_ text: String, _ form: MRZTransliteration.Form = .recommended) -> String {
            MRZTransliteration.transliterate(text, form: form)
        }
        #expect(mrz("Müller") == "MUELLER")
        #expect(mrz("Müller", .simple) == "MULLER")
        #expect(mrz("Groß") == "GROSS")
        #expect(mrz("GROẞMANN") == "GROSSMANN")
        #expect(mrz("Sørensen") == "SOERENSEN")
        #expect(mrz("Åse") == "AASE")
        #expect(mrz("Åse", .simple) == "ASE")
        #expect(mrz("Núñez Peña") == "NUNEZ PENA")
        #expect(mrz("O'Connor") == "OCONNOR")
        #expect(mrz("O\u{2019}Connor") == "OCONNOR")
        #expect(mrz("Jean-Pierre  Lefèvre") == "JEAN PIERRE LEFEVRE")
        #expect(mrz("Œuvray Þór Łukasz Đặng") == "OEUVRAY THOR LUKASZ DANG")
        #expect(mrz("François") == "FRANCOIS")
        #expect(mrz("   ") == "")
    }

    // MARK: Names

    @Test func sameNameMatches() throws {
        #expect(try name("MÜLLER JÜRGEN KLAUS") == .exact)
        #expect(try name(" MÜLLER   JÜRGEN KLAUS ") == .exact)
    }

    @Test func caseDiffers() throws {
        #expect(try name("Müller Jürgen Klaus") == FieldResult(outcome: .match, score: 100, reasons: [.caseDiffers]))
    }

    @Test func mrzSpellingsAreTransliterated() throws {
        #expect(try name("MUELLER JUERGEN KLAUS") == FieldResult(outcome: .match, score: 100, reasons: [.transliterated]))
        #expect(try name("MULLER JURGEN KLAUS") == FieldResult(outcome: .match, score: 100, reasons: [.transliterated]))
        #expect(try name("Sorensen Bjorn", surname: "SØRENSEN", givenNames: "BJØRN").reasons.contains(.transliterated))
        #expect(try name("GROSSMANN ANNA", surname: "GROẞMANN", givenNames: "ANNA").outcome == .match)
    }

    @Test func givenNamesFirstIsNameOrderSwapped() throws {
        #expect(try name("JÜRGEN KLAUS MÜLLER") == FieldResult(outcome: .match, score: 100, reasons: [.nameOrderSwapped]))
        #expect(
            try name("Juergen Klaus Mueller")
                == FieldResult(outcome: .match, score: 100, reasons: [.transliterated, .nameOrderSwapped]))
    }

    @Test func apostrophesAndHyphensArePunctuation() throws {
        #expect(
            try name("OCONNOR MARY ELIZABETH", surname: "O'CONNOR", givenNames: "MARY ELIZABETH")
                == FieldResult(outcome: .match, score: 100, reasons: [.punctuationDiffers]))
        #expect(
            try name("KIM MIN JUN", surname: "KIM", givenNames: "MIN-JUN")
                == FieldResult(outcome: .match, score: 100, reasons: [.punctuationDiffers]))
        #expect(try name("KIM MINJUN", surname: "KIM", givenNames: "MIN-JUN").reasons.contains(.punctuationDiffers))
        #expect(try name("KIM MINJUN", surname: "KIM", givenNames: "MIN-JUN").outcome == .match)
    }

    @Test func missingMiddleNameOrTypoIsPartial() throws {
        let missing = try name("MUELLER KLAUS")
        #expect(missing.outcome == .partial)
        #expect(missing.reasons.contains(.missingToken))
        let missingSwapped = try name("JUERGEN MUELLER")
        #expect(missingSwapped.outcome == .partial)
        #expect(missingSwapped.reasons.contains(.missingToken))
        #expect(missingSwapped.reasons.contains(.nameOrderSwapped))
        #expect(missingSwapped.reasons.contains(.transliterated))
        let typo = try name("MULLER JURGEN KLAUZ")
        #expect(typo.outcome != .mismatch)
        #expect(typo.reasons.contains(.typo))
    }

    @Test func anotherNameIsAMismatch() throws {
        #expect(try name("SCHMIDT PETER") == .different)
        #expect(try name("'-'") == .different)
    }

    @Test func singleNameHasNoGivenNames() throws {
        #expect(try name("SUKARNO", surname: "SUKARNO", givenNames: "") == .exact)
    }

    // MARK: Engine

    @Test func otherFieldsAndStatus() throws {
        let result = try match([
            .passportNumber: "c01x00t47", .nationality: "D", .dateOfBirth: "1980-05-17", .sex: "male",
            .residenceCardNumber: "tt12345678",
        ])
        #expect(result.decision == .match)
        #expect(result[.residenceCardNumber] == FieldResult(outcome: .match, score: 100, reasons: [.caseDiffers]))
        #expect(result.cardStatus == .valid)
        #expect(result.recordStatus == .active)
        let expired = try match([.passportNumber: "C01X00T47", .nationality: "DEU", .sex: "male"], today: PartialDate(year: 2028)!)
        #expect(expired.cardStatus == .expired)
        let wrong = try match([.passportNumber: "C01X00T47", .nationality: "DEU", .residenceCardNumber: "TT12345679"])
        #expect(wrong.decision == .mismatch)
    }

    @Test func unknownPassportOrNationalityIsNotFound() throws {
        #expect(try match([.passportNumber: "C01X00T48", .nationality: "DEU", .sex: "male"]).decision == .notFound)
        #expect(try match([.passportNumber: "C01X00T47", .nationality: "AUT", .sex: "male"]).decision == .notFound)
    }

    // MARK: Requests

    @Test func keysAreExclusiveAndValidated() {
        func problem(_ fields: KeyValuePairs<RequestField, String>) -> RequestProblem? {
            do {
                _ = try MatchRequest(fields)
                return nil
            } catch {
                return error
            }
        }
        #expect(problem([.idNumber: "001085012345", .passportNumber: "M12345678", .nationality: "KOR", .sex: "male"])?.field == "idNumber")
        #expect(problem([.passportNumber: "M12345678", .sex: "male"])?.field == "nationality")
        #expect(problem([.nationality: "KOR", .sex: "male"])?.field == "passportNumber")
        #expect(problem([.passportNumber: "M12345678", .nationality: "ZZZ", .sex: "male"])?.field == "nationality")
        #expect(problem([.passportNumber: "M12", .nationality: "KOR", .sex: "male"])?.field == "passportNumber")
        #expect(problem([.passportNumber: "M12345678", .nationality: "KOR", .phoneNumber: "0912345678"])?.field == "phoneNumber")
        #expect(problem([.passportNumber: "M12345678", .nationality: "KOR"])?.kind == .missingField)
        #expect(problem([.idNumber: "001085012345", .residenceCardNumber: "TT12345678"])?.field == "residenceCardNumber")
        #expect(problem([.passportNumber: "M12345678", .nationality: "XXA", .sex: "male"]) == nil)
    }

    @Test func digestOfACitizenRequestIsUnchangedAndPassportKeyIsInIt() throws {
        let citizen = try MatchRequest([.idNumber: "001085012345", .fullName: "Nguyễn Văn An", .purpose: "kyc"])
        let canonical = citizen.withCanonicalForm { String(decoding: $0, as: UTF8.self) }
        #expect(canonical == "idNumber=001085012345\nfullName=Nguyễn Văn An\n")
        let foreign = try MatchRequest([.passportNumber: "M12345678", .nationality: "KOR", .fullName: "KIM", .ref: "r"])
        let foreignCanonical = foreign.withCanonicalForm { String(decoding: $0, as: UTF8.self) }
        #expect(foreignCanonical == "fullName=KIM\npassportNumber=M12345678\nnationality=KOR\n")
        #expect(foreign.foreignerSubject == "KOR:M12345678")
        #expect(citizen.foreignerSubject == nil)
    }

    @Test func packedResultsKeepTheNewReasons() {
        var result = MatchResult(decision: .match, fields: AttributeOrder([.fullName, .residenceCardNumber]), recordStatus: .active, cardStatus: nil)
        let field = FieldResult(outcome: .partial, score: 77, reasons: [.transliterated, .nameOrderSwapped, .typo, .punctuationDiffers])
        result[.fullName] = field
        result[.residenceCardNumber] = .exact
        #expect(result[.fullName] == field)
        #expect(result[.residenceCardNumber] == .exact)
        #expect(result.totalReasonCount == 4)
    }
}
