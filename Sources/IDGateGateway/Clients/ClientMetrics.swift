import IDGateAudit
import IDGateCore
import IDGateWire
import Synchronization

/// Per-client counters for `/metrics`: requests, decisions, errors by code, latency sum and count.
///
/// Counters are atomics shared by every event loop; the error-code table takes a lock, but only on error paths.
public final class ClientMetrics: Sendable {
    private let requests = Atomic<Int>(0)
    private let latencyMicrosSum = Atomic<Int>(0)
    private let decisionMatch = Atomic<Int>(0)
    private let decisionPartial = Atomic<Int>(0)
    private let decisionMismatch = Atomic<Int>(0)
    private let decisionNotFound = Atomic<Int>(0)
    private let decisionValid = Atomic<Int>(0)
    private let decisionInvalid = Atomic<Int>(0)
    private let errors = Mutex<[String: Int]>([:])

    public init() {}

    /// Counts one finished request. `errorCode` is the wire error code (e.g. `forbidden`) when the request failed.
    public func record(decision: AuditDecision, errorCode: String? = nil, latencyMicros: Int) {
        requests.add(1, ordering: .relaxed)
        latencyMicrosSum.add(latencyMicros, ordering: .relaxed)
        switch decision {
        case .none: break
        case .match: decisionMatch.add(1, ordering: .relaxed)
        case .partial: decisionPartial.add(1, ordering: .relaxed)
        case .mismatch: decisionMismatch.add(1, ordering: .relaxed)
        case .notFound: decisionNotFound.add(1, ordering: .relaxed)
        case .valid: decisionValid.add(1, ordering: .relaxed)
        case .invalid: decisionInvalid.add(1, ordering: .relaxed)
        }
        if let errorCode { errors.withLock { $0[errorCode, default: 0] += 1 } }
    }

    public var snapshot: ClientMetricsSnapshot {
        ClientMetricsSnapshot(
            requests: requests.load(ordering: .relaxed),
            decisions: [
                .match: decisionMatch.load(ordering: .relaxed), .partial: decisionPartial.load(ordering: .relaxed),
                .mismatch: decisionMismatch.load(ordering: .relaxed), .notFound: decisionNotFound.load(ordering: .relaxed),
                .valid: decisionValid.load(ordering: .relaxed), .invalid: decisionInvalid.load(ordering: .relaxed),
            ].filter { $0.value > 0 },
            errors: errors.withLock { $0 },
            latencySeconds: Double(latencyMicrosSum.load(ordering: .relaxed)) / 1e6)
    }
}

/// A point-in-time copy of one client's counters (`latencyCount` equals `requests`).
public struct ClientMetricsSnapshot: Sendable, Equatable {
    public var requests: Int
    public var decisions: [AuditDecision: Int]
    public var errors: [String: Int]
    public var latencySeconds: Double
}

extension ClientRegistry {
    /// Prometheus text exposition of every client's counters (labels: client id and kind, never personal data).
    public func renderMetrics(into output: inout String) {
        let clients = snapshot.clients.values.sorted { $0.id < $1.id }.map { ($0, $0.metrics.snapshot) }
        output += "# TYPE idgate_client_requests_total counter\n"
        for (client, counters) in clients {
            output += "idgate_client_requests_total{client=\"\(client.id)\",kind=\"\(client.kind.rawValue)\"} \(counters.requests)\n"
        }
        output += "# TYPE idgate_client_decisions_total counter\n"
        for (client, counters) in clients {
            for (decision, count) in counters.decisions.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                output += "idgate_client_decisions_total{client=\"\(client.id)\",decision=\"\(decision.name)\"} \(count)\n"
            }
        }
        output += "# TYPE idgate_client_errors_total counter\n"
        for (client, counters) in clients {
            for (code, count) in counters.errors.sorted(by: { $0.key < $1.key }) {
                output += "idgate_client_errors_total{client=\"\(client.id)\",code=\"\(code)\"} \(count)\n"
            }
        }
        output += "# TYPE idgate_client_request_duration_seconds summary\n"
        for (client, counters) in clients {
            output += "idgate_client_request_duration_seconds_sum{client=\"\(client.id)\"} \(counters.latencySeconds)\n"
            output += "idgate_client_request_duration_seconds_count{client=\"\(client.id)\"} \(counters.requests)\n"
        }
    }
}
