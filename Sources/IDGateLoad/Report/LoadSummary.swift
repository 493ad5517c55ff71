/// The result of a run, written by `--json` and rendered by `--report`. Latencies are in microseconds.
public struct LoadSummary: Codable, Sendable {
    public var target: String
    /// `closed-loop` or `open-loop`.
    public var mode: String
    public var connections: Int
    public var streamsPerConnection: Int
    public var targetRate: Double?
    public var warmupSeconds: Double
    /// Length of the measured phase actually run.
    public var measuredSeconds: Double
    /// Measured requests: `responses + transportErrors + unsent`.
    public var requests: UInt64
    public var responses: UInt64
    /// Non-2xx responses, transport errors and unsent requests.
    public var errors: UInt64
    public var transportErrors: UInt64
    public var unsent: UInt64
    public var warmupRequests: UInt64
    /// Measured requests per second.
    public var achievedRate: Double
    public var latency: LatencySummary
    public var latencyDistribution: [LatencyPoint]
    public var operations: [String: OperationSummary]
    public var connectErrors: [String: UInt64]
    public var connectionsOpened: UInt64
    /// Streams refused unprocessed by the target (REFUSED_STREAM, e.g. a node draining) and sent again on another
    /// connection; RFC 9113 §8.7 makes that safe. Each request still counts once, by its last attempt.
    public var refusedRetries: UInt64?
    public var timeline: [TimelineRow]
    public var soak: [SoakRow]?
}

public struct OperationSummary: Codable, Sendable {
    public var requests: UInt64
    public var responses: UInt64
    public var latency: LatencySummary
    /// Responses by HTTP status (keys are status codes as strings).
    public var byStatus: [String: UInt64]
    /// Latency of 2xx responses by `decision`.
    public var byDecision: [String: LatencySummary]
    /// Error responses by `error.code`.
    public var errorCodes: [String: UInt64]
    /// Latency by HTTP status (keys are status codes as strings): admitted and refused requests apart.
    public var latencyByStatus: [String: LatencySummary]? = nil
    /// Transport failures by kind (`connect_refused`, `tls`, `stream_reset`, `timeout`, ...).
    public var transportErrors: [String: UInt64]
}

/// One second of the run (warm-up included; `measured` tells which).
public struct TimelineRow: Codable, Sendable, Equatable {
    public var second: Int
    public var measured: Bool
    public var requests: UInt64
    public var errors: UInt64
    public var p50: UInt64
    public var p99: UInt64
}

/// One soak interval: load outcome plus the target's resources from `/metrics`, and what drifted.
public struct SoakRow: Codable, Sendable, Equatable {
    public var endSecond: Int
    public var rate: Double
    public var p50: UInt64
    public var p99: UInt64
    public var errors: UInt64
    public var residentMemoryBytes: Double?
    public var openFileDescriptors: Double?
    /// `rss_growth`, `p99_growth`, `errors`, `metrics_unavailable`.
    public var flags: [String]
}

extension LoadSummary {
    init(options: LoadOptions, statistics: LoadStatistics, measuredSeconds: Double, timeline: [TimelineRow], soak: [SoakRow]?) {
        var all = LatencyHistogram()
        var operations: [String: OperationSummary] = [:]
        for operation in LoadOperation.allCases {
            let stats = statistics.operations[operation.rawValue]
            let requests = stats.responses + stats.transportErrorCount
            guard requests > 0 else { continue }
            all.add(stats.latency)
            operations[operation.name] = OperationSummary(
                requests: requests, responses: stats.responses, latency: stats.latency.summary,
                byStatus: Dictionary(uniqueKeysWithValues: stats.byStatus.map { (String($0.key), $0.value) }),
                byDecision: Dictionary(uniqueKeysWithValues: stats.byDecision.map { ($0.key.rawValue, $0.value.summary) }),
                errorCodes: stats.errorCodes,
                latencyByStatus: Dictionary(uniqueKeysWithValues: stats.latencyByStatus.map { (String($0.key), $0.value.summary) }),
                transportErrors: stats.transportErrors)
        }
        target = "\(options.target.scheme)://\(options.target.authority)"
        if case .openLoop(let rate) = options.pacing {
            mode = "open-loop"
            targetRate = rate
        } else {
            mode = "closed-loop"
            targetRate = nil
        }
        connections = options.connections
        streamsPerConnection = options.streamsPerConnection
        warmupSeconds = Double(options.warmupNanos) / 1e9
        self.measuredSeconds = measuredSeconds
        requests = statistics.totalRequests
        responses = statistics.operations.reduce(0) { $0 + $1.responses }
        errors = statistics.totalErrors
        transportErrors = statistics.operations.reduce(0) { $0 + $1.transportErrorCount }
        unsent = statistics.unsent
        warmupRequests = statistics.warmupRequests
        achievedRate = measuredSeconds > 0 ? Double(requests - unsent) / measuredSeconds : 0
        latency = all.summary
        latencyDistribution = all.distribution
        self.operations = operations
        connectErrors = statistics.connectErrors
        connectionsOpened = statistics.connectionsOpened
        refusedRetries = statistics.refusedRetries
        self.timeline = timeline
        self.soak = soak
    }
}
