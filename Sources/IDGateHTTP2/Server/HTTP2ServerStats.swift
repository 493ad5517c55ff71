import Synchronization

/// Transport counters, readable at any time from any thread (relaxed atomics: each value is exact, a set of
/// values read together is not a snapshot). The gateway exports them as metrics.
public final class HTTP2ServerStats: Sendable {
    let openConnectionsCounter = Atomic<Int>(0)
    let acceptedConnectionsCounter = Atomic<Int>(0)
    let rejectedConnectionsCounter = Atomic<Int>(0)
    let openStreamsCounter = Atomic<Int>(0)
    let requestsCounter = Atomic<Int>(0)
    let rejectedStreamsCounter = Atomic<Int>(0)
    let resetsReceivedCounter = Atomic<Int>(0)
    let protocolErrorsCounter = Atomic<Int>(0)
    let goawaysSentCounter = Atomic<Int>(0)

    public init() {}

    /// Connections currently open.
    public var openConnections: Int { openConnectionsCounter.load(ordering: .relaxed) }
    /// Connections accepted since start.
    public var acceptedConnections: Int { acceptedConnectionsCounter.load(ordering: .relaxed) }
    /// Connections closed at accept because of `maxConnections` / `maxConnectionsPerIP` or shutdown.
    public var rejectedConnections: Int { rejectedConnectionsCounter.load(ordering: .relaxed) }
    /// Streams currently open.
    public var openStreams: Int { openStreamsCounter.load(ordering: .relaxed) }
    /// Request streams begun since start.
    public var requests: Int { requestsCounter.load(ordering: .relaxed) }
    /// Streams refused (REFUSED_STREAM) since start, e.g. over `maxConcurrentStreams`.
    public var rejectedStreams: Int { rejectedStreamsCounter.load(ordering: .relaxed) }
    /// RST_STREAM frames received from clients.
    public var resetsReceived: Int { resetsReceivedCounter.load(ordering: .relaxed) }
    /// Invalid frames, bad prefaces, floods and other connection-level protocol violations.
    public var protocolErrors: Int { protocolErrorsCounter.load(ordering: .relaxed) }
    /// GOAWAY frames sent (shutdown, idle timeout, errors).
    public var goawaysSent: Int { goawaysSentCounter.load(ordering: .relaxed) }

}

/// Called once per finished request stream that got a response: its route, the status sent and the time from the
/// end of the request headers to the stream's close, in nanoseconds.
/// Runs on the event loop: keep it short (update metrics, no I/O).
public typealias RequestCompletionObserver = @Sendable (_ route: CompletedRoute, _ status: Int, _ durationNanos: UInt64) -> Void

/// The route of a finished request, for metrics. `index` (the route's position in the router, -1 when no route
/// matched) lets an observer keep per-route state in an array instead of hashing `path` for every request.
public struct CompletedRoute: Sendable {
    public let index: Int
    /// The route's path, or `"unmatched"`.
    public let path: String

    public init(index: Int, path: String) {
        self.index = index
        self.path = path
    }
}
