import IDGateAudit
import IDGateCore
import IDGateWire
import Prometheus
import Synchronization

/// One client's counters in the gateway's Prometheus registry: requests, decisions, errors by code, latency sum and
/// count (labels: client id, kind, decision, code; never personal data). The counters are lock-free atomics shared
/// by every event loop; an error code's counter is made under a lock the first time the code occurs.
/// Registered by name and labels, so a client keeps its counters across a registry reload.
public final class ClientMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let clientID: String
    private let requests: Counter
    private let latencySum: Counter
    private let latencyCount: Counter
    /// Indexed by `AuditDecision.rawValue - 1` (`.none` is not a decision).
    private let decisions: [Counter]
    private let errors = Mutex<[String: Counter]>([:])

    public init(clientID: String, kind: ClientKind, registry: PrometheusCollectorRegistry) {
        self.registry = registry
        self.clientID = clientID
        requests = registry.makeCounter(
            name: "idgate_client_requests_total", labels: [("client", clientID), ("kind", kind.rawValue)])
        latencySum = registry.makeCounter(
            name: "idgate_client_request_duration_seconds_sum", labels: [("client", clientID)])
        latencyCount = registry.makeCounter(
            name: "idgate_client_request_duration_seconds_count", labels: [("client", clientID)])
        decisions = AuditDecision.allCases.dropFirst().map { decision in
            registry.makeCounter(
                name: "idgate_client_decisions_total", labels: [("client", clientID), ("decision", decision.name)])
        }
    }

    /// Counts one finished request. `errorCode` is the wire error code (e.g. `forbidden`) when the request failed.
    public func record(decision: AuditDecision, errorCode: String? = nil, latencyMicros: Int) {
        requests.increment()
        latencyCount.increment()
        latencySum.increment(by: Double(latencyMicros) / 1e6)
        if decision != .none { decisions[Int(decision.rawValue) - 1].increment() }
        if let errorCode { errorCounter(errorCode).increment() }
    }

    private func errorCounter(_ code: String) -> Counter {
        errors.withLock { counters in
            if let counter = counters[code] { return counter }
            let counter = registry.makeCounter(
                name: "idgate_client_errors_total", labels: [("client", clientID), ("code", code)])
            counters[code] = counter
            return counter
        }
    }
}
