import Benchmark

/// The tolerances `benchmark thresholds check` applies to the p90 values recorded in `Benchmarks/Thresholds/`
/// (docs/BENCHMARKS.md, "Regression check"). Sized for this project's shared 2-core machine:
///
/// - `wallClock`: relative, generous (35% by default): a run on a busy box is often 10–25% slower at p90 than one
///   on a quiet box, while a real regression on a hot path is usually larger than that.
/// - `mallocCountTotal`: absolute and tight. Allocation counts do not depend on the machine's load, so this is the
///   metric that catches a change of code (an extra allocation per request shows even on a noisy machine).
/// - `throughput` is measured but not checked: it is the inverse of `wallClock`, and benchmark 1.38 records its
///   threshold at the fast end (p90 of the raw values) while checking the slow end, so a check on it misfires.
/// - `cpuTotal` is measured where a benchmark wants it (CPU time is the fairer figure on a shared machine) but not
///   checked: Linux reports it in scheduler ticks (10 ms), coarser than most measured iterations.
/// - `instructions` needs perf counters, which this VM does not have (`perf stat -e instructions true`: "not
///   supported"); where they exist the metric is reported and left unchecked.
///
/// Every metric a benchmark measures gets an entry: a metric without one is checked with benchmark's `strict`
/// default (0%), which fails on any noise.
public enum Tolerance {
    /// Default relative tolerance of time metrics at p90, in percent.
    public static let timePercent: Double = 35

    /// Thresholds for `metrics`: time metrics relative (`timePercent` unless given), allocation counts absolute
    /// (`mallocs` allocations per measured iteration, i.e. per `scalingFactor` operations), anything else unchecked.
    public static func thresholds(
        for metrics: [BenchmarkMetric], timePercent: Double = timePercent, mallocs: Int
    ) -> [BenchmarkMetric: BenchmarkThresholds] {
        var thresholds: [BenchmarkMetric: BenchmarkThresholds] = [:]
        for metric in metrics {
            switch metric {
            case .wallClock:
                thresholds[metric] = BenchmarkThresholds(relative: [.p90: timePercent])
            case .mallocCountTotal:
                thresholds[metric] = BenchmarkThresholds(absolute: [.p90: mallocs])
            default:
                thresholds[metric] = BenchmarkThresholds.none
            }
        }
        return thresholds
    }

    /// Measured and reported, never checked (a same-run yardstick such as the C LMDB loop).
    public static func unchecked(_ metrics: [BenchmarkMetric]) -> [BenchmarkMetric: BenchmarkThresholds] {
        Dictionary(uniqueKeysWithValues: metrics.map { ($0, BenchmarkThresholds.none) })
    }
}
