import NIOCore

/// Answers one request stream. Cheap to copy and `Sendable`: call it synchronously inside the handler (no thread
/// hop, the response leaves with the read burst's single flush) or later from any thread (it hops to the
/// connection's event loop). Only the first response counts; calls after the stream closed are ignored.
public struct ResponseWriter: Sendable {
    let connection: HTTP2Connection
    /// The HTTP/2 stream this writer answers.
    public let streamID: Int32
    /// The stream's state, touched only on the connection's loop (see `StreamState.isOpen`).
    private let stream: NIOLoopBound<StreamState>

    init(connection: HTTP2Connection, state: StreamState) {
        self.connection = connection
        self.streamID = state.id
        self.stream = NIOLoopBound(state, eventLoop: connection.eventLoop)
    }

    /// The stream's state while it is open; call on the loop.
    private var openState: StreamState? { connection.openStream(stream.value, id: streamID) }

    /// The event loop of the connection: work scheduled here needs no hop to respond.
    public var eventLoop: any EventLoop { connection.eventLoop }

    /// Identifies the connection (e.g. to group its answers); unique while the connection lives.
    public var connectionID: ObjectIdentifier { ObjectIdentifier(connection) }

    /// The bytes of the HPACK dynamic table that encodes this connection's response headers: the client's
    /// `SETTINGS_HEADER_TABLE_SIZE`, at most nghttp2's encoder limit (4,096). A header value shared by many responses
    /// is only sent as a table index if it fits (nghttp2 indexes fields up to 3/4 of the table). Call on `eventLoop`.
    public var headerTableSize: Int { connection.headerTableSize }

    /// Sends a complete response with `content-length`. `body` is sent as flow control allows.
    public func respond(status: HTTPStatus, headers: HTTPResponseHeaders = HTTPResponseHeaders(), body: ByteBuffer = ByteBuffer()) {
        // The fast path calls straight through: no closure context to allocate.
        if connection.eventLoop.inEventLoop {
            guard let state = openState else { return }
            connection.submitResponse(state, status: status, headers: headers, body: body, streaming: false)
        } else {
            let writer = self
            onLoop { connection in
                guard let state = writer.openState else { return }
                connection.submitResponse(state, status: status, headers: headers, body: body, streaming: false)
            }
        }
    }

    /// Sends a complete response whose body is copied from `bodyBytes` (valid only during the call) into memory the
    /// stream keeps pooled: no allocation per response on the event loop (from another thread: one copy and a hop).
    public func respond(status: HTTPStatus, headers: HTTPResponseHeaders = HTTPResponseHeaders(), bodyBytes: UnsafeRawBufferPointer) {
        if connection.eventLoop.inEventLoop {
            guard let state = openState else { return }
            connection.submitResponse(state, status: status, headers: headers, bodyBytes: bodyBytes)
        } else {
            respond(status: status, headers: headers, body: ByteBuffer(bytes: bodyBytes))
        }
    }

    /// Copies `bytes` into the stream's pooled body memory now, for `respondWithStagedBody` later: an answer that
    /// waits (for its signature, its audit commit) is copied once, while it is still in cache, instead of into a
    /// holding buffer and later again, cold, into the stream. False if the stream is closed or this is not its
    /// event loop (then nothing was staged).
    public func stageBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard connection.eventLoop.inEventLoop, let state = openState else { return false }
        return connection.stageResponseBody(state, bytes: bytes)
    }

    /// Sends a complete response whose body was staged by `stageBody`; call on the event loop. Does nothing if the
    /// stream closed meanwhile.
    public func respondWithStagedBody(status: HTTPStatus, headers: HTTPResponseHeaders = HTTPResponseHeaders()) {
        guard let state = openState else { return }
        connection.submitStagedResponse(state, status: status, headers: headers)
    }

    /// Sends an error in the API.md format: `{"error": {"code", "message", "field"?}}` as `application/json`.
    public func respondError(status: HTTPStatus, code: String, message: String, field: String? = nil, headers: HTTPResponseHeaders = .json) {
        respond(status: status, headers: headers, body: HTTPErrorBody.make(code: code, message: message, field: field))
    }

    /// Sends the response headers now and the body in pieces through the returned stream (no `content-length`).
    public func startStreaming(status: HTTPStatus, headers: HTTPResponseHeaders = HTTPResponseHeaders()) -> ResponseBodyStream {
        let writer = self
        onLoop { connection in
            guard let state = writer.openState else { return }
            connection.submitResponse(state, status: status, headers: headers, body: ByteBuffer(), streaming: true)
        }
        return ResponseBodyStream(writer: self)
    }

    /// For streaming-body routes: the handler is done with `byteCount` request body bytes, so the client may
    /// send that many more (re-opens the stream and connection flow-control windows).
    public func consumed(_ byteCount: Int) {
        guard byteCount > 0 else { return }
        onLoop { $0.consumeRequestBody(streamID: streamID, byteCount: byteCount) }
    }

    func onLoop(_ body: @escaping @Sendable (HTTP2Connection) -> Void) {
        let connection = connection
        if connection.eventLoop.inEventLoop {
            body(connection)
        } else if connection.server.loopsRunning.load(ordering: .relaxed) {
            connection.eventLoop.execute { body(connection) }
        }
    }
}

/// The body of a streaming response. Each `write` returns a future that succeeds once the stream's buffered
/// bytes are below `HTTP2Limits.responseBufferHighWatermark` (the client reads and its flow-control window
/// opens): wait for it before producing more, and memory stays bounded. The future fails if the stream is reset.
public struct ResponseBodyStream: Sendable {
    let writer: ResponseWriter

    public var eventLoop: any EventLoop { writer.eventLoop }

    /// Appends `chunk` to the response body. Callable from any thread.
    @discardableResult
    public func write(_ chunk: ByteBuffer) -> EventLoopFuture<Void> {
        let promise = writer.eventLoop.makePromise(of: Void.self)
        let streamID = writer.streamID
        writer.onLoop { $0.appendResponseBody(streamID: streamID, chunk: chunk, finish: false, promise: promise) }
        return promise.futureResult
    }

    /// Ends the response body (END_STREAM). Callable from any thread.
    public func finish() {
        let streamID = writer.streamID
        writer.onLoop { $0.appendResponseBody(streamID: streamID, chunk: nil, finish: true, promise: nil) }
    }

    /// Abandons the response: resets the stream (RST_STREAM INTERNAL_ERROR) so the client knows the body it got is
    /// incomplete. Callable from any thread; does nothing once the stream has closed.
    public func abort() {
        let streamID = writer.streamID
        writer.onLoop { $0.abortResponse(streamID: streamID) }
    }
}

/// Why a streaming response write failed.
public enum HTTP2StreamError: Error, Sendable {
    /// The stream was reset or the connection closed before the data could be sent.
    case streamClosed
}
