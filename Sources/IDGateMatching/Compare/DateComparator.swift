import IDGateStore

/// Compares partial dates at the precision both sides have: day, month (`month_only`) or year (`year_only`). A full
/// date whose day and month trade places with the stored ones is `day_month_swapped`: the commonest slip between
/// day-first Vietnamese papers and month-first forms, told apart from an unrelated date.
@usableFromInline
enum DateComparator {
    @usableFromInline
    static func compare(submitted: PartialDate, stored: PartialDate, thresholds: MatchThresholds) -> FieldResult {
        let precision = min(submitted.precision.rawValue, stored.precision.rawValue)
        guard submitted.year == stored.year else { return .different }
        if precision == PartialDate.Precision.year.rawValue {
            return thresholds.result(reasons: MatchReasons(.yearOnly))
        }
        guard submitted.month == stored.month else {
            if precision == PartialDate.Precision.day.rawValue && submitted.day == stored.month
                && submitted.month == stored.day
            {
                return thresholds.result(reasons: MatchReasons(.dayMonthSwapped))
            }
            return .different
        }
        if precision == PartialDate.Precision.month.rawValue {
            return thresholds.result(reasons: MatchReasons(.monthOnly))
        }
        return submitted.day == stored.day ? .exact : .different
    }
}
