import Histogram

/// HdrHistogram of latencies in microseconds (1 µs to 60 s, 3 significant digits); longer values are clamped.
struct LatencyHistogram: Sendable {
    static let maxMicros: UInt64 = 60_000_000
    private(set) var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistogram.maxMicros, numberOfSignificantValueDigits: .three)

    var count: UInt64 { histogram.totalCount }

    @inline(__always)
    mutating func record(nanos: UInt64) {
        _ = histogram.record(Swift.min(Swift.max(nanos / 1_000, 1), Self.maxMicros))
    }

    mutating func add(_ other: LatencyHistogram) { histogram.add(other.histogram) }
    mutating func reset() { histogram.reset() }

    func micros(atPercentile percentile: Double) -> UInt64 {
        histogram.totalCount == 0 ? 0 : histogram.valueAtPercentile(percentile)
    }

    var summary: LatencySummary {
        LatencySummary(
            count: count, p50: micros(atPercentile: 50), p90: micros(atPercentile: 90), p99: micros(atPercentile: 99),
            p999: micros(atPercentile: 99.9), max: count == 0 ? 0 : histogram.max,
            mean: count == 0 ? 0 : histogram.mean)
    }

    /// (percentile, microseconds) points for the distribution chart, from p0 to the maximum.
    var distribution: [LatencyPoint] {
        guard count > 0 else { return [] }
        let percentiles: [Double] = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100]
        return percentiles.map { LatencyPoint(percentile: $0, micros: $0 == 100 ? histogram.max : micros(atPercentile: $0)) }
    }
}

/// Latency percentiles in microseconds, as written to the JSON summary.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: UInt64
    public var p50: UInt64
    public var p90: UInt64
    public var p99: UInt64
    public var p999: UInt64
    public var max: UInt64
    public var mean: Double
}

public struct LatencyPoint: Codable, Sendable, Equatable {
    public var percentile: Double
    public var micros: UInt64
}
