import Foundation
import IDGateChip
import IDGateHTTP2
import IDGateStore
import Logging
import NIOCore
import Synchronization

/// What every route handler shares: the registry, engines, relying-party controls, metrics. Immutable after
/// start except through its own thread-safe members.
final class GatewayContext: Sendable {
    let configuration: GatewayConfiguration
    let logger: Logger
    let registry: RegistryHolder
    let metrics: GatewayMetrics
    let chipVerifier: ChipVerifier
    let challenges: ChallengeStore
    /// Set once the HTTP/2 server exists (it is created after the router this context builds).
    let transportStats = Mutex<HTTP2ServerStats?>(nil)

    init(configuration: GatewayConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        registry = RegistryHolder(directory: configuration.registry.path, logger: logger)
        metrics = GatewayMetrics()
        let trust: TrustStore
        do {
            trust = try TrustStore(paths: configuration.chip.trust)
        } catch {
            throw ConfigurationError("chip.trust: \(error)")
        }
        for warning in trust.loadWarnings { logger.warning("chip trust store", metadata: ["warning": "\(warning)"]) }
        chipVerifier = ChipVerifier(trustStore: trust, cacheCapacity: configuration.chip.cacheCapacity)
        challenges = ChallengeStore(lifetime: configuration.chip.challengeLifetime)
    }

    func makeRouter() -> Router {
        var router = Router()
        addHealthRoutes(to: &router)
        addChipRoutes(to: &router)
        return router
    }

    /// Runs off the event loops every `registry.reloadCheckInterval` seconds.
    func periodicMaintenance() {
        if registry.reloadIfSuperseded() {
            metrics.setRegistrySequence(registry.store?.sequence ?? 0)
        }
    }

    func close() {}
}
