import IDGateAudit
import IDGateCore
import IDGateFleet
import IDGateHTTP2
import IDGateWire
import Prometheus
import Synchronization

/// The gateway's Prometheus metrics: requests by route and status, latency, registry sequence, process gauges
/// (per-client requests, decisions, errors and latency come from `ClientMetrics`).
///
/// Counters are created once per label combination and cached here; each event loop keeps the ones it used in its
/// own `RequestCounterCache`, so the request path costs an array lookup and one atomic increment. Latency goes to the
/// loop's own histogram shard (`LoopLatencyHistogram`): no lock shared between loops on the request path.
public final class GatewayMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let latency: LatencyHistogram
    private let requestCounters = Mutex<[RequestKey: Counter]>([:])
    private let rss: Gauge
    private let openFDs: Gauge
    private let registrySequence: Gauge
    private let auditDamaged: Gauge
    private let transport: TransportMetrics
    private let follow: FollowMetrics
    private let auditShip: AuditShipMetrics
    private let counterSync: CounterSyncMetrics
    /// Requests refused by overload shedding because they waited too long on their event loop (`LoopOverload`).
    let shedForQueueDelay: Counter
    /// Requests refused because admitted requests' answers were late (`LoopOverload.noteAnswered`).
    let shedForLateAnswers: Counter
    /// Requests refused because `overload.maxInFlightPerLoop` × loops were in progress.
    let shedForInFlight: Counter

    private struct RequestKey: Hashable, Sendable {
        var route: String
        var status: Int
    }


    public init() {
        latency = LatencyHistogram(
            name: "idgate_request_duration_seconds", help: "Request latency from complete request to response start.",
            bounds: [
                .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .seconds(1),
            ]
        )
        rss = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "process", metricName: "resident_memory", unitName: "bytes",
                helpText: "Resident memory size in bytes."))
        openFDs = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "process", metricName: "open", unitName: "fds", helpText: "Number of open file descriptors."))
        registrySequence = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "idgate", metricName: "registry", unitName: "sequence",
                helpText: "Data sequence number of the open registry."))
        auditDamaged = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "idgate", metricName: "audit_damaged", unitName: "",
                helpText: "1 while the audit log holds damage no operator has acknowledged (docs/AUDIT.md)."))
        transport = TransportMetrics(registry: registry)
        follow = FollowMetrics(registry: registry)
        auditShip = AuditShipMetrics(registry: registry)
        counterSync = CounterSyncMetrics(registry: registry)
        let metricsRegistry = registry
        func shed(_ reason: String) -> Counter {
            metricsRegistry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "idgate", metricName: "overload_shed", unitName: "total",
                    helpText: "Requests refused with 503 overloaded by overload shedding, by reason (not audited)."),
                labels: [("reason", reason)])
        }
        shedForQueueDelay = shed("queue_delay")
        shedForInFlight = shed("in_flight")
        shedForLateAnswers = shed("late_answers")
    }

    /// A latency histogram shard for one event loop (see `LoopLatencyHistogram`).
    func makeLatencyShard() -> LoopLatencyHistogram { latency.makeShard() }

    /// The counter of requests to `route` answered with `status` (made on first use; a shared, locked cache: keep
    /// the result, as `RequestCounterCache` does per event loop).
    public func requestCounter(route: String, status: Int) -> Counter {
        Self.counter(RequestKey(route: route, status: status), in: requestCounters) {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "idgate", metricName: "requests", unitName: "total",
                    helpText: "Requests by route and status."),
                labels: [("route", route), ("status", String(status))])
        }
    }

    /// The cached counter for `key`, made on first use.
    private static func counter<Key: Hashable & Sendable>(_ key: Key, in cache: borrowing Mutex<[Key: Counter]>, make: @Sendable () -> Counter) -> Counter {
        cache.withLock { counters in
            if let existing = counters[key] { return existing }
            let made = make()
            counters[key] = made
            return made
        }
    }

    public func setRegistrySequence(_ sequence: UInt64) { registrySequence.set(Double(sequence)) }

    public func setAuditDamaged(_ damaged: Bool) { auditDamaged.set(Double(damaged ? 1 : 0)) }

    /// The Prometheus text exposition, with process gauges and the HTTP/2 server's counters refreshed now.
    public func exposition(
        transport stats: HTTP2ServerStats?, follower: FollowerStatus? = nil, shipper: AuditShipperStatus? = nil,
        counterSync syncStatus: SharedCounterSyncStatus? = nil
    ) -> [UInt8] {
        if let follower { follow.observe(follower) }
        if let shipper { auditShip.observe(shipper) }
        if let syncStatus { counterSync.observe(syncStatus) }
        rss.set(Double(ProcessMetrics.residentMemoryBytes()))
        openFDs.set(Double(ProcessMetrics.openFileDescriptors()))
        if let stats { transport.observe(stats) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        latency.emit(into: &buffer)
        return buffer
    }
}

/// The HTTP/2 server's counters (atomics it keeps itself, having no metrics dependency) mirrored into the
/// Prometheus registry when it is scraped: gauges set, counters advanced by what they grew since the last scrape.
final class TransportMetrics: Sendable {
    private struct Mirrored {
        var counters: [(Counter, KeyPath<HTTP2ServerStats, Int>)]
        var seen: [Int]
    }

    private let gauges: [(Gauge, KeyPath<HTTP2ServerStats, Int> & Sendable)]
    private let mirrored: Mutex<Mirrored>

    init(registry: PrometheusCollectorRegistry) {
        func name(_ metric: String, unit: String = "") -> MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "idgate", subsystem: "http2", metricName: metric, unitName: unit,
                helpText: "HTTP/2 server: \(metric.replacingOccurrences(of: "_", with: " ")).")
        }
        gauges = [
            (registry.makeGauge(descriptor: name("open_connections")), \.openConnections),
            (registry.makeGauge(descriptor: name("open_streams")), \.openStreams),
        ]
        let counters: [(Counter, KeyPath<HTTP2ServerStats, Int>)] = [
            (registry.makeCounter(descriptor: name("accepted_connections", unit: "total")), \.acceptedConnections),
            (registry.makeCounter(descriptor: name("rejected_connections", unit: "total")), \.rejectedConnections),
            (registry.makeCounter(descriptor: name("streams", unit: "total")), \.requests),
            (registry.makeCounter(descriptor: name("refused_streams", unit: "total")), \.rejectedStreams),
            (registry.makeCounter(descriptor: name("resets_received", unit: "total")), \.resetsReceived),
            (registry.makeCounter(descriptor: name("protocol_errors", unit: "total")), \.protocolErrors),
            (registry.makeCounter(descriptor: name("goaways_sent", unit: "total")), \.goawaysSent),
        ]
        mirrored = Mutex(Mirrored(counters: counters, seen: Array(repeating: 0, count: counters.count)))
    }

    func observe(_ stats: HTTP2ServerStats) {
        for (gauge, value) in gauges { gauge.set(Double(stats[keyPath: value])) }
        mirrored.withLock { state in
            for index in state.counters.indices {
                let now = stats[keyPath: state.counters[index].1]
                let grown = now - state.seen[index]
                if grown > 0 { state.counters[index].0.increment(by: Int64(grown)) }
                state.seen[index] = max(now, state.seen[index])
            }
        }
    }
}

/// A following node's registry copy in the Prometheus registry, set when scraped: applied and latest sequence, lag
/// in batches and seconds, the last apply's duration, whether an alarm stops applying, refused batches.
final class FollowMetrics: Sendable {
    private let applied: Gauge
    private let latest: Gauge
    private let lagBatches: Gauge
    private let lagSeconds: Gauge
    private let applySeconds: Gauge
    private let alarm: Gauge
    private let refused: Gauge
    private let connected: Gauge

    init(registry: PrometheusCollectorRegistry) {
        func gauge(_ name: String, _ unit: String, _ help: String) -> Gauge {
            registry.idgateGauge(subsystem: "follow", name, unit, help)
        }
        applied = gauge("applied", "sequence", "Change-log sequence applied to the local registry copy.")
        latest = gauge("latest", "sequence", "Newest change-log sequence seen in the registry of record.")
        lagBatches = gauge("lag", "batches", "Batches committed in the registry of record and not applied here.")
        lagSeconds = gauge("lag", "seconds", "Age of the oldest batch not applied here.")
        applySeconds = gauge("last_apply", "seconds", "Time the last batch took to apply.")
        alarm = gauge("alarm", "", "1 while an alarm (gap, refused batch, wrong database) stops applying.")
        refused = gauge("refused", "batches", "Distinct batches refused since the process started.")
        connected = gauge("connected", "", "1 while connected to the registry of record.")
    }

    func observe(_ status: FollowerStatus) {
        applied.set(Double(status.appliedSequence ?? 0))
        latest.set(Double(status.latestKnownSequence ?? 0))
        lagBatches.set(Double(status.lagBatches ?? 0))
        lagSeconds.set(status.lagSeconds)
        if let duration = status.lastApplyDuration {
            applySeconds.set(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
        }
        alarm.set(Double(status.alarm == nil ? 0 : 1))
        refused.set(Double(status.refusedBatches))
        connected.set(Double(status.isConnected ? 1 : 0))
    }
}

/// A fleet node's audit shipping in the Prometheus registry, set when scraped: the sequence shipped, the lag in
/// records and seconds, rows and outbox events inserted, whether the database answers.
final class AuditShipMetrics: Sendable {
    private let shipped: Gauge
    private let durable: Gauge
    private let lagRecords: Gauge
    private let lagSeconds: Gauge
    private let inserted: Gauge
    private let events: Gauge
    private let statements: Gauge
    private let connected: Gauge
    private let alarm: Gauge

    init(registry: PrometheusCollectorRegistry) {
        func gauge(_ name: String, _ unit: String, _ help: String) -> Gauge {
            registry.idgateGauge(subsystem: "audit_ship", name, unit, help)
        }
        shipped = gauge("shipped", "sequence", "Highest audit sequence of this node known to be in PostgreSQL.")
        durable = gauge("durable", "sequence", "The local audit log's last durable sequence.")
        lagRecords = gauge("lag", "records", "Durable audit records not yet in PostgreSQL.")
        lagSeconds = gauge("lag", "seconds", "Age of the oldest audit record not yet in PostgreSQL.")
        inserted = gauge("inserted", "records", "Audit rows inserted since the process started (re-shipped ones not counted).")
        events = gauge("outbox", "events", "Outbox events inserted since the process started.")
        statements = gauge("inserts", "statements", "INSERT statements sent to PostgreSQL since the process started.")
        connected = gauge("connected", "", "1 while the shipper is connected to PostgreSQL.")
        alarm = gauge("alarm", "", "1 while shipping is stopped: PostgreSQL holds records under this node id that are not this log's.")
    }

    func observe(_ status: AuditShipperStatus) {
        shipped.set(Double(status.shippedSequence ?? 0))
        durable.set(Double(status.durableSequence))
        lagRecords.set(Double(status.lagRecords))
        lagSeconds.set(status.lagSeconds)
        inserted.set(Double(status.shippedRecords))
        events.set(Double(status.outboxEvents))
        statements.set(Double(status.insertStatements))
        connected.set(Double(status.isConnected ? 1 : 0))
        alarm.set(Double(status.alarm == nil ? 0 : 1))
    }
}

/// A fleet node's shared guessing counts and quotas (`SharedCounterSync`) in the Prometheus registry, set when
/// scraped: failed rounds (PostgreSQL unreachable: the node counts alone meanwhile), the age of the fleet's counts
/// held here, whether the sync is connected, deltas sent.
final class CounterSyncMetrics: Sendable {
    private let failures: Counter
    private let rounds: Counter
    private let age: Gauge
    private let connected: Gauge
    private let sharedPairs: Counter
    private let sharedQuotas: Counter
    /// What the counters showed at the previous scrape (counters advance by the difference).
    private let seen = Mutex<SharedCounterSyncStatus?>(nil)

    init(registry: PrometheusCollectorRegistry) {
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "idgate", subsystem: "guessing_sync", metricName: name, unitName: "total", helpText: help))
        }
        failures = counter("failures", "Shared-counter sync rounds that failed (PostgreSQL unreachable or erring); deltas wait for the next.")
        rounds = counter("rounds", "Shared-counter sync rounds completed (deltas sent, the fleet's changes read back).")
        sharedPairs = counter("shared_pairs", "(client, subject) failure deltas added to the fleet's counts.")
        sharedQuotas = counter("shared_quotas", "Daily quota deltas added to the fleet's counts.")
        age = registry.idgateGauge(
            subsystem: "guessing_sync", "age", "seconds",
            "Seconds since the last completed shared-counter sync round began: how old the fleet's counts held here may be.")
        connected = registry.idgateGauge(
            subsystem: "guessing_sync", "connected", "", "1 while the shared-counter sync is connected to PostgreSQL.")
    }

    func observe(_ status: SharedCounterSyncStatus) {
        age.set(status.ageSeconds)
        connected.set(Double(status.isConnected ? 1 : 0))
        seen.withLock { previous in
            let before = previous
            func advance(_ counter: Counter, _ value: KeyPath<SharedCounterSyncStatus, Int>) {
                let grown = status[keyPath: value] - (before?[keyPath: value] ?? 0)
                if grown > 0 { counter.increment(by: Int64(grown)) }
            }
            advance(failures, \.failedRounds)
            advance(rounds, \.completedRounds)
            advance(sharedPairs, \.sharedAttempts)
            advance(sharedQuotas, \.sharedQuotas)
            previous = status
        }
    }
}

extension PrometheusCollectorRegistry {
    /// A gauge named `idgate_<subsystem>_<name>_<unit>`, as the fleet's status gauges are.
    fileprivate func idgateGauge(subsystem: String, _ name: String, _ unit: String, _ help: String) -> Gauge {
        makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "idgate", subsystem: subsystem, metricName: name, unitName: unit, helpText: help))
    }
}
