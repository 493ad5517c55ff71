import Foundation
import IDGateMatching
import Testing

@Suite struct MatchThresholdsTests {
    @Test func missingKeysTakeTheDocumentedDefaults() throws {
        let decoded = try JSONDecoder().decode(MatchThresholds.self, from: Data(#"{"partial": 40, "penalties": {"typo": 25}}"#.utf8))
        #expect(decoded.match == 90)
        #expect(decoded.partial == 40)
        #expect(decoded.penalties.typo == 25)
        #expect(decoded.penalties.diacriticsDiffer == 5)
        #expect(try JSONDecoder().decode(MatchThresholds.self, from: Data("{}".utf8)) == MatchThresholds())
    }

    @Test func roundTrips() throws {
        let custom = MatchThresholds(match: 95, partial: 60, penalties: .init(yearOnly: 30))
        let data = try JSONEncoder().encode(custom)
        #expect(try JSONDecoder().decode(MatchThresholds.self, from: data) == custom)
    }
}
