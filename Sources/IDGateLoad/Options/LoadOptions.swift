/// Everything one run needs, already parsed and validated (the command line maps onto this).
public struct LoadOptions: Sendable {
    /// How requests are paced.
    public enum Pacing: Sendable, Equatable {
        /// `connections × streams` requests always in flight; each completion sends the next.
        case closedLoop
        /// A fixed arrival rate (requests per second) spread over the connections; latency counts from the intended
        /// send time, so a stall shows up as latency instead of silently lowering the rate.
        case openLoop(ratePerSecond: Double)
    }

    public var target: LoadTarget
    public var pacing: Pacing = .closedLoop
    public var connections = 16
    public var streamsPerConnection = 100
    /// Measured phase length (nanoseconds); with `requestCount` it is a cap instead.
    public var durationNanos: UInt64 = 30_000_000_000
    /// Measured requests to send in total; `nil` runs for `durationNanos`.
    public var requestCount: Int?
    public var warmupNanos: UInt64 = 0
    /// A request not finished this long after its (intended) start is cancelled and counted as a timeout; also the
    /// longest the run waits for in-flight requests after the measured phase.
    public var timeoutNanos: UInt64 = 5_000_000_000
    public var mix = OperationMix.default
    /// Event-loop threads (connections are spread over them).
    public var threads = 1
    /// Soak mode: per-interval rows and drift flags, target `/metrics` scraped each interval.
    public var soakIntervalNanos: UInt64?
    public var apiKey: String?
    public var certificateFile: String?
    public var privateKeyFile: String?
    public var caFile: String?
    public var insecure = false
    /// Live progress line on stderr once a second.
    public var showProgress = true

    public init(target: LoadTarget) {
        self.target = target
    }

    /// Rejects impossible combinations before anything connects.
    public func validate() throws {
        guard connections >= 1, connections <= 10_000 else { throw LoadOptionError.invalid("connections", String(connections)) }
        guard streamsPerConnection >= 1, streamsPerConnection <= 10_000 else {
            throw LoadOptionError.invalid("streams", String(streamsPerConnection))
        }
        if case .openLoop(let rate) = pacing, !(rate > 0 && rate <= 10_000_000) {
            throw LoadOptionError.invalid("rate", String(rate))
        }
        if let requestCount, requestCount < 1 { throw LoadOptionError.invalid("requests", String(requestCount)) }
        guard durationNanos > 0 else { throw LoadOptionError.invalid("duration", "0") }
        guard timeoutNanos > 0 else { throw LoadOptionError.invalid("timeout", "0") }
        if soakIntervalNanos != nil, case .closedLoop = pacing { throw LoadOptionError.missing("--rate (soak runs are open-loop)") }
        if (certificateFile == nil) != (privateKeyFile == nil) { throw LoadOptionError.missing("--cert and --key together") }
    }
}
