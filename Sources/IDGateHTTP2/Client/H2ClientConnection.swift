import NIOCore
import NIOPosix
import NIOSSL

/// One HTTP/2 client connection (h2c or TLS with ALPN `h2`) carrying many concurrent streams.
///
/// Use it only on `eventLoop`: submit a burst of requests, then `flush()` once. Completions arrive on the delegate.
/// `@unchecked Sendable`: the stored properties are immutable references; every method asserts it runs on the
/// channel's event loop, which is the only place the handler's mutable state is touched.
public final class H2ClientConnection: @unchecked Sendable {
    public let channel: any Channel
    let handler: H2ClientChannelHandler

    init(channel: any Channel, handler: H2ClientChannelHandler) {
        self.channel = channel
        self.handler = handler
    }

    public var eventLoop: any EventLoop { channel.eventLoop }

    /// Opens a connection; the future succeeds once the TLS handshake (if any) is done and our preface is written.
    /// Failures are `H2ClientTransportError` (`connectionRefused`, `connectTimeout`, `tls`, ...).
    public static func connect(
        _ configuration: H2ClientConfiguration, on eventLoop: any EventLoop
    ) -> EventLoopFuture<H2ClientConnection> {
        let ready = eventLoop.makePromise(of: H2ClientConnection.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    if let tls = configuration.tls {
                        let hostname = configuration.serverHostname ?? (isIPLiteral(configuration.host) ? nil : configuration.host)
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: hostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        H2ClientChannelHandler(configuration: configuration, readyPromise: ready))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        bootstrap.connect(host: configuration.host, port: configuration.port).whenFailure { error in
            ready.fail(H2ClientChannelHandler.classify(error))
        }
        return ready.futureResult
    }

    /// The receiver of completions; held weakly.
    public var delegate: (any H2ClientConnectionDelegate)? {
        get { eventLoop.assertInEventLoop(); return handler.delegate }
        set { eventLoop.assertInEventLoop(); handler.delegate = newValue }
    }

    /// How many more streams may be submitted right now.
    public var availableStreams: Int {
        eventLoop.assertInEventLoop()
        return handler.availableStreams
    }

    public var inFlight: Int { handler.inFlight }

    /// Queues a request (not yet written: call `flush()` after the burst). Returns false when no stream is free or
    /// the connection is closed.
    /// - Parameters:
    ///   - body: overrides the template's body for this request only.
    ///   - startNanos: the time latency is measured from (`H2ClientClock.nowNanos()`, or the intended send time).
    @discardableResult
    public func submit(_ template: H2ClientRequestTemplate, body: ByteBuffer? = nil, tag: UInt64, startNanos: UInt64) -> Bool {
        eventLoop.assertInEventLoop()
        return handler.submit(template, body: body, tag: tag, startNanos: startNanos)
    }

    /// Writes everything queued with one flush.
    public func flush() {
        eventLoop.assertInEventLoop()
        handler.flush()
    }

    /// Cancels streams started before `deadline` (monotonic nanoseconds); they are reported with `.timeout`.
    public func expireStreams(startedBefore deadline: UInt64) {
        eventLoop.assertInEventLoop()
        handler.expireStreams(startedBefore: deadline)
    }

    /// Closes the connection; in-flight streams are reported as failed (`connectionClosed`).
    public func close() {
        eventLoop.assertInEventLoop()
        handler.close()
    }
}

private func isIPLiteral(_ host: String) -> Bool {
    host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
}
