import IDGateStore

/// Compares partial dates at the precision both sides have: day, month (`month_only`) or year (`year_only`).
@usableFromInline
enum DateComparator {
    @usableFromInline
    static func compare(submitted: PartialDate, stored: PartialDate, thresholds: MatchThresholds) -> FieldResult {
        let precision = min(submitted.precision.rawValue, stored.precision.rawValue)
        guard submitted.year == stored.year else { return .different }
        if precision == PartialDate.Precision.year.rawValue {
            return thresholds.result(reasons: MatchReasons(.yearOnly))
        }
        guard submitted.month == stored.month else { return .different }
        if precision == PartialDate.Precision.month.rawValue {
            return thresholds.result(reasons: MatchReasons(.monthOnly))
        }
        return submitted.day == stored.day ? .exact : .different
    }
}
