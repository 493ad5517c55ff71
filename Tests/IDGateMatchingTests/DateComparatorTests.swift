import IDGateMatching
import IDGateStore
import Testing

@Suite struct DateComparatorTests {
    func dateOfBirth(_ submitted: String, stored: String = "1985-03-14") throws -> FieldResult {
        try Fixtures.field(.dateOfBirth, submitted, against: Fixtures.resident(dateOfBirth: stored))
    }

    @Test func fullDatesCompareExactly() throws {
        #expect(try dateOfBirth("1985-03-14") == .exact)
        #expect(try dateOfBirth("1985-03-15") == .different)
        #expect(try dateOfBirth("1986-03-14") == .different)
    }

    @Test func yearOnlyOnEitherSideIsYearOnly() throws {
        let yearOnly = FieldResult(outcome: .partial, score: 80, reasons: Fixtures.reasons(.yearOnly))
        #expect(try dateOfBirth("1985") == yearOnly)
        #expect(try dateOfBirth("1985-03-14", stored: "1985") == yearOnly)
        #expect(try dateOfBirth("1985", stored: "1985") == yearOnly)
        #expect(try dateOfBirth("1984", stored: "1985") == .different)
        #expect(try dateOfBirth("1984-03-14", stored: "1985") == .different)
    }

    @Test func monthYearComparesMonth() throws {
        let monthOnly = FieldResult(outcome: .match, score: 90, reasons: Fixtures.reasons(.monthOnly))
        #expect(try dateOfBirth("1985-03") == monthOnly)
        #expect(try dateOfBirth("1985-03-01", stored: "1985-03") == monthOnly)
        #expect(try dateOfBirth("1985-04") == .different)
        #expect(try dateOfBirth("1985", stored: "1985-03") .reasons == Fixtures.reasons(.yearOnly))
    }

    @Test func cardIssueDateComparesAndNeedsACard() throws {
        #expect(try Fixtures.field(.cardIssueDate, "2021-04-20") == .exact)
        #expect(try Fixtures.field(.cardIssueDate, "2021-04-21") == .different)
        #expect(try Fixtures.field(.cardIssueDate, "2021-04-20", against: Fixtures.resident(card: nil)) == .different)
    }

    @Test func sexCompares() throws {
        #expect(try Fixtures.field(.sex, "male") == .exact)
        #expect(try Fixtures.field(.sex, "female") == .different)
    }
}
