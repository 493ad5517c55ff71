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
            descriptor: Self.requestsName, labels: [("client", clientID), ("kind", kind.rawValue)])
        latencySum = registry.makeCounter(descriptor: Self.latencySumName, labels: [("client", clientID)])
        latencyCount = registry.makeCounter(descriptor: Self.latencyCountName, labels: [("client", clientID)])
        decisions = AuditDecision.allCases.dropFirst().map { decision in
            registry.makeCounter(
                descriptor: Self.decisionsName, labels: [("client", clientID), ("decision", decision.name)])
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
            let counter = registry.makeCounter(descriptor: Self.errorsName, labels: [("client", clientID), ("code", code)])
            counters[code] = counter
            return counter
        }
    }

    private static var requestsName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "idgate", subsystem: "client", metricName: "requests", unitName: "total",
            helpText: "Requests by client.")
    }
    private static var decisionsName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "idgate", subsystem: "client", metricName: "decisions", unitName: "total",
            helpText: "Answers by client and decision.")
    }
    private static var errorsName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "idgate", subsystem: "client", metricName: "errors", unitName: "total",
            helpText: "Refused requests by client and error code.")
    }
    private static var latencySumName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "idgate", subsystem: "client", metricName: "request_duration_seconds", unitName: "sum",
            helpText: "Seconds spent answering the client's requests.")
    }
    private static var latencyCountName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "idgate", subsystem: "client", metricName: "request_duration_seconds", unitName: "count",
            helpText: "Requests timed for the client.")
    }
}
