/// Turns soak intervals into rows and flags drift against the first interval: resident memory growing by more than
/// `rssGrowthLimit`, p99 more than doubling (and by at least a millisecond), or any error.
struct SoakTracker {
    static let rssGrowthLimit = 0.10
    private(set) var rows: [SoakRow] = []

    mutating func append(
        endSecond: Int, interval: IntervalStatistics, seconds: Double, metrics: TargetMetrics?
    ) -> SoakRow {
        var row = SoakRow(
            endSecond: endSecond, rate: seconds > 0 ? Double(interval.requests) / seconds : 0,
            p50: interval.latency.micros(atPercentile: 50), p99: interval.latency.micros(atPercentile: 99),
            errors: interval.errors, residentMemoryBytes: metrics?.residentMemoryBytes,
            openFileDescriptors: metrics?.openFileDescriptors, flags: [])
        if let first = rows.first {
            if let start = first.residentMemoryBytes, let now = row.residentMemoryBytes, start > 0,
                (now - start) / start > Self.rssGrowthLimit
            {
                row.flags.append("rss_growth")
            }
            if first.p99 > 0, row.p99 > first.p99 * 2, row.p99 - first.p99 >= 1_000 { row.flags.append("p99_growth") }
        }
        if row.errors > 0 { row.flags.append("errors") }
        if metrics == nil { row.flags.append("metrics_unavailable") }
        rows.append(row)
        return row
    }
}
