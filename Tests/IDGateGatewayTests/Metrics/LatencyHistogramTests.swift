import Testing

@testable import IDGateGateway

@Suite struct LatencyHistogramTests {
    static func exposition(_ histogram: LatencyHistogram) -> [String] {
        var buffer: [UInt8] = []
        histogram.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func loopsShardsAddUpToOneCumulativeHistogram() {
        let histogram = LatencyHistogram(
            name: "idgate_request_duration_seconds", help: "Latency.",
            bounds: [.microseconds(50), .milliseconds(1), .seconds(1)])
        let first = histogram.makeShard()
        let second = histogram.makeShard()
        first.record(nanoseconds: 10_000)  // <= 50 µs
        first.record(nanoseconds: 50_000)  // on the bound: counted in it
        second.record(nanoseconds: 700_000)  // <= 1 ms
        second.record(nanoseconds: 3_000_000_000)  // above every bound
        #expect(
            Self.exposition(histogram) == [
                "# HELP idgate_request_duration_seconds Latency.",
                "# TYPE idgate_request_duration_seconds histogram",
                #"idgate_request_duration_seconds_bucket{le="0.00005"} 2"#,
                #"idgate_request_duration_seconds_bucket{le="0.001"} 3"#,
                #"idgate_request_duration_seconds_bucket{le="1.0"} 3"#,
                #"idgate_request_duration_seconds_bucket{le="+Inf"} 4"#,
                "idgate_request_duration_seconds_sum 3.00076",
                "idgate_request_duration_seconds_count 4",
            ])
    }

    @Test func secondsAreWrittenWithoutTrailingZeros() {
        #expect(LatencyHistogram.seconds(0) == "0.0")
        #expect(LatencyHistogram.seconds(1_500_000_000) == "1.5")
        #expect(LatencyHistogram.seconds(250_000) == "0.00025")
        #expect(LatencyHistogram.seconds(1) == "0.000000001")
    }
}
