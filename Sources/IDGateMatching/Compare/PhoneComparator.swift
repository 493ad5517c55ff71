/// Compares the submitted phone number with every phone number linked to the record.
@usableFromInline
enum PhoneComparator {
    @inlinable
    static func compare<F: ResidentFacts>(
        submitted: PhoneNumber, submittedWasRemapped: Bool, resident: F, thresholds: MatchThresholds
    ) -> FieldResult {
        for index in 0..<resident.phoneNumberCount {
            guard let stored = resident.withPhoneNumber(at: index, { PhoneNumber.parse($0) }),
                stored.number == submitted
            else { continue }
            if submittedWasRemapped || stored.remapped {
                return thresholds.result(reasons: MatchReasons(.legacyPrefix))
            }
            return .exact
        }
        return .different
    }
}
