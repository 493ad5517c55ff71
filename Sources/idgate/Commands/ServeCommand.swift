import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
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

    func validate() throws {
        guard (config == nil) != (demo == nil) else {
            throw ValidationError("give exactly one of --config FILE or --demo DIR")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
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
        let gateway = try Gateway(configuration: configuration, logger: logger)
        try await GatewayService.runUntilSignalled(gateway: gateway, logger: logger) { addresses in
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
