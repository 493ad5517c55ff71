/// Counters and histograms of one event loop (or, merged, of the whole run). Every request ends in exactly one of:
/// an HTTP response (counted by status) or a transport error (counted by kind).
struct LoadStatistics: Sendable {
    struct Operation: Sendable {
        var latency = LatencyHistogram()
        var responses: UInt64 = 0
        var byStatus: [Int: UInt64] = [:]
        var byDecision: [ResponseDecision: LatencyHistogram] = [:]
        /// Latency by HTTP status: what admitted and refused requests saw, apart (overload runs).
        var latencyByStatus: [Int: LatencyHistogram] = [:]
        var errorCodes: [String: UInt64] = [:]
        var transportErrors: [String: UInt64] = [:]

        var transportErrorCount: UInt64 { transportErrors.values.reduce(0, +) }
        var httpErrorCount: UInt64 { byStatus.filter { !(200..<300).contains($0.key) }.values.reduce(0, +) }

        mutating func add(_ other: Operation) {
            latency.add(other.latency)
            responses += other.responses
            byStatus.merge(other.byStatus, uniquingKeysWith: +)
            errorCodes.merge(other.errorCodes, uniquingKeysWith: +)
            transportErrors.merge(other.transportErrors, uniquingKeysWith: +)
            for (decision, histogram) in other.byDecision { byDecision[decision, default: LatencyHistogram()].add(histogram) }
            for (status, histogram) in other.latencyByStatus { latencyByStatus[status, default: LatencyHistogram()].add(histogram) }
        }
    }

    var operations = Array(repeating: Operation(), count: LoadOperation.allCases.count)
    /// Failed connection attempts by kind (a down target shows here, not as requests).
    var connectErrors: [String: UInt64] = [:]
    var connectionsOpened: UInt64 = 0
    /// Requests completed during warm-up (not in any other counter).
    var warmupRequests: UInt64 = 0
    /// Open-loop requests that could not be sent before their timeout (no connection or no free stream).
    var unsent: UInt64 = 0
    /// Streams the target refused unprocessed (REFUSED_STREAM) and that were sent again: not requests of their own,
    /// the request's one outcome is that of its last attempt.
    var refusedRetries: UInt64 = 0

    /// Since the last `takeInterval`: for the progress line, the timeline and soak rows.
    var interval = IntervalStatistics()

    mutating func add(_ other: LoadStatistics) {
        for index in operations.indices { operations[index].add(other.operations[index]) }
        connectErrors.merge(other.connectErrors, uniquingKeysWith: +)
        connectionsOpened += other.connectionsOpened
        warmupRequests += other.warmupRequests
        unsent += other.unsent
        refusedRetries += other.refusedRetries
    }

    /// Measured requests: responses, transport errors and unsent requests (each request is in exactly one).
    var totalRequests: UInt64 { operations.reduce(unsent) { $0 + $1.responses + $1.transportErrorCount } }
    var totalErrors: UInt64 { operations.reduce(unsent) { $0 + $1.httpErrorCount + $1.transportErrorCount } }
}

/// Outcomes of one time slice (a second, or a soak interval when merged).
struct IntervalStatistics: Sendable {
    var latency = LatencyHistogram()
    /// Finished requests (responses and transport errors).
    var requests: UInt64 = 0
    /// Non-2xx responses, transport errors and unsent requests.
    var errors: UInt64 = 0

    mutating func add(_ other: IntervalStatistics) {
        latency.add(other.latency)
        requests += other.requests
        errors += other.errors
    }
}
