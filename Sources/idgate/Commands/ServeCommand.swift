import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateFleet
import IDGateGateway
import IDGateWire
import Logging

/// `idgate serve --config FILE | --demo DIR [--h2c HOST:PORT] [--tls HOST:PORT] [--threads N]`
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the verification API over HTTP/2 (TLS/mTLS and h2c).",
        discussion: """
            Environment overrides: IDGATE_H2C, IDGATE_TLS, IDGATE_THREADS (same syntax as the flags), \
            IDGATE_LOG_LEVEL (trace|debug|info|notice|warning|error). SIGTERM/SIGINT drain gracefully.
            """)

    @Option(name: .long, help: "Gateway configuration file (JSON).")
    var config: String?

    @Option(name: .long, help: "A folder made by `idgate demo init` (uses DIR/config.json).")
    var demo: String?

    @Option(name: .long, help: "Cleartext HTTP/2 (prior knowledge) listener, HOST:PORT.")
    var h2c: String?

    @Option(name: .long, help: "TLS listener, HOST:PORT (certificate from the configuration).")
    var tls: String?

    @Option(name: .long, help: "Event loop threads (default: one per core).")
    var threads: Int?

    @Option(
        name: .long,
        help: """
            On SIGTERM, keep serving this many seconds with /readyz answering 503 draining before closing the \
            listeners, so a load balancer takes the node out first (fleet nodes: 2). Default 0.
            """)
    var drainGrace: Double = 0

    @Flag(
        name: .long,
        help: """
            Follow the registry of record in PostgreSQL into the configured registry path (snapshot, then the change \
            log). Credentials from IDGATE_POSTGRES_URL or IDGATE_POSTGRES_URL_FILE (+ IDGATE_POSTGRES_PASSWORD_FILE), \
            never a flag. The node also ships its audit records to that database (under audit.nodeId, which must \
            differ per node), answers access histories from every node's records there, and shares guessing counts and \
            daily quotas with the other nodes there (state.shareInFleet). See docs/FLEET.md.
            """)
    var follow = false

    func validate() throws {
        guard (config == nil) != (demo == nil) else {
            throw ValidationError("give exactly one of --config FILE or --demo DIR")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard drainGrace >= 0, drainGrace <= 300 else { throw ValidationError("--drain-grace must be 0-300 seconds") }
    }

    func run() async throws {
        bootstrapLogging()
        let logger = Logger(label: "idgate")
        let path = config ?? DemoLayout(path: demo!).configuration.path
        var configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration.load(path: path)
            if let h2c { try configuration.override(listenerTLS: false, with: h2c) }
            if let tls { try configuration.override(listenerTLS: true, with: tls) }
            if let threads { configuration.server.threads = threads }
        } catch {
            throw ValidationError("\(error)")
        }
        var follower: RegistryFollower?
        var fleetAudit: FleetAudit?
        var sharedCounters: SharedCounterSync?
        if follow {
            let source: PostgresSource
            do {
                source = try PostgresSource.fromEnvironment()
            } catch {
                throw ValidationError("--follow: \(error)")
            }
            let following = RegistryFollower(
                source: source, directory: configuration.registry.path, logger: Logger(label: "idgate.follow"))
            // Bootstraps (a snapshot into a new generation) or resumes from the local copy's sequence before the
            // server opens the registry; a database that is not an idgate registry of this version stops here.
            try await following.prepare()
            follower = following
            if configuration.audit.enabled {
                fleetAudit = try FleetAudit(
                    source: source, auditDirectory: configuration.audit.directory,
                    nodeID: configuration.audit.effectiveNodeID, logger: Logger(label: "idgate.audit-ship"))
            }
            if configuration.state.shareInFleet {
                var options = SharedCounterSyncOptions()
                options.interval = .milliseconds(Int64(configuration.state.flushIntervalSeconds * 1000))
                sharedCounters = SharedCounterSync(source: source, options: options, logger: Logger(label: "idgate.counters"))
            }
        }
        let gateway = try Gateway(
            configuration: configuration, logger: logger, follower: follower, fleetAudit: fleetAudit,
            sharedCounters: sharedCounters)
        try await GatewayService.runUntilSignalled(
            gateway: gateway,
            alongside: (follower.map { [$0] } ?? []) + (fleetAudit?.services ?? []) + (sharedCounters.map { [$0] } ?? []),
            drainGrace: .milliseconds(Int64(drainGrace * 1000)), logger: logger
        ) { addresses in
            for address in addresses { logger.info("serving", metadata: ["address": "\(address)"]) }
        }
    }
}

/// Logs to standard error; the level comes from IDGATE_LOG_LEVEL (default info).
func bootstrapLogging() {
    let level = ProcessInfo.processInfo.environment["IDGATE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
