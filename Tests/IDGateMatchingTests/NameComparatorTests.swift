import IDGateMatching
import IDGateStore
import Testing

@Suite struct NameComparatorTests {
    func name(_ submitted: String, stored: String = "Nguyễn Văn An") throws -> FieldResult {
        try Fixtures.field(.fullName, submitted, against: Fixtures.resident(fullName: stored))
    }

    @Test func identicalNameMatchesWithFullScore() throws {
        #expect(try name("Nguyễn Văn An") == FieldResult(outcome: .match, score: 100, reasons: []))
    }

    @Test func whitespaceAndPunctuationAreNormalized() throws {
        #expect(try name("  Nguyễn   Văn\u{00A0}An. ") == .exact)
        #expect(try name("Nguyễn-Văn An") == .exact)
    }

    @Test func caseDifferenceIsReportedAndStillMatches() throws {
        #expect(try name("NGUYỄN VĂN AN") == FieldResult(outcome: .match, score: 100, reasons: Fixtures.reasons(.caseDiffers)))
    }

    @Test func nameWithoutAnyDiacriticsIsNoDiacriticsAndMatches() throws {
        #expect(try name("Nguyen Van An") == FieldResult(outcome: .match, score: 95, reasons: Fixtures.reasons(.noDiacritics)))
        #expect(try name("NGUYEN VAN AN") == FieldResult(outcome: .match, score: 95, reasons: Fixtures.reasons(.caseDiffers, .noDiacritics)))
    }

    @Test func dStrokeFoldsToD() throws {
        let result = try name("Dang Van Dung", stored: "Đặng Văn Dũng")
        #expect(result == FieldResult(outcome: .match, score: 95, reasons: Fixtures.reasons(.noDiacritics)))
        // Diacritics kept but đ written d: another spelling (Dặng is not Đặng).
        #expect(try name("Dặng Văn Dũng", stored: "Đặng Văn Dũng")
            == FieldResult(outcome: .partial, score: 95, reasons: Fixtures.reasons(.diacriticsDiffer)))
        #expect(try name("đặng văn dũng", stored: "Đặng Văn Dũng").reasons == Fixtures.reasons(.caseDiffers))
    }

    @Test func decomposedInputEqualsPrecomposed() throws {
        // "Nguyễn" with e + U+0302 circumflex + U+0303 tilde, "Văn" with a + U+0306 breve.
        let decomposed = "Nguye\u{0302}\u{0303}n Va\u{0306}n An"
        #expect(try name(decomposed) == .exact)
        // Marks in the other canonical order still give the same letter.
        #expect(try name("Nguye\u{0303}\u{0302}n Va\u{0306}n An") == .exact)
    }

    @Test func differentToneIsDiacriticsDifferAndPartial() throws {
        #expect(try name("Nguyễn Văn Ân") == FieldResult(outcome: .partial, score: 95, reasons: Fixtures.reasons(.diacriticsDiffer)))
        #expect(try name("Nguyễn Văn Tân", stored: "Nguyễn Văn Tấn").outcome == .partial)
        #expect(try name("Trần Hưng", stored: "Trần Hùng").reasons == Fixtures.reasons(.diacriticsDiffer))
        // A query carrying diacritics that leaves one syllable without them names another spelling too.
        #expect(try name("Nguyễn Văn Tan", stored: "Nguyễn Văn Tấn").reasons == Fixtures.reasons(.diacriticsDiffer))
    }

    @Test func oneTypoPerSyllableIsPartial() throws {
        #expect(try name("Nguyen Van An", stored: "Nguyen Van An") == .exact)
        #expect(try name("Nguyn Văn An") == FieldResult(outcome: .partial, score: 85, reasons: Fixtures.reasons(.typo)))
        #expect(try name("Ngyuễn Văn An").reasons == Fixtures.reasons(.typo))  // transposition
        #expect(try name("Nguyễnn Văn An").reasons == Fixtures.reasons(.typo))  // insertion
        #expect(try name("Nguyễn Vân An").reasons == Fixtures.reasons(.diacriticsDiffer))
    }

    @Test func twoTyposCostTwice() throws {
        #expect(try name("Nguyn Vam An") == FieldResult(outcome: .partial, score: 70, reasons: Fixtures.reasons(.typo)))
    }

    @Test func swappedOrderIsTokenOrderDiffers() throws {
        #expect(try name("Văn An Nguyễn") == FieldResult(outcome: .match, score: 90, reasons: Fixtures.reasons(.tokenOrderDiffers)))
        #expect(try name("An Nguyen Van").reasons == Fixtures.reasons(.noDiacritics, .tokenOrderDiffers))
    }

    @Test func missingMiddleNameIsMissingToken() throws {
        #expect(try name("Nguyễn An") == FieldResult(outcome: .partial, score: 80, reasons: Fixtures.reasons(.missingToken)))
        #expect(try name("Nguyễn Thị Minh Khai", stored: "Nguyễn Minh Khai").reasons == Fixtures.reasons(.missingToken))
        #expect(try name("Trần Thị Thu Hà", stored: "Trần Thu Hà").outcome == .partial)
    }

    @Test func differentGivenNameIsMismatch() throws {
        #expect(try name("Nguyễn Văn Bình") == FieldResult(outcome: .mismatch, score: 0, reasons: Fixtures.reasons(.differentValue)))
        // One letter apart but the first letter differs: a different name, not a typo.
        #expect(try name("Nguyễn Văn Minh", stored: "Nguyễn Văn Linh").outcome == .mismatch)
    }

    @Test func differentFamilyNameIsMismatch() throws {
        #expect(try name("Trần Văn An").reasons == Fixtures.reasons(.differentValue))
        #expect(try name("Văn An").outcome == .mismatch)  // family name missing, not a middle name
    }

    @Test func extraOrMissingFirstOrLastSyllableIsMismatch() throws {
        #expect(try name("Nguyễn Văn An Bình").outcome == .mismatch)
    }

    @Test func thresholdsComeFromConfig() throws {
        let strict = MatchThresholds(match: 100, partial: 90)
        #expect(try Fixtures.field(.fullName, "Nguyen Van An", thresholds: strict) == FieldResult(outcome: .partial, score: 95, reasons: Fixtures.reasons(.noDiacritics)))
        let harsh = MatchThresholds(penalties: .init(noDiacritics: 60))
        #expect(try Fixtures.field(.fullName, "Nguyen Van An", thresholds: harsh).outcome == .mismatch)
    }
}
