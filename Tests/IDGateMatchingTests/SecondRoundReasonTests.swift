import Foundation
import IDGateMatching
import IDGateStore
import Testing

/// One test per reason code added in the second round (issue 20), with the issue's examples.
@Suite struct SecondRoundReasonTests {
    func name(_ submitted: String, stored: String) throws -> FieldResult {
        try Fixtures.field(.fullName, submitted, against: Fixtures.resident(fullName: stored))
    }

    func birth(_ submitted: String, stored: String) throws -> FieldResult {
        try Fixtures.field(.dateOfBirth, submitted, against: Fixtures.resident(dateOfBirth: stored))
    }

    @Test(arguments: [
        ("Lê Thị Hòa", "Lê Thị Hoà"), ("Lê Thị Hoà", "Lê Thị Hòa"), ("Phạm Thu Thúy", "Phạm Thu Thuý"),
        ("Đỗ Văn Khỏe", "Đỗ Văn Khoẻ"), ("Trần Quang Hủy", "Trần Quang Huỷ"), ("HOÀNG THỊ HÒA", "Hoàng Thị Hoà"),
    ])
    func toneMarkOnTheOtherVowelIsTheSameSpelling(submitted: String, stored: String) throws {
        let result = try name(submitted, stored: stored)
        #expect(result.outcome == .match)
        #expect(result.score == 100)
        #expect(result.reasons.contains(.toneMarkPlacement))
        #expect(!result.reasons.contains(.diacriticsDiffer))
    }

    @Test func toneMovedElsewhereOrChangedIsNotPlacement() throws {
        // The same tone on a vowel pair outside oa/oe/uy, or another tone on the other vowel: another spelling.
        #expect(try name("Nguyễn Thị Hóa", stored: "Nguyễn Thị Hoà").reasons == [.diacriticsDiffer])
        #expect(try name("Nguyễn Văn Tuấn", stored: "Nguyễn Văn Tùân").reasons == [.diacriticsDiffer])
    }

    @Test(arguments: [("Nguyễn Văn Tân", "Nguyễn Văn Tấn"), ("Lê Hùng", "Lê Hưng"), ("Trần Thị Mai", "Trần Thị Mải")])
    func queryWithDiacriticsThatDifferIsPartial(submitted: String, stored: String) throws {
        let result = try name(submitted, stored: stored)
        #expect(result == FieldResult(outcome: .partial, score: 95, reasons: [.diacriticsDiffer]))
    }

    @Test(arguments: [("Nguyen Van Tan", "Nguyễn Văn Tấn"), ("Le Hung", "Lê Hưng"), ("LE THI HOA", "Lê Thị Hoà")])
    func queryWithoutAnyDiacriticsIsNoDiacriticsAndMatches(submitted: String, stored: String) throws {
        let result = try name(submitted, stored: stored)
        #expect(result.outcome == .match)
        #expect(result.score == 95)
        #expect(result.reasons.contains(.noDiacritics))
        #expect(!result.reasons.contains(.diacriticsDiffer))
    }

    @Test func dayAndMonthSwappedIsPartial() throws {
        #expect(try birth("1985-12-03", stored: "1985-03-12")
            == FieldResult(outcome: .partial, score: 90, reasons: [.dayMonthSwapped]))
        // Not a swap: another year, a day above 12, a date that is simply different, or equal day and month.
        #expect(try birth("1986-12-03", stored: "1985-03-12") == .different)
        #expect(try birth("1985-03-13", stored: "1985-03-12") == .different)
        #expect(try birth("1985-11-03", stored: "1985-03-12") == .different)
        #expect(try birth("1985-05-05", stored: "1985-05-05") == .exact)
        // Only full dates can be swapped.
        #expect(try birth("1985-12", stored: "1985-03-12") == .different)
    }

    @Test(arguments: ["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}", "\u{00AD}", "\u{202E}", "\u{2066}"])
    func invisibleCharactersAreReported(invisible: String) throws {
        let inside = try name("Nguyễn Văn A\(invisible)n", stored: "Nguyễn Văn An")
        #expect(inside == FieldResult(outcome: .partial, score: 100, reasons: [.invisibleCharacters]))
        // Never a separator: a name glued by one is not the spaced name.
        let glued = try name("Nguyễn\(invisible)Văn An", stored: "Nguyễn Văn An")
        #expect(glued.outcome == .mismatch)
        #expect(glued.reasons == [.invisibleCharacters, .differentValue])
        // Byte-equal to a stored value holding it: still reported.
        let same = try name("Nguyễn Văn A\(invisible)n", stored: "Nguyễn Văn A\(invisible)n")
        #expect(same.reasons == [.invisibleCharacters])
    }

    @Test func invisibleCharactersNeverMakeDifferentNamesEqual() throws {
        // A right-to-left override shows "nA" as "An"; the letters compared are still "nA".
        #expect(try name("Nguyễn Văn \u{202E}nA\u{202C}", stored: "Nguyễn Văn An").outcome == .mismatch)
        #expect(try name("Nguyễn Văn B\u{200D}ình", stored: "Nguyễn Văn An").outcome == .mismatch)
        #expect(try name("Nguyễn Văn Minh\u{200B}", stored: "Nguyễn Văn Linh").outcome == .mismatch)
    }

    @Test func invisibleCharactersInAddresses() throws {
        let stored = "Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh"
        let result = try Fixtures.field(
            .placeOfResidence, "Phường Bến\u{200B} Nghé, Quận 1, Thành phố Hồ Chí Minh",
            against: Fixtures.resident(placeOfResidence: stored))
        #expect(result == FieldResult(outcome: .partial, score: 100, reasons: [.invisibleCharacters]))
    }

    @Test func everyReasonHasADistinctWireName() {
        let names = MatchReason.allCases.map(\.wireName)
        #expect(Set(names).count == 19)
        for reason in MatchReason.allCases { #expect(MatchReason(wireName: reason.wireName) == reason) }
        #expect(MatchReason(wireName: "nope") == nil)
    }
}

@Suite struct ReasonDecisionPolicyTests {
    @Test func standardPolicyCapsTheIssuesReasons() {
        let standard = ReasonDecisionPolicy.standard
        #expect(standard[.diacriticsDiffer] == .partial)
        #expect(standard[.dayMonthSwapped] == .partial)
        #expect(standard[.invisibleCharacters] == .partial)
        #expect(standard[.noDiacritics] == .match)
        #expect(standard[.toneMarkPlacement] == .match)
        #expect(standard[.administrativeUnitRenamed] == .match)
        #expect(standard[.differentValue] == .match)  // a disagreeing field is a mismatch anyway
        #expect(MatchEngine().policy == .standard)
    }

    @Test func aBankTreatingAnotherSpellingAsMismatch() throws {
        let request = try MatchRequest([.idNumber: "001085012345", .fullName: "Nguyễn Văn Ân"])
        var engine = MatchEngine()
        #expect(engine.match(request, against: Fixtures.resident(), today: Fixtures.today).decision == .partial)
        engine.policy[.diacriticsDiffer] = .mismatch
        let result = engine.match(request, against: Fixtures.resident(), today: Fixtures.today)
        #expect(result.decision == .mismatch)
        #expect(result[.fullName] == FieldResult(outcome: .mismatch, score: 95, reasons: [.diacriticsDiffer]))
    }

    @Test func aLenientClientLiftsACap() throws {
        let request = try MatchRequest([.idNumber: "001085012345", .dateOfBirth: "1985-03-14"])
        #expect(MatchEngine().match(request, against: Fixtures.resident(), today: Fixtures.today).decision == .match)
        let swapped = try MatchRequest([.idNumber: "001085012345", .dateOfBirth: "1985-12-03"])
        let stored = Fixtures.resident(dateOfBirth: "1985-03-12")
        #expect(MatchEngine().match(swapped, against: stored, today: Fixtures.today).decision == .partial)
        let lenient = MatchEngine(policy: ReasonDecisionPolicy(capping: [:]))
        #expect(lenient.match(swapped, against: stored, today: Fixtures.today).decision == .match)
    }

    @Test func aPolicyNeverRaisesAnOutcome() {
        var policy = ReasonDecisionPolicy.scoreOnly
        #expect(policy.applied(to: .different) == .different)
        // An address whose lower unit differs is partial with different_value; a strict client can refuse it.
        let lowerUnitDiffers = FieldResult(outcome: .partial, score: 75, reasons: [.differentValue])
        #expect(policy.applied(to: lowerUnitDiffers) == lowerUnitDiffers)
        policy[.differentValue] = .mismatch
        #expect(policy.applied(to: lowerUnitDiffers).outcome == .mismatch)
        let typo = FieldResult(outcome: .partial, score: 85, reasons: [.typo])
        #expect(policy.applied(to: typo) == typo)
        policy[.typo] = .mismatch
        #expect(policy.applied(to: typo).outcome == .mismatch)
        policy[.typo] = .match
        #expect(policy.applied(to: typo) == typo)
    }

    @Test func decodesOverridesOnTopOfTheDefaultsAndRoundTrips() throws {
        let json = #"{"diacritics_differ": "mismatch", "day_month_swapped": "match", "province_only": "mismatch"}"#
        let policy = try JSONDecoder().decode(ReasonDecisionPolicy.self, from: Data(json.utf8))
        #expect(policy[.diacriticsDiffer] == .mismatch)
        #expect(policy[.dayMonthSwapped] == .match)
        #expect(policy[.provinceOnly] == .mismatch)
        #expect(policy[.invisibleCharacters] == .partial)  // not named: the default
        #expect(policy.caps == [.diacriticsDiffer: .mismatch, .provinceOnly: .mismatch, .invisibleCharacters: .partial])
        let again = try JSONDecoder().decode(ReasonDecisionPolicy.self, from: JSONEncoder().encode(policy))
        #expect(again == policy)
        #expect(try JSONDecoder().decode(ReasonDecisionPolicy.self, from: Data("{}".utf8)) == .standard)
    }

    @Test func badPolicyJSONIsAClearError() {
        for bad in [#"{"diacritic_differ": "partial"}"#, #"{"typo": "maybe"}"#, "[]", #"{"typo": 1}"#] {
            #expect(throws: (any Error).self) { try JSONDecoder().decode(ReasonDecisionPolicy.self, from: Data(bad.utf8)) }
        }
        do {
            _ = try JSONDecoder().decode(ReasonDecisionPolicy.self, from: Data(#"{"diacritic_differ": "partial"}"#.utf8))
        } catch {
            #expect("\(error)".contains("unknown reason \"diacritic_differ\""))
        }
    }
}
