import CNGHTTP2
import NIOCore
import NIOSSL

/// One HTTP/2 connection: a channel handler owning one nghttp2 server session.
///
/// Reads are fed to `nghttp2_session_mem_recv`; everything nghttp2 wants to send during a read burst is drained
/// with `nghttp2_session_mem_send` into buffers and flushed once in `channelReadComplete`. Streams are plain
/// pooled objects, not channels. nghttp2 calls back through a pointer to this object (see
/// `HTTP2Connection+Callbacks.swift`).
final class HTTP2Connection: ChannelDuplexHandler, @unchecked Sendable {
    // @unchecked Sendable: every mutable property is used only on `eventLoop`. Other threads reach a connection
    // only through `ResponseWriter`/`drain()`/`forceClose()`, which hop to `eventLoop` before touching state.
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let eventLoop: any EventLoop
    let server: ServerContext
    /// The state this connection's event loop shares among its requests, handed to every handler.
    let loopContext: AnyObject
    /// The loop's read bursts: how long each request waited behind the loop's other work (`LoopWait`).
    let burstClock: ReadBurstClock
    let addressKey: String
    private let tlsHandler: NIOSSLServerHandler?

    var session: OpaquePointer?
    var context: ChannelHandlerContext?
    var remoteAddress: SocketAddress?
    var peer: PeerIdentity?

    /// Open streams (kept alive here; nghttp2 holds unretained pointers to them) and reusable ones.
    var active: [StreamState] = []
    var pool: [StreamState] = []
    /// The stream whose header block is being decoded (blocks never interleave): saves a lookup per field.
    /// Unretained (`active` keeps it alive; cleared when it finishes): no retain and release per field.
    var headerBlockStream: Unmanaged<StreamState>?
    /// What the header block being decoded said so far (its stream is `headerBlockStream`): kept here, not in the
    /// stream's phase, so a header field updates a plain struct instead of rewriting an enum.
    var headerBlock = StreamState.HeaderBlock()
    /// Streams with `ResponseBodyStream.write` futures waiting for their buffer to drain.
    var streamsWithWaiters = 0

    private var sawFirstBytes = false
    var inReadBurst = false
    private var flushScheduled = false
    private var readPending = false
    private var closing = false
    private var lastReadNanos: UInt64 = 0
    private var idleTask: RepeatedTask?
    private var lingerTask: Scheduled<Void>?
    var resetTokens: Double
    var resetTokensRefilledNanos: UInt64 = 0

    /// Reused memory for building response header blocks (nghttp2 copies them on submit).
    var headerFields: UnsafeMutablePointer<nghttp2_nv>
    var headerFieldCapacity = 16
    var headerBytes: UnsafeMutableRawPointer
    var headerByteCapacity = 2_048

    init(server: ServerContext, eventLoop: any EventLoop, addressKey: String, tlsHandler: NIOSSLServerHandler?) {
        self.server = server
        self.eventLoop = eventLoop
        loopContext = server.loopContext(for: eventLoop)
        burstClock = server.burstClock(for: eventLoop)
        self.addressKey = addressKey
        self.tlsHandler = tlsHandler
        self.resetTokens = Double(server.limits.resetBurst)
        headerFields = .allocate(capacity: headerFieldCapacity)
        headerBytes = .allocate(byteCount: headerByteCapacity, alignment: 1)
    }

    deinit {
        headerFields.deallocate()
        headerBytes.deallocate()
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        remoteAddress = context.channel.remoteAddress
        var session: OpaquePointer?
        let template = server.template
        guard nghttp2_session_server_new3(
            &session, template.callbacks, Unmanaged.passUnretained(self).toOpaque(), template.options,
            template.memory) == 0
        else {
            context.close(promise: nil)
            return
        }
        self.session = session
        template.settings.withUnsafeBufferPointer {
            _ = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), $0.baseAddress, $0.count)
        }
        _ = nghttp2_session_set_local_window_size(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(clamping: server.limits.connectionWindowSize))
        if context.channel.isActive { startIdleTimer(context: context) }
    }

    /// Our SETTINGS wait for the client's first bytes, so an HTTP/1.1 client reads a plain HTTP/1.1 answer.
    func channelActive(context: ChannelHandlerContext) {
        startIdleTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown()
        if let session { nghttp2_session_del(session) }
        session = nil
        self.context = nil
    }

    private func startIdleTimer(context: ChannelHandlerContext) {
        guard idleTask == nil else { return }
        lastReadNanos = NIODeadline.now().uptimeNanoseconds
        let idleNanos = Int64(server.limits.idleTimeout * 1e9)
        let period = TimeAmount.nanoseconds(max(idleNanos / 4, 10_000_000))
        idleTask = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { [self] _ in
            closeIfIdle(idleNanos: UInt64(idleNanos))
        }
    }

    private func closeIfIdle(idleNanos: UInt64) {
        guard let session, !closing,
              NIODeadline.now().uptimeNanoseconds &- lastReadNanos >= idleNanos,
              !active.contains(where: \.awaitsApplication) else { return }
        _ = nghttp2_session_terminate_session(session, NGHTTP2_NO_ERROR.rawValue)
        sendPending()
        close()
    }

    /// Cancels what is still open (nghttp2 does not report streams of a deleted session) and leaves the registry.
    private func tearDown() {
        idleTask?.cancel()
        idleTask = nil
        lingerTask?.cancel()
        lingerTask = nil
        closing = true
        while let state = active.last {
            finishStream(state, errorCode: NGHTTP2_CANCEL.rawValue)
        }
        server.registry.remove(self, address: addressKey)
    }

    /// How long a closing connection keeps reading (and dropping) what the client still sends.
    static let lingerTime = TimeAmount.seconds(1)

    /// Lingering close, as web servers do: closing a socket with unread input makes the kernel answer with RST,
    /// which can destroy the GOAWAY still on its way to the client (it then sees a reset, not the reason). So the
    /// output is shut (FIN after the last frame) while input is still read and dropped; the connection closes when
    /// the client closes its side or after `lingerTime`. Where half-closing is not supported, it closes at once.
    func close() {
        guard let context, !closing else { return }
        closing = true
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let halfClosed = context.eventLoop.makePromise(of: Void.self)
        halfClosed.futureResult.whenFailure { _ in bound.value.close(promise: nil) }
        context.close(mode: .output, promise: halfClosed)
        lingerTask = context.eventLoop.scheduleTask(in: Self.lingerTime) { bound.value.close(promise: nil) }
        context.read()
    }

    /// Closes without lingering (drain timeout, server stop).
    private func closeNow() {
        guard let context else { return }
        closing = true
        context.close(promise: nil)
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let session, !closing else { return }
        lastReadNanos = NIODeadline.now().uptimeNanoseconds
        burstClock.noteRead(nowNanos: lastReadNanos)
        inReadBurst = true
        if !sawFirstBytes {
            sawFirstBytes = true
            // Application data flows only after the TLS handshake: the peer certificate is final now.
            if let certificate = tlsHandler?.peerCertificate { peer = try? PeerIdentity(certificate: certificate) }
            if HTTP1Rejection.looksLikeHTTP1(buffer) {
                HTTP1Rejection.respond(context: context)
                closing = true
                return
            }
        }
        let result = buffer.withUnsafeReadableBytes {
            nghttp2_session_mem_recv(session, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count)
        }
        if result < 0 { failConnection(nghttp2Error: Int32(result)) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        sendPending()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            sendPending()
            if readPending {
                readPending = false
                context.read()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    /// Backpressure: while the socket cannot take more, stop reading (new requests would only queue responses).
    func read(context: ChannelHandlerContext) {
        if closing || context.channel.isWritable {
            context.read()
        } else {
            readPending = true
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        server.logger.debug("connection error", metadata: ["error": "\(error)"])
        close()
    }

    /// A fatal nghttp2 error (bad preface, flood, ...): try to tell the client with a GOAWAY, then close.
    private func failConnection(nghttp2Error: Int32) {
        server.stats.protocolErrorsCounter.wrappingAdd(1, ordering: .relaxed)
        if let session {
            let code = nghttp2Error == NGHTTP2_ERR_FLOODED.rawValue
                ? NGHTTP2_ENHANCE_YOUR_CALM.rawValue : NGHTTP2_PROTOCOL_ERROR.rawValue
            _ = nghttp2_session_terminate_session(session, code)
        }
        sendPending()
        close()
    }

    // MARK: Outbound

    /// Drains nghttp2's output into socket writes and flushes once. Stops while the socket is not writable
    /// (nghttp2 keeps the frames; its outbound-ACK limit bounds what a non-reading client can make it queue).
    func sendPending() {
        guard let session, let context else { return }
        var output: ByteBuffer?
        var wrote = false
        while context.channel.isWritable {
            var chunk: UnsafePointer<UInt8>?
            let length = nghttp2_session_mem_send(session, &chunk)
            if length < 0 {
                server.stats.protocolErrorsCounter.wrappingAdd(1, ordering: .relaxed)
                close()
                return
            }
            guard length > 0, let chunk else { break }
            if output == nil { output = context.channel.allocator.buffer(capacity: max(length, 16_384)) }
            output!.writeBytes(UnsafeRawBufferPointer(start: chunk, count: length))
            if output!.readableBytes >= 65_536 {
                context.write(wrapOutboundOut(output!), promise: nil)
                output = nil
                wrote = true
            }
        }
        if let output {
            context.write(wrapOutboundOut(output), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
        if streamsWithWaiters > 0 { wakeWriters() }
        if nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0 { close() }
    }

    /// Coalesces output produced outside a read burst (responses from other threads) into one send per tick.
    func scheduleSend() {
        guard !inReadBurst, !flushScheduled else { return }
        flushScheduled = true
        eventLoop.execute { [self] in
            flushScheduled = false
            sendPending()
        }
    }

    // MARK: Server control

    /// Graceful shutdown: GOAWAY (no new streams), in-flight streams finish, then the connection closes.
    func drain() {
        eventLoop.execute { [self] in
            guard let session, !closing else { return }
            _ = nghttp2_submit_goaway(
                session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nghttp2_session_get_last_proc_stream_id(session),
                NGHTTP2_NO_ERROR.rawValue, nil, 0)
            sendPending()
        }
    }

    func forceClose() {
        eventLoop.execute { [self] in closeNow() }
    }
}
