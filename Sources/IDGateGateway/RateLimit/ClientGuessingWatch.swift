import Foundation
import IDGateAudit
import IDGateCore
import IDGateWire
import Prometheus
import Synchronization

/// One client's share of not_found and mismatch answers per rate window, its alert and its suspension.
///
/// The per-subject limit stops guessing one person's data; it does not stop a client trying one guess for each of
/// many subjects ("which of these numbers exist with this name?"). That shows as a client whose share of not_found
/// and mismatch answers rises far above its normal: the client's configuration says how far
/// (`ClientGuessingConfiguration.maxFailureRate`), and whether crossing it suspends the client.
///
/// Lock-free atomics shared by every event loop, carried over on a registry reload like the quota. Counts at a
/// window's turn may land in either window (a few answers of thousands): the alert is a rate, not an exact count.
public final class ClientGuessingWatch: Sendable {
    /// What an answer did to the watch.
    public enum Verdict: Sendable, Equatable {
        case normal
        /// The rate crossed the threshold in this window (reported once per window); `suspendedUntil` when the
        /// configuration suspends the client.
        case alertRaised(rate: Double, suspendedUntil: Date?)
    }

    private let window = Atomic<Int64>(Int64.min)
    private let answers = Atomic<Int>(0)
    private let failures = Atomic<Int>(0)
    private let alertedWindow = Atomic<Int64>(Int64.min)
    private let suspendedUntilMillis = Atomic<Int64>(0)
    private let alertGauge: Gauge
    private let alerts: Counter

    public init(clientID: String, registry: PrometheusCollectorRegistry) {
        alertGauge = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "idgate", subsystem: "client", metricName: "guessing_alert", unitName: "",
                helpText: "1 while the client's not_found/mismatch share in the current window is above its maxFailureRate."),
            labels: [("client", clientID)])
        alerts = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "idgate", subsystem: "client", metricName: "guessing_alerts", unitName: "total",
                helpText: "Rate windows in which the client's not_found/mismatch share crossed its maxFailureRate."),
            labels: [("client", clientID)])
    }

    /// Counts one answer (a match decision; `.none` and chip-only decisions are ignored).
    public func observe(_ decision: AuditDecision, configuration: ClientGuessingConfiguration, now: Date) -> Verdict {
        guard let maxRate = configuration.maxFailureRate else { return .normal }
        let failed: Bool
        switch decision {
        case .notFound, .mismatch: failed = true
        case .match, .partial: failed = false
        default: return .normal
        }
        let index = Int64((now.timeIntervalSince1970 / configuration.rateWindowSeconds).rounded(.down))
        let current = window.load(ordering: .relaxed)
        if current != index, window.compareExchange(expected: current, desired: index, ordering: .relaxed).exchanged {
            answers.store(0, ordering: .relaxed)
            failures.store(0, ordering: .relaxed)
            alertGauge.set(Double(0))
        }
        let answered = answers.wrappingAdd(1, ordering: .relaxed).newValue
        let failedCount = failed ? failures.wrappingAdd(1, ordering: .relaxed).newValue : failures.load(ordering: .relaxed)
        guard failed, answered >= configuration.minimumAnswers else { return .normal }
        let rate = Double(failedCount) / Double(answered)
        guard rate > maxRate else { return .normal }
        let alerted = alertedWindow.load(ordering: .relaxed)
        guard alerted != index,
            alertedWindow.compareExchange(expected: alerted, desired: index, ordering: .relaxed).exchanged
        else { return .normal }
        alertGauge.set(Double(1))
        alerts.increment()
        guard configuration.suspend else { return .alertRaised(rate: rate, suspendedUntil: nil) }
        let until = now.addingTimeInterval(configuration.suspendSeconds)
        suspend(untilMillis: Int64(until.timeIntervalSince1970 * 1000))
        return .alertRaised(rate: rate, suspendedUntil: until)
    }

    /// Seconds the suspension still lasts at `now`, or nil when the client is not suspended.
    public func suspensionRemaining(now: Date) -> Int? {
        let until = suspendedUntilMillis.load(ordering: .relaxed)
        guard until > 0 else { return nil }
        let remaining = Double(until) / 1000 - now.timeIntervalSince1970
        return remaining > 0 ? max(1, Int(remaining.rounded(.up))) : nil
    }

    /// The end of the suspension (milliseconds since the epoch; 0: never suspended), as persisted.
    public var suspendedUntil: Int64 { suspendedUntilMillis.load(ordering: .relaxed) }

    /// Extends the suspension to `untilMillis` (a later end wins): restored at start or raised by an alert.
    public func suspend(untilMillis: Int64) {
        var observed = suspendedUntilMillis.load(ordering: .relaxed)
        while observed < untilMillis {
            let (exchanged, original) = suspendedUntilMillis.compareExchange(
                expected: observed, desired: untilMillis, ordering: .relaxed)
            if exchanged { return }
            observed = original
        }
    }
}
