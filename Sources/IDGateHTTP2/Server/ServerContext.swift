import Logging
import Synchronization

/// What every connection of a server shares: immutable configuration and the thread-safe stats and registry.
final class ServerContext: Sendable {
    let router: Router
    let limits: HTTP2Limits
    let stats: HTTP2ServerStats
    let observer: RequestCompletionObserver?
    let template: SessionTemplate
    let registry: ConnectionRegistry
    let logger: Logger
    /// Cleared just before the event loops shut down: late responses (from other threads) are dropped instead of
    /// being scheduled on a dead loop.
    let loopsRunning = Atomic<Bool>(true)

    init(router: Router, limits: HTTP2Limits, stats: HTTP2ServerStats, observer: RequestCompletionObserver?, logger: Logger) {
        self.router = router
        self.limits = limits
        self.stats = stats
        self.observer = observer
        self.template = SessionTemplate(limits: limits)
        self.registry = ConnectionRegistry(limits: limits, stats: stats)
        self.logger = logger
    }
}
