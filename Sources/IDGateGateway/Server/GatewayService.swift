import IDGateAudit
import IDGateCore
import IDGateWire
import Logging
import ServiceLifecycle

/// Runs a `Gateway` under swift-service-lifecycle: SIGTERM/SIGINT trigger a graceful shutdown (stop accepting,
/// GOAWAY, drain in-flight streams up to the drain timeout), then the process exits 0.
public struct GatewayService: Service {
    public let gateway: Gateway
    let logger: Logger
    let onStarted: @Sendable ([String]) -> Void
    /// How long the gateway keeps serving while `/readyz` says `draining`, before it closes its listeners: long
    /// enough for a load balancer's health checks to take the node out (docs/FLEET.md). Zero for a single node.
    let drainGrace: Duration

    public init(
        gateway: Gateway, logger: Logger, drainGrace: Duration = .zero,
        onStarted: @escaping @Sendable ([String]) -> Void = { _ in }
    ) {
        self.gateway = gateway
        self.logger = logger
        self.drainGrace = drainGrace
        self.onStarted = onStarted
    }

    public func run() async throws {
        let addresses = try await gateway.start()
        onStarted(addresses.map { "\($0)" })
        // Suspends until a shutdown signal arrives (or the group is cancelled).
        try? await gracefulShutdown()
        if drainGrace > .zero {
            logger.info("shutting down: /readyz reports draining", metadata: ["grace": "\(drainGrace)"])
            gateway.beginDraining()
            try? await Task.sleep(for: drainGrace)
        }
        logger.info("shutting down: draining connections")
        await gateway.shutdown()
        logger.info("stopped")
    }

    /// Runs the gateway, and `alongside` services (a registry follower), until SIGTERM or SIGINT.
    public static func runUntilSignalled(
        gateway: Gateway, alongside: [any Service] = [], drainGrace: Duration = .zero, logger: Logger,
        onStarted: @escaping @Sendable ([String]) -> Void
    ) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: alongside.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
                    + [.init(service: GatewayService(gateway: gateway, logger: logger, drainGrace: drainGrace, onStarted: onStarted))],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
