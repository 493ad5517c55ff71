import Foundation
import IDGateAudit
import IDGateCore
import Logging
import Prometheus
import Synchronization

/// The counters a restart or crash must not reset: guessing counts per (client, subject), daily quotas and
/// suspensions. Restored from the state directory's journal at start; what changed is appended every
/// `state.flushIntervalSeconds` (default 1 s) and at shutdown.
///
/// Loss bound: a crash (kill -9, power) loses at most the changes of the last flush interval: a client's quota may
/// then under-count by what it used in that second (at most its rate limit), a pair's guessing count by the
/// failures it had in that second. A clean shutdown loses nothing. Without a state directory, or when another
/// process holds it, the counters live in memory only (logged, and `idgate_state_persisted` is 0).
final class PersistentCounters: Sendable {
    let limiter: SubjectAttemptLimiter
    let clients: ClientRegistry
    /// Each client's daily quota as last shared with the fleet (`FleetCounterSharing`; empty on a single node).
    let fleetQuotas = Mutex<[String: FleetQuotaShare]>([:])
    private let logger: Logger
    private let journal: Mutex<Journal>
    private let trackedPairs: Gauge
    private let evictedPairs: Counter
    private let flushFailures: Counter

    /// The journal and the last values it holds per client (only changed ones are appended).
    private struct Journal {
        var file: CounterJournal?
        var quotas: [String: Quota] = [:]
        var suspensions: [String: Int64] = [:]
        var lastSweep = Date.distantPast
        /// `limiter.evictedPairs` when the counter was last advanced.
        var evictedPairsCounted = 0
    }

    private struct Quota: Equatable {
        var day: Int64
        var used: UInt64
    }

    init(
        configuration: GatewayConfiguration, clients: ClientRegistry, metrics: PrometheusCollectorRegistry,
        logger: Logger, now: Date = Date()
    ) {
        let limiter = SubjectAttemptLimiter(
            windowSeconds: configuration.guessing.windowSeconds, maxPairs: configuration.guessing.maxTrackedPairs)
        self.limiter = limiter
        self.clients = clients
        self.logger = logger
        trackedPairs = metrics.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "idgate", subsystem: "guessing", metricName: "tracked_pairs", unitName: "",
                helpText: "(client, subject) pairs with failed answers in an open window."))
        evictedPairs = metrics.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "idgate", subsystem: "guessing", metricName: "evicted_pairs", unitName: "total",
                helpText: "(client, subject) pairs with an open window dropped by guessing.maxTrackedPairs."))
        flushFailures = metrics.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "idgate", subsystem: "state", metricName: "flush_failures", unitName: "total",
                helpText: "Failed appends of changed counters to the state journal."))
        let persisted = metrics.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "idgate", subsystem: "state", metricName: "persisted", unitName: "",
                helpText: "1 when quotas and guessing counters are persisted in the state directory."))
        var state = Journal()
        if let directory = configuration.state.directory {
            do {
                let (file, contents) = try CounterJournal.open(directory: directory) { contents in
                    Self.restore(contents.entries, limiter: limiter, clients: clients.snapshot, now: now)
                    return limiter.openWindows(now: now).map { CounterJournal.Entry.attempts($0.0, $0.1) }
                        + Self.clientEntries(clients.snapshot, now: now)
                }
                state.file = file
                if contents.discardedBytes > 0 {
                    logger.warning(
                        "state: dropped the torn end of the counter journal (the last flush before a crash)",
                        metadata: ["bytes": "\(contents.discardedBytes)"])
                }
                persisted.set(Double(1))
            } catch {
                logger.error(
                    "state: counters are kept in memory only (a restart resets quotas and guessing counts)",
                    metadata: ["directory": "\(directory)", "error": "\(error)"])
            }
        } else {
            logger.warning("state: no state directory configured; quotas and guessing counts reset on restart")
        }
        for entry in Self.clientEntries(clients.snapshot, now: now) {
            switch entry {
            case .quota(let id, let day, let used): state.quotas[id] = Quota(day: day, used: used)
            case .suspension(let id, let until): state.suspensions[id] = until
            case .attempts: break
            }
        }
        journal = Mutex(state)
    }

    /// Whether the counters reach a journal (false: memory only).
    var isPersisted: Bool { journal.withLock { $0.file != nil } }

    /// Appends the counters changed since the last flush (compacting the journal when it has grown), and now and
    /// then forgets guessing windows that ended. Runs off the event loops: every flush interval and at shutdown.
    func flush(now: Date = Date()) {
        journal.withLock { state in
            var entries = limiter.drainChanges().map { CounterJournal.Entry.attempts($0.0, $0.1) }
            for (id, client) in clients.snapshot.clients {
                if client.dailyQuota != nil {
                    let (day, used) = client.quota.persistedState
                    let quota = Quota(day: day, used: used)
                    if state.quotas[id] != quota {
                        state.quotas[id] = quota
                        entries.append(.quota(clientID: id, day: day, used: used))
                    }
                }
                let until = client.guessingWatch.suspendedUntil
                if until != 0, state.suspensions[id] != until {
                    state.suspensions[id] = until
                    entries.append(.suspension(clientID: id, untilMillis: until))
                }
            }
            if now.timeIntervalSince(state.lastSweep) >= 60 {
                state.lastSweep = now
                limiter.removeExpired(now: now)
            }
            trackedPairs.set(Double(limiter.trackedPairs))
            let evicted = limiter.evictedPairs
            if evicted > state.evictedPairsCounted {
                evictedPairs.increment(by: Int64(evicted - state.evictedPairsCounted))
                state.evictedPairsCounted = evicted
            }
            guard let file = state.file else { return }
            do {
                if file.shouldCompact {
                    try file.compact(
                        limiter.openWindows(now: now).map { CounterJournal.Entry.attempts($0.0, $0.1) }
                            + Self.clientEntries(clients.snapshot, now: now))
                } else {
                    try file.append(entries)
                }
            } catch {
                flushFailures.increment()
                logger.error("state: could not append changed counters; retried at the next flush", metadata: ["error": "\(error)"])
                // Keep them for the next try: the values are whole, re-appending later is exact.
                for case .attempts(let pair, _) in entries { limiter.markChanged(pair) }
                state.quotas.removeAll()
                state.suspensions.removeAll()
            }
        }
    }

    /// The last flush, then the journal is closed (and its lock released).
    func close() {
        flush()
        journal.withLock { state in
            state.file?.close()
            state.file = nil
        }
    }

    /// Puts each entry back: guessing counts into the limiter, quotas and suspensions into the clients that still
    /// exist (a later entry for the same counter replaces an earlier one: each holds the whole value).
    private static func restore(
        _ entries: [CounterJournal.Entry], limiter: SubjectAttemptLimiter, clients: ClientRegistrySnapshot, now: Date
    ) {
        let nowMillis = SubjectAttemptLimiter.millis(now)
        var latest: [SubjectAttemptLimiter.Pair: SubjectAttemptLimiter.Attempts] = [:]
        for entry in entries {
            switch entry {
            case .attempts(let pair, let attempts): latest[pair] = attempts
            case .quota(let id, let day, let used): clients.clients[id]?.quota.restore(day: day, used: used)
            case .suspension(let id, let until): clients.clients[id]?.guessingWatch.suspend(untilMillis: until)
            }
        }
        for (pair, attempts) in latest where attempts.windowEndsMillis > nowMillis { limiter.restore(pair, attempts) }
    }

    /// Every client's quota count and unexpired suspension, as journal entries.
    private static func clientEntries(_ clients: ClientRegistrySnapshot, now: Date) -> [CounterJournal.Entry] {
        let nowMillis = SubjectAttemptLimiter.millis(now)
        var entries: [CounterJournal.Entry] = []
        for (id, client) in clients.clients.sorted(by: { $0.key < $1.key }) {
            let (day, used) = client.quota.persistedState
            if used > 0 { entries.append(.quota(clientID: id, day: day, used: used)) }
            let until = client.guessingWatch.suspendedUntil
            if until > nowMillis { entries.append(.suspension(clientID: id, untilMillis: until)) }
        }
        return entries
    }
}
