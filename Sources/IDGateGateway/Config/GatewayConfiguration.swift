import Foundation
import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateMatching
import IDGateStore
import IDGateWire

/// Everything `idgate serve` needs, read from one JSON file (see config/idgate.example.json and docs/CONFIG.md).
///
/// Relative paths are resolved against the directory of the configuration file, so a demo folder or a deployment
/// directory can be moved as a whole. Every section has safe defaults; a file names only what it changes.
public struct GatewayConfiguration: Codable, Sendable {
    /// Listeners, threads and HTTP/2 limits.
    public var server: HTTP2ServerConfiguration
    public var registry: RegistrySettings
    public var chip: ChipSettings
    public var overload: OverloadSettings
    /// Scores and thresholds of the matching engine (docs/MATCHING.md).
    public var matching: MatchThresholds
    public var clients: ClientsSettings
    public var audit: AuditSettings
    public var signing: SigningSettings
    /// The per-subject guessing limit (docs/CLIENTS.md, "Guessing stopped").
    public var guessing: GuessingSettings = GuessingSettings()
    /// Where counters that must survive a restart are kept (guessing counters, daily quotas, suspensions).
    public var state: StateSettings = StateSettings()

    public struct GuessingSettings: Codable, Sendable {
        /// Off only to measure the limiter's cost (benchmarks): no client is limited, whatever clients.json says.
        public var enabled: Bool = true
        /// Failed answers (mismatch, partial, not_found) about one subject from one client within `windowSeconds`
        /// after which that client's further requests about the subject get 429 `subject_attempts_exceeded`;
        /// 0 switches the limit off. A client may have its own (`guessing.maxFailedAnswersPerSubject` in clients.json).
        public var maxFailedAnswersPerSubject: Int = 5
        /// Seconds from a pair's first counted failure until its count starts again.
        public var windowSeconds: Double = 86_400
        /// (client, subject) pairs held in memory at most; beyond it the pair whose window ends
        /// soonest is dropped (`idgate_guessing_evicted_pairs_total`).
        public var maxTrackedPairs: Int = 4_000_000

        public init() {}
    }

    public struct StateSettings: Codable, Sendable {
        /// Directory of `counters.journal` (owner-only); nil keeps the counters in memory only (lost on restart).
        /// A configuration file without a `state` section gets `state` beside the file.
        public var directory: String?
        /// Seconds between appends of changed counters: what a crash can lose (a clean shutdown loses nothing).
        public var flushIntervalSeconds: Double = 1
        /// On a fleet node (`idgate serve --follow`): share guessing counts and daily quotas with the other nodes
        /// through the fleet's PostgreSQL every `flushIntervalSeconds` (docs/CLIENTS.md, "In a fleet"). False: each
        /// node counts alone (a client spread over K nodes gets K times the limits).
        public var shareInFleet: Bool = true

        public init(directory: String? = nil) { self.directory = directory }
    }

    /// The operations listener: `/metrics`, `/healthz` and `/readyz` on their own address and event loop (nil: no
    /// such listener, `/metrics` is served on the API listeners as before).
    public var operations: OperationsSettings?

    /// Where scrapers and health checkers connect: an h2c listener with its own event loop thread, so health checks
    /// are answered however far behind the API loops are, and per-client metrics stay off the API listeners.
    public struct OperationsSettings: Codable, Sendable {
        /// Loopback by default: metrics name clients and their volumes.
        public var host: String = "127.0.0.1"
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int) {
            self.host = host
            self.port = port
        }

        private enum CodingKeys: String, CodingKey { case host, port }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            host = try c.decodeIfPresent(String.self, forKey: .host) ?? "127.0.0.1"
            port = try c.decode(Int.self, forKey: .port)
            guard (0...65535).contains(port) else {
                throw DecodingError.dataCorruptedError(forKey: .port, in: c, debugDescription: "port must be 0-65535")
            }
        }
    }

    public struct ClientsSettings: Codable, Sendable {
        /// The client registry (docs/CLIENTS.md); re-read when it changes.
        public var file: String
        public init(file: String) { self.file = file }
    }

    public struct AuditSettings: Codable, Sendable {
        /// Off only to measure its cost (benchmarks); a production gateway always audits.
        public var enabled: Bool = true
        /// Segment directory of the audit log (docs/AUDIT.md).
        public var directory: String
        /// The secret of the keyed subject hash (created on first start when missing).
        public var keyFile: String
        /// `beforeResponse`: answer only after the record is fsync'd; `async`: answer at once (bounded loss window).
        public var durability: AuditLogConfiguration.Durability = .beforeResponse
        public var maxSegmentBytes: Int = 64 << 20
        public var retentionDays: Int?
        /// Refuse requests (503) rather than fill the audit volume beyond this.
        public var minimumFreeBytes: Int64 = 64 << 20
        /// This node's id in its audit segments' headers (docs/AUDIT.md); nil: the host name, else `node-1`.
        public var nodeId: String?
        /// Keep the subject index for access histories (`DIR/subject-index`).
        public var subjectIndex: Bool = true
        /// The notification outbox (off when absent).
        public var outbox: AuditOutboxConfiguration?
        /// How far back an access history reaches, in days (default 12 months).
        public var historyWindowDays: Int = 365
        /// Entries per access-history page when the request gives no `limit`, and the largest `limit` accepted.
        public var historyDefaultLimit: Int = 50
        public var historyMaxLimit: Int = 200

        /// `nodeId`, else the host's name when it fits a segment header, else `node-1`.
        public var effectiveNodeID: String {
            if let nodeId { return nodeId }
            let host = ProcessInfo.processInfo.hostName
            return AuditSegmentHeader.nodeIDProblem(host) == nil ? host : "node-1"
        }

        public init(directory: String, keyFile: String) {
            self.directory = directory
            self.keyFile = keyFile
        }
    }

    public struct SigningSettings: Codable, Sendable {
        /// Sign match and chip answers (`x-idgate-signature`).
        public var enabled: Bool = true
        /// Ed25519 private key (created on first start when missing).
        public var keyFile: String

        public init(keyFile: String, enabled: Bool = true) {
            self.keyFile = keyFile
            self.enabled = enabled
        }
    }

    public struct RegistrySettings: Codable, Sendable {
        /// The store directory (the one holding the `current` generation link).
        public var path: String
        /// How often the server checks whether an import swapped in a new generation, in seconds.
        public var reloadCheckInterval: Double = 2
        /// Following a registry of record (`idgate serve --follow`): `/readyz` answers 503 while the copy is older
        /// than this, in seconds (docs/FLEET.md).
        public var maxFollowLagSeconds: Double = 30
        /// `auto` (default: off when the data file is larger than half of memory), `on` or `off`: whether a page
        /// fault reads ahead around the page (`RegistryReadahead`; docs/CONFIG.md).
        public var readahead: RegistryReadahead = .auto

        public init(
            path: String, reloadCheckInterval: Double = 2, maxFollowLagSeconds: Double = 30,
            readahead: RegistryReadahead = .auto
        ) {
            self.path = path
            self.reloadCheckInterval = reloadCheckInterval
            self.maxFollowLagSeconds = maxFollowLagSeconds
            self.readahead = readahead
        }
    }

    public struct ChipSettings: Codable, Sendable {
        /// Trust anchors: PEM bundles, DER certificates, directories of them, ICAO master lists (`.ml`), CRLs.
        public var trust: [String] = []
        /// Whether `decision: valid` needs active authentication when the SOD covers DG15.
        public var requireActiveAuth: Bool = true
        /// Verified SODs remembered by digest (signature and chain work skipped on a hit).
        public var cacheCapacity: Int = 100_000
        /// Lifetime of an active-authentication challenge, seconds.
        public var challengeLifetime: Double = 60
        /// Largest accepted `/v1/chip/verify` body (base64 SOD and data groups), bytes.
        public var maxRequestBytes: Int = 256 * 1024

        public init() {}
    }

    public struct OverloadSettings: Codable, Sendable {
        /// Requests in progress per event loop beyond which new ones get 503 `overloaded` with retry-after.
        public var maxInFlightPerLoop: Int = 20_000
        /// The retry-after value sent with 503, seconds.
        public var retryAfterSeconds: Int = 1
        /// How long a request may wait on its event loop behind other requests of the same read burst before it is
        /// refused with 503 `overloaded`, once the loop has been behind for `queueDelayIntervalMillis`
        /// (`LoopOverload`, docs/RELIABILITY.md). Milliseconds.
        public var queueDelayTargetMillis: Double = 5
        /// How long the loop's read bursts must keep running past the target before requests are refused: shorter
        /// bursts are absorbed. Milliseconds.
        public var queueDelayIntervalMillis: Double = 100
        /// How long an admitted request may take from its complete arrival to the end of its answer (the loop's
        /// work ahead of it plus its audit commit) before it counts as late; answers late for
        /// `queueDelayIntervalMillis` make the loop refuse with 503 `overloaded`, in each read burst, the requests
        /// that waited half this target or more, until a burst within `queueDelayTargetMillis` or a second without
        /// bursts (`LoopOverload`, docs/RELIABILITY.md). Keep it above twice the audit disk's `fdatasync` time; 0 is
        /// a drill (every answer late, the state kept). Milliseconds.
        public var answerDelayTargetMillis: Double = 50

        public init() {}
    }

    public init(
        server: HTTP2ServerConfiguration = HTTP2ServerConfiguration(), registry: RegistrySettings,
        chip: ChipSettings = ChipSettings(), overload: OverloadSettings = OverloadSettings(),
        matching: MatchThresholds = MatchThresholds(), clients: ClientsSettings, audit: AuditSettings,
        signing: SigningSettings, operations: OperationsSettings? = nil
    ) {
        self.server = server
        self.registry = registry
        self.chip = chip
        self.overload = overload
        self.matching = matching
        self.clients = clients
        self.audit = audit
        self.signing = signing
        self.operations = operations
    }

    private enum CodingKeys: String, CodingKey {
        case server, registry, chip, overload, matching, clients, audit, signing
        case guessing, state
        case operations
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        server = try c.decodeIfPresent(HTTP2ServerConfiguration.self, forKey: .server) ?? HTTP2ServerConfiguration()
        registry = try c.decode(RegistrySettings.self, forKey: .registry)
        chip = try c.decodeIfPresent(ChipSettings.self, forKey: .chip) ?? ChipSettings()
        overload = try c.decodeIfPresent(OverloadSettings.self, forKey: .overload) ?? OverloadSettings()
        matching = try c.decodeIfPresent(MatchThresholds.self, forKey: .matching) ?? MatchThresholds()
        clients = try c.decode(ClientsSettings.self, forKey: .clients)
        audit = try c.decode(AuditSettings.self, forKey: .audit)
        signing = try c.decode(SigningSettings.self, forKey: .signing)
        guessing = try c.decodeIfPresent(GuessingSettings.self, forKey: .guessing) ?? GuessingSettings()
        state = try c.decodeIfPresent(StateSettings.self, forKey: .state) ?? StateSettings(directory: "state")
        operations = try c.decodeIfPresent(OperationsSettings.self, forKey: .operations)
    }
}

/// Why a configuration could not be used; the message names the file and the setting.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension GatewayConfiguration {
    /// Reads `path`, resolves relative paths against its directory, then applies environment overrides:
    /// `IDGATE_H2C=HOST:PORT`, `IDGATE_TLS=HOST:PORT`, `IDGATE_THREADS=N`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> GatewayConfiguration
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read configuration file \(path)")
        }
        var configuration: GatewayConfiguration
        do {
            configuration = try JSONDecoder().decode(GatewayConfiguration.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ConfigurationError("\(path): missing setting \(Self.describe(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw ConfigurationError("\(path): wrong type at \(Self.describe(context.codingPath))")
        } catch let DecodingError.dataCorrupted(context) {
            throw ConfigurationError("\(path): \(context.debugDescription) at \(Self.describe(context.codingPath))")
        }
        configuration.resolvePaths(relativeTo: (path as NSString).deletingLastPathComponent)
        try configuration.applyOverrides(environment: environment)
        return configuration
    }

    private static func describe(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    /// Makes every relative file path absolute against `base`.
    public mutating func resolvePaths(relativeTo base: String) {
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") || base.isEmpty ? p : (base as NSString).appendingPathComponent(p)
        }
        registry.path = resolve(registry.path)
        chip.trust = chip.trust.map(resolve)
        clients.file = resolve(clients.file)
        audit.directory = resolve(audit.directory)
        audit.keyFile = resolve(audit.keyFile)
        if let outbox = audit.outbox { audit.outbox?.file = resolve(outbox.file) }
        signing.keyFile = resolve(signing.keyFile)
        state.directory = state.directory.map(resolve)
        for i in server.listeners.indices {
            guard var tls = server.listeners[i].tls else { continue }
            tls.certificateChainPath = resolve(tls.certificateChainPath)
            tls.privateKeyPath = resolve(tls.privateKeyPath)
            tls.clientCAPath = tls.clientCAPath.map(resolve)
            server.listeners[i].tls = tls
        }
    }

    /// Applies `IDGATE_*` overrides and the `serve` command-line flags (same syntax).
    public mutating func applyOverrides(environment: [String: String]) throws {
        if let value = environment["IDGATE_THREADS"] {
            guard let n = Int(value), n > 0 else { throw ConfigurationError("IDGATE_THREADS must be a positive integer") }
            server.threads = n
        }
        if let value = environment["IDGATE_H2C"] { try override(listenerTLS: false, with: value) }
        if let value = environment["IDGATE_TLS"] { try override(listenerTLS: true, with: value) }
    }

    /// Replaces the address of the first h2c (or TLS) listener, or adds an h2c listener when there is none.
    public mutating func override(listenerTLS: Bool, with hostPort: String) throws {
        guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ConfigurationError("expected HOST:PORT, got \(hostPort)") }
        var host = String(hostPort[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let i = server.listeners.firstIndex(where: { ($0.tls != nil) == listenerTLS }) {
            server.listeners[i].host = host
            server.listeners[i].port = port
        } else if listenerTLS {
            throw ConfigurationError("--tls needs a TLS listener (certificate and key) in the configuration")
        } else {
            server.listeners.append(.h2c(host: host, port: port))
        }
    }
}

// Decoding with defaults: a configuration file names only the settings it changes.

extension KeyedDecodingContainer {
    func value<T: Decodable>(_ key: Key, default fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}

extension GatewayConfiguration.RegistrySettings {
    private enum CodingKeys: String, CodingKey { case path, reloadCheckInterval, maxFollowLagSeconds, readahead }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            path: try c.decode(String.self, forKey: .path),
            reloadCheckInterval: try c.value(.reloadCheckInterval, default: 2),
            maxFollowLagSeconds: try c.value(.maxFollowLagSeconds, default: 30),
            readahead: try c.value(.readahead, default: .auto))
    }
}

extension GatewayConfiguration.ChipSettings {
    private enum CodingKeys: String, CodingKey {
        case trust, requireActiveAuth, cacheCapacity, challengeLifetime, maxRequestBytes
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        trust = try c.value(.trust, default: trust)
        requireActiveAuth = try c.value(.requireActiveAuth, default: requireActiveAuth)
        cacheCapacity = try c.value(.cacheCapacity, default: cacheCapacity)
        challengeLifetime = try c.value(.challengeLifetime, default: challengeLifetime)
        maxRequestBytes = try c.value(.maxRequestBytes, default: maxRequestBytes)
    }
}

extension GatewayConfiguration.OverloadSettings {
    private enum CodingKeys: String, CodingKey {
        case maxInFlightPerLoop, retryAfterSeconds, queueDelayTargetMillis, queueDelayIntervalMillis
        case answerDelayTargetMillis
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        maxInFlightPerLoop = try c.value(.maxInFlightPerLoop, default: maxInFlightPerLoop)
        retryAfterSeconds = try c.value(.retryAfterSeconds, default: retryAfterSeconds)
        queueDelayTargetMillis = try c.value(.queueDelayTargetMillis, default: queueDelayTargetMillis)
        queueDelayIntervalMillis = try c.value(.queueDelayIntervalMillis, default: queueDelayIntervalMillis)
        answerDelayTargetMillis = try c.value(.answerDelayTargetMillis, default: answerDelayTargetMillis)
        guard queueDelayTargetMillis >= 0, queueDelayIntervalMillis >= 0, answerDelayTargetMillis >= 0 else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "queueDelayTargetMillis, queueDelayIntervalMillis and answerDelayTargetMillis must not be negative"))
        }
    }
}

extension GatewayConfiguration.AuditSettings {
    private enum CodingKeys: String, CodingKey {
        case enabled, directory, keyFile, durability, maxSegmentBytes, retentionDays, minimumFreeBytes
        case nodeId, subjectIndex, outbox, historyWindowDays, historyDefaultLimit, historyMaxLimit
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            directory: try c.decode(String.self, forKey: .directory), keyFile: try c.decode(String.self, forKey: .keyFile))
        enabled = try c.value(.enabled, default: enabled)
        durability = try c.value(.durability, default: durability)
        maxSegmentBytes = try c.value(.maxSegmentBytes, default: maxSegmentBytes)
        retentionDays = try c.decodeIfPresent(Int.self, forKey: .retentionDays)
        minimumFreeBytes = try c.value(.minimumFreeBytes, default: minimumFreeBytes)
        nodeId = try c.decodeIfPresent(String.self, forKey: .nodeId)
        if let nodeId, let problem = AuditSegmentHeader.nodeIDProblem(nodeId) {
            throw DecodingError.dataCorruptedError(forKey: .nodeId, in: c, debugDescription: problem)
        }
        subjectIndex = try c.value(.subjectIndex, default: subjectIndex)
        outbox = try c.decodeIfPresent(AuditOutboxConfiguration.self, forKey: .outbox)
        historyWindowDays = try c.value(.historyWindowDays, default: historyWindowDays)
        historyDefaultLimit = try c.value(.historyDefaultLimit, default: historyDefaultLimit)
        historyMaxLimit = try c.value(.historyMaxLimit, default: historyMaxLimit)
        guard historyWindowDays >= 1, historyDefaultLimit >= 1, historyMaxLimit >= historyDefaultLimit else {
            throw DecodingError.dataCorruptedError(
                forKey: .historyMaxLimit, in: c,
                debugDescription: "historyWindowDays >= 1 and 1 <= historyDefaultLimit <= historyMaxLimit")
        }
    }
}

extension GatewayConfiguration.SigningSettings {
    private enum CodingKeys: String, CodingKey { case enabled, keyFile }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(keyFile: try c.decode(String.self, forKey: .keyFile), enabled: try c.value(.enabled, default: true))
    }
}

extension GatewayConfiguration.GuessingSettings {
    private enum CodingKeys: String, CodingKey { case enabled, maxFailedAnswersPerSubject, windowSeconds, maxTrackedPairs }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        enabled = try c.value(.enabled, default: enabled)
        maxFailedAnswersPerSubject = try c.value(.maxFailedAnswersPerSubject, default: maxFailedAnswersPerSubject)
        windowSeconds = try c.value(.windowSeconds, default: windowSeconds)
        maxTrackedPairs = try c.value(.maxTrackedPairs, default: maxTrackedPairs)
        guard maxFailedAnswersPerSubject >= 0, windowSeconds > 0 else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: c.codingPath, debugDescription: "maxFailedAnswersPerSubject must be >= 0 and windowSeconds > 0"))
        }
        guard maxTrackedPairs >= 64 else {
            throw DecodingError.dataCorruptedError(
                forKey: .maxTrackedPairs, in: c, debugDescription: "guessing.maxTrackedPairs must be at least 64")
        }
    }
}

extension GatewayConfiguration.StateSettings {
    private enum CodingKeys: String, CodingKey { case directory, flushIntervalSeconds, shareInFleet }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(directory: try c.decodeIfPresent(String.self, forKey: .directory))
        flushIntervalSeconds = try c.value(.flushIntervalSeconds, default: flushIntervalSeconds)
        shareInFleet = try c.value(.shareInFleet, default: shareInFleet)
        guard flushIntervalSeconds > 0 else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: c.codingPath, debugDescription: "flushIntervalSeconds must be positive"))
        }
    }
}
