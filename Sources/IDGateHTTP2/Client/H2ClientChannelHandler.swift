import CNGHTTP2
import NIOCore
import NIOPosix
import NIOSSL
// TLSUserEvent (ALPN result); NIOTLS is built as a dependency of NIOSSL.
import NIOTLS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The channel handler that owns one nghttp2 client session: bytes in go to `mem_recv`, and everything nghttp2 wants
/// to send is drained with `mem_send` into one buffer and written with a single flush per burst.
/// Lives on its channel's event loop; `H2ClientConnection` is its public face.
final class H2ClientChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let configuration: H2ClientConfiguration
    private let readyPromise: EventLoopPromise<H2ClientConnection>
    var session: OpaquePointer?
    var slots: [H2ClientStreamSlot]
    var freeSlots: [Int]
    private(set) var inFlight = 0
    private var context: ChannelHandlerContext?
    var connection: H2ClientConnection?
    weak var delegate: (any H2ClientConnectionDelegate)?
    /// Set while nghttp2 is calling us back: `mem_send` must not be re-entered, so flushes wait until it returns.
    private var callbackDepth = 0
    private var isClosed = false
    /// Why the connection is ending (first cause wins); in-flight streams are failed with it.
    var closeReason: H2ClientTransportError?
    private let emptyBody: ByteBuffer
    private var handshakeTimeout: Scheduled<Void>?

    init(configuration: H2ClientConfiguration, readyPromise: EventLoopPromise<H2ClientConnection>) {
        self.configuration = configuration
        self.readyPromise = readyPromise
        slots = Array(repeating: H2ClientStreamSlot(), count: configuration.maxConcurrentStreams)
        freeSlots = Array((0..<configuration.maxConcurrentStreams).reversed())
        emptyBody = ByteBufferAllocator().buffer(capacity: 0)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let timeout = configuration.connectTimeout
        handshakeTimeout = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            guard connection == nil else { return }
            fail(.connectTimeout)
        }
        if context.channel.isActive && configuration.tls == nil { startSession() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let session { nghttp2_session_del(session) }
        session = nil
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        if configuration.tls == nil { startSession() }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let negotiated) = event as? TLSUserEvent {
            if negotiated == "h2" {
                startSession()
            } else {
                fail(.tls("ALPN did not select h2 (got \(negotiated ?? "none"))"))
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session, !isClosed else { return }
        let buffer = unwrapInboundIn(data)
        callbackDepth += 1
        let result = buffer.withUnsafeReadableBytes { bytes in
            nghttp2_session_mem_recv(session, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        callbackDepth -= 1
        if result < 0 { fail(.protocolError(String(cString: nghttp2_strerror(Int32(result))))) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(duringHandshake(Self.classify(error)))
    }

    /// Before a TLS handshake completes, a reset or closed connection is the TLS layer failing (the peer refused
    /// the handshake), not an I/O error of an established connection.
    private func duringHandshake(_ error: H2ClientTransportError) -> H2ClientTransportError {
        guard configuration.tls != nil, session == nil else { return error }
        switch error {
        case .io(let detail): return .tls("connection failed during the TLS handshake: \(detail)")
        case .connectionClosed: return .tls("connection closed during the TLS handshake")
        default: return error
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        handshakeTimeout?.cancel()
        let reason = closeReason ?? duringHandshake(.connectionClosed)
        readyPromise.fail(reason)
        failAllStreams(with: reason)
        if let connection {
            self.connection = nil
            delegate?.h2Client(connection, didCloseWith: closeReason)
        }
        context.fireChannelInactive()
    }

    // MARK: Session

    private func startSession() {
        guard session == nil, !isClosed, let context else { return }
        guard let created = Self.makeSession(userData: Unmanaged.passUnretained(self).toOpaque()) else {
            fail(.protocolError("nghttp2_session_client_new failed"))
            return
        }
        session = created
        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: UInt32(configuration.initialWindowSize)),
        ]
        nghttp2_submit_settings(created, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        nghttp2_session_set_local_window_size(created, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, configuration.initialWindowSize)
        flush()
        handshakeTimeout?.cancel()
        let connection = H2ClientConnection(channel: context.channel, handler: self)
        self.connection = connection
        readyPromise.assumeIsolated().succeed(connection)
    }

    /// Streams that can be submitted now: free slots, bounded by the peer's SETTINGS_MAX_CONCURRENT_STREAMS.
    var availableStreams: Int {
        guard let session, !isClosed else { return 0 }
        let peerLimit = Int(nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS))
        return Swift.max(0, Swift.min(freeSlots.count, peerLimit - inFlight))
    }

    func submit(_ template: H2ClientRequestTemplate, body: ByteBuffer?, tag: UInt64, startNanos: UInt64) -> Bool {
        guard let session, !isClosed, let index = freeSlots.popLast() else { return false }
        let requestBody = body ?? template.body
        slots[index].inUse = true
        slots[index].tag = tag
        slots[index].startNanos = startNanos
        slots[index].status = 0
        slots[index].timedOut = false
        slots[index].requestBody = requestBody
        slots[index].responseBodyIsStale = true
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: h2ClientReadRequestBody)
        let streamID = withUnsafePointer(to: &provider) { provider in
            nghttp2_submit_request(
                session, nil, template.headers, template.headerCount,
                requestBody == nil ? nil : provider, UnsafeMutableRawPointer(bitPattern: index + 1))
        }
        guard streamID > 0 else {
            slots[index].inUse = false
            slots[index].requestBody = nil
            freeSlots.append(index)
            return false
        }
        slots[index].streamID = streamID
        inFlight += 1
        return true
    }

    /// Drains nghttp2's output into one buffer and writes it with one flush; closes when the session is done.
    func flush() {
        guard callbackDepth == 0, let session, let context, !isClosed else { return }
        var output: ByteBuffer?
        callbackDepth += 1
        while true {
            var chunk: UnsafePointer<UInt8>?
            let length = nghttp2_session_mem_send(session, &chunk)
            if length < 0 {
                callbackDepth -= 1
                fail(.protocolError(String(cString: nghttp2_strerror(Int32(length)))))
                return
            }
            guard length > 0, let chunk else { break }
            if output == nil { output = context.channel.allocator.buffer(capacity: Swift.max(length, 16_384)) }
            output!.writeBytes(UnsafeRawBufferPointer(start: chunk, count: length))
        }
        callbackDepth -= 1
        if let output { context.writeAndFlush(wrapOutboundOut(output), promise: nil) }
        if nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0 {
            if closeReason == nil && inFlight > 0 { closeReason = .connectionClosed }
            close()
        }
    }

    /// Cancels (RST_STREAM CANCEL) every stream started before `deadline`; each is reported with `.timeout`.
    /// A stream already cancelled once that nghttp2 has still not closed (the peer stalls) is completed here.
    func expireStreams(startedBefore deadline: UInt64) {
        guard let session, !isClosed else { return }
        let now = H2ClientClock.nowNanos()
        for index in slots.indices where slots[index].inUse && slots[index].startNanos < deadline {
            if !slots[index].timedOut {
                slots[index].timedOut = true
                slots[index].timedOutAtNanos = now
                nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), slots[index].streamID, NGHTTP2_CANCEL.rawValue)
            } else if now &- slots[index].timedOutAtNanos > 1_000_000_000 {
                finishStream(slot: index, error: .timeout)
            }
        }
        flush()
    }

    func close() {
        guard let context, !isClosed else { return }
        context.close(promise: nil)
    }

    /// Records the first failure cause and closes the channel (in-flight streams fail in `channelInactive`).
    func fail(_ error: H2ClientTransportError) {
        if closeReason == nil { closeReason = error }
        if connection == nil { readyPromise.fail(error) }
        close()
    }

    // MARK: Stream completion

    /// Frees the slot first (so the delegate can submit into it) and then reports the stream.
    func finishStream(slot index: Int, error: H2ClientTransportError?) {
        let slot = slots[index]
        slots[index].inUse = false
        slots[index].requestBody = nil
        if configuration.collectHeaders { slots[index].headers = [] }
        freeSlots.append(index)
        inFlight -= 1
        let response = H2ClientResponse(
            tag: slot.tag, status: slot.status, headers: slot.headers,
            body: slot.responseBodyIsStale ? emptyBody : slot.responseBody,
            startNanos: slot.startNanos, endNanos: H2ClientClock.nowNanos(), error: error)
        if let connection { delegate?.h2Client(connection, didFinish: response) }
    }

    private func failAllStreams(with error: H2ClientTransportError) {
        for index in slots.indices where slots[index].inUse {
            finishStream(slot: index, error: slots[index].timedOut ? .timeout : error)
        }
    }

    static func classify(_ error: any Error) -> H2ClientTransportError {
        if let transport = error as? H2ClientTransportError { return transport }
        if error is NIOSSLError || error is BoringSSLError { return .tls(String(describing: error)) }
        if let ioError = error as? IOError {
            return ioError.errnoCode == ECONNREFUSED ? .connectionRefused : .io(String(describing: ioError))
        }
        if let connectError = error as? NIOConnectionError {
            if connectError.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) {
                return .connectionRefused
            }
            if let first = connectError.connectionErrors.first { return classify(first.error) }
            return .io(String(describing: connectError))
        }
        if case ChannelError.connectTimeout = error { return .connectTimeout }
        return .io(String(describing: error))
    }
}
