import Foundation
import IDGateFleet
import IDGateAudit
import IDGateChip
import IDGateCore
import IDGateHTTP2
import IDGateMatching
import IDGateStore
import IDGateWire
import Logging
import NIOCore
import Synchronization

/// What every route shares across event loops: the registry, engines, relying-party controls, audit, signing,
/// metrics. Immutable after start except through its own thread-safe members. Per-loop state lives in
/// `LoopContext`, which the HTTP/2 server hands to each handler.
final class GatewayServices: Sendable {
    let configuration: GatewayConfiguration
    let logger: Logger
    let registry: RegistryHolder
    let metrics: GatewayMetrics
    let engine: MatchEngine
    let chipVerifier: ChipVerifier
    let challenges: ChallengeStore
    let clients: ClientRegistry
    /// nil when auditing is switched off (benchmarks comparing its cost only).
    let audit: AuditLog?
    let auditKey: AuditKey
    let signer: ResponseSigner?
    /// Requests accepted and not yet answered, across loops (overload shedding).
    let inFlight: InFlightRequests
    /// Event loop threads, for splitting each client's rate limit across loops.
    let loopCount: Int
    /// Set once the HTTP/2 server exists (it is created after the router this context builds).
    let transportStats = Mutex<HTTP2ServerStats?>(nil)
    private let clientsFileStamp: Mutex<Date?>
    /// Set when a shutdown began: `/readyz` answers 503 `draining` while the listeners still serve, so a load
    /// balancer moves new connections elsewhere before they close (`GatewayService` drain grace).
    let draining = Atomic<Bool>(false)
    /// Applies the registry of record's change log to the local copy (`idgate serve --follow`); nil on a single node.
    let follower: RegistryFollower?
    /// Ships the audit log to the fleet's PostgreSQL and reads access histories from there; nil on a single node.
    let fleetAudit: FleetAudit?
    /// Shares the guessing counts and daily quotas with the other nodes through the fleet's PostgreSQL; nil on a
    /// single node (docs/CLIENTS.md, "In a fleet").
    let sharedCounters: SharedCounterSync?
    /// Guessing counts, daily quotas and suspensions, persisted in the state directory (docs/CLIENTS.md).
    let counters: PersistentCounters
    /// Gives the memory of a burst back to the system once it is over.
    let memoryAfterBursts = MemoryAfterBursts()

    /// The audit log found damage (now or at an earlier start) that no operator has acknowledged: `/readyz` stays
    /// ready but says so, as does `idgate_audit_damaged`.
    var auditDamaged: Bool { !(audit?.startupReport.damage.isEmpty ?? true) }

    init(
        configuration: GatewayConfiguration, logger: Logger, follower: RegistryFollower? = nil, fleetAudit: FleetAudit? = nil,
        sharedCounters: SharedCounterSync? = nil
    ) throws {
        try Self.refuseFilesWritableByOthers(configuration)
        self.configuration = configuration
        self.logger = logger
        self.follower = follower
        self.fleetAudit = fleetAudit
        self.sharedCounters = sharedCounters
        for generation in RegistryImporter.removeUnfinishedImports(directory: configuration.registry.path) {
            logger.warning("registry: removed a generation a killed import left unfinished", metadata: ["generation": "\(generation)"])
        }
        registry = RegistryHolder(
            directory: configuration.registry.path, logger: logger, readOnly: follower == nil,
            readahead: configuration.registry.readahead)
        metrics = GatewayMetrics()
        engine = MatchEngine(thresholds: configuration.matching)
        // The 2025 administrative map is parsed here, at start, not by the first request that needs it.
        AdministrativeUnits2025.load()
        loopCount = max(1, configuration.server.threads ?? System.coreCount)
        inFlight = InFlightRequests(limit: configuration.overload.maxInFlightPerLoop * loopCount)

        let trust: TrustStore
        do {
            trust = try TrustStore(paths: configuration.chip.trust)
        } catch {
            throw ConfigurationError("chip.trust: \(error)")
        }
        for warning in trust.loadWarnings { logger.warning("chip trust store", metadata: ["warning": "\(warning)"]) }
        chipVerifier = ChipVerifier(trustStore: trust, cacheCapacity: configuration.chip.cacheCapacity)
        challenges = ChallengeStore(lifetime: configuration.chip.challengeLifetime)

        let clientsURL = URL(fileURLWithPath: configuration.clients.file)
        do {
            clients = try ClientRegistry(fileURL: clientsURL, metricsRegistry: metrics.registry)
        } catch {
            throw ConfigurationError("clients.file \(configuration.clients.file): \(error)")
        }
        clientsFileStamp = Mutex(Self.modificationDate(of: configuration.clients.file))
        counters = PersistentCounters(
            configuration: configuration, clients: clients, metrics: metrics.registry, logger: logger)
        if let sharedCounters { counters.share(with: sharedCounters) }

        do {
            auditKey = try AuditKey.loadOrGenerate(at: URL(fileURLWithPath: configuration.audit.keyFile))
            var auditConfiguration = AuditLogConfiguration(
                directory: URL(fileURLWithPath: configuration.audit.directory), key: auditKey,
                durability: configuration.audit.durability)
            auditConfiguration.maxSegmentBytes = configuration.audit.maxSegmentBytes
            auditConfiguration.retentionDays = configuration.audit.retentionDays
            auditConfiguration.minimumFreeBytes = configuration.audit.minimumFreeBytes
            auditConfiguration.nodeID = configuration.audit.effectiveNodeID
            // A fleet node answers access histories from PostgreSQL (`PostgresAuditHistory`): a local subject index
            // there would be work nobody reads. It is rebuilt from the segments if the node ever serves alone again.
            auditConfiguration.subjectIndex = configuration.audit.subjectIndex && fleetAudit == nil
            auditConfiguration.outbox = configuration.audit.outbox
            auditConfiguration.indexStartListener = { [logger] start in
                var metadata: Logger.Metadata = ["records": "\(start.recordCount)", "through": "\(start.recordsThrough)"]
                if let reason = start.rebuildReason, start.recordsThrough > 0 {
                    metadata["reason"] = "\(reason)"
                    logger.warning("subject index rebuilt from the audit segments", metadata: metadata)
                } else {
                    logger.info("subject index current", metadata: metadata)
                }
            }
            audit = configuration.audit.enabled ? try AuditLog(configuration: auditConfiguration) : nil
        } catch {
            throw ConfigurationError("audit: \(error)")
        }
        if audit == nil { logger.warning("audit log disabled by configuration: requests leave no trace") }
        for problem in audit?.startupReport.problems ?? [] {
            logger.error("audit log: problem found at startup; a new segment was started", metadata: ["problem": "\(problem)"])
        }
        for damage in audit?.startupReport.damage ?? [] {
            logger.critical(
                "audit log: damaged bytes followed by intact records (kept as evidence; `idgate audit verify` fails until `idgate audit acknowledge-damage`)",
                metadata: ["segment": "\(damage.segment)", "offset": "\(damage.offset)", "length": "\(damage.length)"])
        }
        metrics.setAuditDamaged(!(audit?.startupReport.damage.isEmpty ?? true))
        if let fleetAudit {
            if let audit {
                let clients = clients
                fleetAudit.shipper.bind(
                    durableHead: { audit.head.sequence },
                    describeClient: { id in clients.snapshot.clients[id].map { ($0.name, $0.kind.rawValue) } })
                // Ship each commit as it is made durable; the shipper's poll stays as a backstop.
                let shipper = fleetAudit.shipper
                if shipper.options.wakeOnCommit { audit.onCommit { shipper.wake() } }
            } else {
                logger.warning("audit log disabled: nothing to ship to the fleet's PostgreSQL")
            }
        }

        if configuration.signing.enabled {
            do {
                signer = try ResponseSigner.loadOrGenerate(at: URL(fileURLWithPath: configuration.signing.keyFile))
            } catch {
                throw ConfigurationError("signing.keyFile: \(error)")
            }
        } else {
            signer = nil
        }
    }

    /// Keys, the clients file and the audit directory decide who may query and what the trail proves: anyone who
    /// could rewrite them could impersonate clients, sign answers or forge the trail. Refuse to start rather than
    /// trust them.
    static func refuseFilesWritableByOthers(_ configuration: GatewayConfiguration) throws {
        var paths = [configuration.clients.file]
        if configuration.audit.enabled { paths += [configuration.audit.keyFile, configuration.audit.directory] }
        if configuration.signing.enabled { paths.append(configuration.signing.keyFile) }
        let problems = paths.compactMap(OwnerOnlyFiles.writableByOthers)
        guard problems.isEmpty else {
            throw ConfigurationError("refusing to start: " + problems.joined(separator: "; "))
        }
    }

    /// Runs off the event loops every `registry.reloadCheckInterval` seconds: registry generation swap, client
    /// registry reload when its file changed.
    func periodicMaintenance() {
        memoryAfterBursts.check(peakInFlight: inFlight.takePeak())
        if registry.reloadIfSuperseded() {
            metrics.setRegistrySequence(registry.store?.sequence ?? 0)
        }
        let stamp = Self.modificationDate(of: configuration.clients.file)
        let changed = clientsFileStamp.withLock { previous in
            defer { previous = stamp }
            return stamp != previous
        }
        if changed {
            do {
                _ = try clients.reload()
                logger.info("client registry reloaded")
            } catch {
                logger.error("client registry reload failed; keeping the previous one", metadata: ["error": "\(error)"])
            }
        }
    }

    func close() {
        counters.close()
        audit?.close()
    }

    private static func modificationDate(of path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}

/// Requests admitted and not yet answered, across all loops: what overload shedding compares with its limit.
/// A class of its own so the answer batches can release requests without holding the gateway.
final class InFlightRequests: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)
    /// The most requests in progress at once since the last `takePeak` (when to give memory back).
    private let peak = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Counts a new request until it is answered (`release`), refused ones too; false when it is beyond the limit.
    func enter() -> Bool {
        let now = count.wrappingAdd(1, ordering: .relaxed).newValue
        if now > peak.load(ordering: .relaxed) { peak.store(now, ordering: .relaxed) }
        return now <= limit
    }

    /// The peak since the previous call, and starts a new one from what is in progress now.
    func takePeak() -> Int { peak.exchange(count.load(ordering: .relaxed), ordering: .relaxed) }

    func release(_ requests: Int = 1) { count.wrappingSubtract(requests, ordering: .relaxed) }
}
