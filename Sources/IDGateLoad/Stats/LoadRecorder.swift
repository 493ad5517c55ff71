import IDGateHTTP2
import NIOCore
import Synchronization

/// Where the workers of one event loop record outcomes. The lock is only contended once a second, when the runner
/// takes the interval, so recording costs an uncontended lock and a histogram increment.
final class LoadRecorder: Sendable {
    private let statistics = Mutex(LoadStatistics())

    /// An HTTP response (any status). `measured == false` during warm-up.
    func recordResponse(_ operation: LoadOperation, status: Int, body: ByteBuffer, latencyNanos: UInt64, measured: Bool) {
        let success = (200..<300).contains(status)
        let decision = success && operation != .raw && operation != .batch ? ResponseScanner.decision(in: body) : .none
        let code = success ? nil : ResponseScanner.stringValue(of: "code", in: body)
        statistics.withLock { statistics in
            statistics.interval.requests += 1
            if !success { statistics.interval.errors += 1 }
            statistics.interval.latency.record(nanos: latencyNanos)
            guard measured else { statistics.warmupRequests += 1; return }
            let index = operation.rawValue
            statistics.operations[index].responses += 1
            statistics.operations[index].latency.record(nanos: latencyNanos)
            statistics.operations[index].byStatus[status, default: 0] += 1
            statistics.operations[index].latencyByStatus[status, default: LatencyHistogram()].record(nanos: latencyNanos)
            if decision != .none { statistics.operations[index].byDecision[decision, default: LatencyHistogram()].record(nanos: latencyNanos) }
            if let code { statistics.operations[index].errorCodes[code, default: 0] += 1 }
        }
    }

    func recordTransportError(_ operation: LoadOperation, _ error: H2ClientTransportError, measured: Bool) {
        statistics.withLock { statistics in
            statistics.interval.requests += 1
            statistics.interval.errors += 1
            guard measured else { statistics.warmupRequests += 1; return }
            statistics.operations[operation.rawValue].transportErrors[error.label, default: 0] += 1
        }
    }

    /// A refused stream sent again (its outcome is recorded once, when its last attempt ends).
    func recordRefusedRetry() {
        statistics.withLock { $0.refusedRetries += 1 }
    }

    func recordConnectError(_ error: H2ClientTransportError) {
        statistics.withLock { $0.connectErrors[error.label, default: 0] += 1 }
    }

    func recordConnectionOpened() {
        statistics.withLock { $0.connectionsOpened += 1 }
    }

    func recordUnsent(_ count: UInt64, measured: Bool) {
        statistics.withLock { statistics in
            if measured {
                statistics.unsent += count
                statistics.interval.requests += count
                statistics.interval.errors += count
            } else { statistics.warmupRequests += count }
        }
    }

    /// The outcomes since the previous call (then reset): one row of the timeline.
    func takeInterval() -> IntervalStatistics {
        statistics.withLock { statistics in
            defer {
                statistics.interval.latency.reset()
                statistics.interval.requests = 0
                statistics.interval.errors = 0
            }
            return statistics.interval
        }
    }

    /// Everything recorded so far.
    func snapshot() -> LoadStatistics { statistics.withLock { $0 } }
}
