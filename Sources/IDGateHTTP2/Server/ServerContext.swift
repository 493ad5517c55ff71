import Logging
import NIOCore
import Synchronization

/// What every connection of a server shares: immutable configuration and the thread-safe stats and registry.
final class ServerContext: Sendable {
    let router: RouteTable
    /// Each event loop's context, made once when the server is created; read-only afterwards (no lock).
    let loopContexts: [ObjectIdentifier: any AnyObject & Sendable]
    /// Each event loop's read-burst clock (`LoopWait`), made with its context.
    let burstClocks: [ObjectIdentifier: ReadBurstClock]
    let limits: HTTP2Limits
    let stats: HTTP2ServerStats
    let observer: ErasedCompletionObserver?
    let template: SessionTemplate
    let registry: ConnectionRegistry
    let logger: Logger
    /// Cleared just before the event loops shut down: late responses (from other threads) are dropped instead of
    /// being scheduled on a dead loop.
    let loopsRunning = Atomic<Bool>(true)

    init(
        router: RouteTable, loopContexts: [ObjectIdentifier: any AnyObject & Sendable], limits: HTTP2Limits, stats: HTTP2ServerStats,
        observer: ErasedCompletionObserver?, logger: Logger, burstClocks: [ObjectIdentifier: ReadBurstClock] = [:]
    ) {
        self.router = router
        self.loopContexts = loopContexts
        self.burstClocks = burstClocks
        self.limits = limits
        self.stats = stats
        self.observer = observer
        self.template = SessionTemplate(limits: limits)
        self.registry = ConnectionRegistry(limits: limits, stats: stats)
        self.logger = logger
    }
}

/// `RequestCompletionObserver` with the loop's context type-erased.
typealias ErasedCompletionObserver = @Sendable (CompletedRoute, Int, UInt64, AnyObject) -> Void

extension ServerContext {
    /// The context of `eventLoop` (one of the server's own loops).
    func loopContext(for eventLoop: any EventLoop) -> AnyObject {
        guard let context = loopContexts[ObjectIdentifier(eventLoop)] else {
            preconditionFailure("connection on an event loop that is not the server's")
        }
        return context
    }

    /// The read-burst clock of `eventLoop` (one of the server's own loops).
    func burstClock(for eventLoop: any EventLoop) -> ReadBurstClock {
        guard let clock = burstClocks[ObjectIdentifier(eventLoop)] else {
            preconditionFailure("connection on an event loop that is not the server's")
        }
        return clock
    }
}
