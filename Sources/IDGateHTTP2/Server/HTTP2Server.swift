import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Why the server could not start.
public enum HTTP2ServerError: Error, Sendable {
    /// A TLS listener with `clientAuth` optional or required has no `clientCAPath`.
    case missingClientCA
    /// `start()` was called twice, or after `shutdown`.
    case alreadyStarted
    /// A limit outside what HTTP/2 allows (named in the message).
    case invalidLimit(String)
}

/// The HTTP/2 server: listeners from the configuration, one nghttp2 session per connection, requests routed to
/// the `Router`'s handlers on the connection's event loop, each handed its loop's context.
///
/// ```swift
/// var router = Router<LoopState>()
/// router.on(.POST, "/v1/identity/match", contentType: "application/json") { request, writer, loop in
///     writer.respond(status: .ok, headers: .json, body: loop.answer(request.body))
/// }
/// let server = HTTP2Server(
///     configuration: configuration, router: router, logger: logger, loopContext: { _ in LoopState() })
/// let addresses = try await server.start()
/// ...
/// await server.shutdown(gracefully: true)
/// ```
/// Always call `shutdown(gracefully:)`: it also stops the server's event loop threads.
public final class HTTP2Server: Sendable {
    public let configuration: HTTP2ServerConfiguration
    /// Transport counters (connections, streams, resets, protocol errors, GOAWAYs).
    public let stats: HTTP2ServerStats
    private let context: ServerContext
    private let group: MultiThreadedEventLoopGroup
    private let channels = NIOLockedChannels()

    /// - Parameters:
    ///   - loopContext: makes the state one event loop's handlers share (called once per loop, here); the server
    ///     hands it to every handler, rejection body and completion observer running on that loop.
    ///   - onRequestCompleted: called on the event loop for each answered stream (metrics).
    public init<Context: AnyObject & Sendable>(
        configuration: HTTP2ServerConfiguration, router: Router<Context>, logger: Logger,
        loopContext makeContext: (any EventLoop) -> Context,
        onRequestCompleted: (@Sendable (_ route: CompletedRoute, _ status: Int, _ durationNanos: UInt64, _ context: Context) -> Void)? = nil
    ) {
        self.configuration = configuration
        let stats = HTTP2ServerStats()
        self.stats = stats
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads ?? System.coreCount))
        self.group = group
        var contexts: [ObjectIdentifier: any AnyObject & Sendable] = [:]
        var burstClocks: [ObjectIdentifier: ReadBurstClock] = [:]
        var loops = group.makeIterator()
        while let loop = loops.next() {
            contexts[ObjectIdentifier(loop)] = makeContext(loop)
            burstClocks[ObjectIdentifier(loop)] = ReadBurstClock(eventLoop: loop)
        }
        var observer: ErasedCompletionObserver?
        if let observe = onRequestCompleted {
            observer = { route, status, nanos, context in
                observe(route, status, nanos, unsafeDowncast(context, to: Context.self))
            }
        }
        context = ServerContext(
            router: router.table, loopContexts: contexts, limits: configuration.limits, stats: stats,
            observer: observer, logger: logger, burstClocks: burstClocks)
    }

    /// A server whose handlers need no per-loop state.
    public convenience init(
        configuration: HTTP2ServerConfiguration, router: Router<NoLoopContext>, logger: Logger,
        onRequestCompleted: RequestCompletionObserver? = nil
    ) {
        let shared = NoLoopContext()
        var observer: (@Sendable (CompletedRoute, Int, UInt64, NoLoopContext) -> Void)?
        if let observe = onRequestCompleted {
            observer = { route, status, nanos, _ in observe(route, status, nanos) }
        }
        self.init(
            configuration: configuration, router: router, logger: logger, loopContext: { _ in shared },
            onRequestCompleted: observer)
    }

    /// Binds every listener; returns their bound addresses in configuration order (port 0 gets a free port).
    public func start() async throws -> [SocketAddress] {
        try configuration.limits.validate()
        guard channels.markStarted() else { throw HTTP2ServerError.alreadyStarted }
        var addresses: [SocketAddress] = []
        do {
            for listener in configuration.listeners {
                let sslContext = try listener.tls?.makeSSLContext()
                let channel = try await bootstrap(sslContext: sslContext)
                    .bind(host: listener.host, port: listener.port).get()
                channels.append(channel)
                addresses.append(channel.localAddress!)
                context.logger.info("listening", metadata: [
                    "address": "\(channel.localAddress!)", "tls": "\(listener.tls != nil)",
                ])
            }
        } catch {
            for channel in channels.all { try? await channel.close() }
            throw error
        }
        return addresses
    }

    private func bootstrap(sslContext: NIOSSLContext?) -> ServerBootstrap {
        let context = context
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1_024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 64 << 10, high: 256 << 10))
            .childChannelInitializer { channel in
                let address = channel.remoteAddress?.ipAddress ?? "unknown"
                let tlsHandler = sslContext.map { NIOSSLServerHandler(context: $0) }
                let connection = HTTP2Connection(
                    server: context, eventLoop: channel.eventLoop, addressKey: address, tlsHandler: tlsHandler)
                guard context.registry.admit(connection, address: address) else {
                    return channel.close()
                }
                do {
                    if let tlsHandler { try channel.pipeline.syncOperations.addHandler(tlsHandler) }
                    try channel.pipeline.syncOperations.addHandler(connection)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    context.registry.remove(connection, address: address)
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
    }

    /// Stops accepting, then (if `gracefully`) sends GOAWAY on every connection and waits up to `drainTimeout`
    /// for in-flight streams; closes whatever remains and stops the event loops.
    public func shutdown(gracefully: Bool) async {
        for channel in channels.all { try? await channel.close() }
        let connections = context.registry.stopAccepting()
        if gracefully {
            for connection in connections { connection.drain() }
            let deadline = NIODeadline.now() + .nanoseconds(Int64(configuration.limits.drainTimeout * 1e9))
            while !context.registry.openConnections.isEmpty && NIODeadline.now() < deadline {
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        for connection in context.registry.openConnections { connection.forceClose() }
        while !context.registry.openConnections.isEmpty {
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        context.loopsRunning.store(false, ordering: .relaxed)
        try? await group.shutdownGracefully()
    }
}
