import CNGHTTP2
import NIOCore

/// Request side: stream state from HEADERS, header decoding, routing, body accumulation and dispatch.
extension HTTP2Connection {
    @inline(__always)
    func stream(_ streamID: Int32) -> StreamState? {
        guard let session, let pointer = nghttp2_session_get_stream_user_data(session, streamID) else { return nil }
        return Unmanaged<StreamState>.fromOpaque(pointer).takeUnretainedValue()
    }

    func beginHeaders(_ frame: nghttp2_frame) -> Int32 {
        guard frame.hd.type == UInt8(frameConstant: NGHTTP2_HEADERS.rawValue),
              frame.headers.cat == NGHTTP2_HCAT_REQUEST else { return 0 }
        let state = pool.popLast() ?? StreamState()
        state.reset(id: frame.hd.stream_id)
        state.activeIndex = active.count
        active.append(state)
        nghttp2_session_set_stream_user_data(session, frame.hd.stream_id, Unmanaged.passUnretained(state).toOpaque())
        headerBlockStream = Unmanaged.passUnretained(state)
        server.stats.openStreamsCounter.wrappingAdd(1, ordering: .relaxed)
        server.stats.requestsCounter.wrappingAdd(1, ordering: .relaxed)
        return 0
    }

    func receiveHeader(_ frame: nghttp2_frame, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Int32 {
        // Trailers (a second HEADERS frame) are ignored.
        guard frame.headers.cat == NGHTTP2_HCAT_REQUEST, let stream = headerBlockStream else { return 0 }
        return stream._withUnsafeGuaranteedRef { receiveHeader(frame, name: name, value: value, into: $0) }
    }

    private func receiveHeader(
        _ frame: nghttp2_frame, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, into state: StreamState
    ) -> Int32 {
        guard state.id == frame.hd.stream_id, !state.headerListTooLarge else { return 0 }
        state.headerListSize += name.count + value.count + 32
        if state.headerListSize > server.limits.maxHeaderListSize {
            // Keep decoding (HPACK state must stay in sync) but store nothing more: answered with 431.
            state.headerListTooLarge = true
            return 0
        }
        if name.first == UInt8(ascii: ":") {
            if name.count == 7 && name[1] == UInt8(ascii: "m") {
                state.method = HTTPMethod(bytes: value)
            } else if name.count == 5 && name[1] == UInt8(ascii: "p") {
                let start = UInt32(state.storage.writerIndex)
                state.storage.writeBytes(value)
                state.pathStart = start
                state.pathLength = UInt32(value.count)
                state.queryStart = start + UInt32(value.firstIndex(of: UInt8(ascii: "?")) ?? value.count)
            }
            return 0
        }
        let nameStart = UInt32(state.storage.writerIndex)
        state.storage.writeBytes(name)
        let valueStart = UInt32(state.storage.writerIndex)
        state.storage.writeBytes(value)
        state.ranges.append(.init(
            nameStart: nameStart, nameLength: UInt32(name.count), valueStart: valueStart, valueLength: UInt32(value.count)))
        return 0
    }

    func receiveFrame(_ frame: nghttp2_frame) -> Int32 {
        let endStream = frame.hd.flags & UInt8(frameConstant: NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch UInt32(frame.hd.type) {
        case NGHTTP2_HEADERS.rawValue:
            guard let state = stream(frame.hd.stream_id) else { return 0 }
            if frame.headers.cat == NGHTTP2_HCAT_REQUEST {
                headersComplete(state, endStream: endStream)
            } else if endStream {
                requestComplete(state)
            }
        case NGHTTP2_DATA.rawValue:
            if endStream, let state = stream(frame.hd.stream_id) { requestComplete(state) }
        case NGHTTP2_RST_STREAM.rawValue:
            server.stats.resetsReceivedCounter.wrappingAdd(1, ordering: .relaxed)
            limitResetRate()
        default:
            break
        }
        return 0
    }

    /// Rapid reset (CVE-2023-44487): a token bucket of RST_STREAM frames; when empty, GOAWAY ENHANCE_YOUR_CALM.
    private func limitResetRate() {
        let now = NIODeadline.now().uptimeNanoseconds
        let limits = server.limits
        if resetTokensRefilledNanos != 0 {
            let earned = Double(now &- resetTokensRefilledNanos) / 1e9 * Double(limits.resetsPerSecond)
            resetTokens = min(Double(limits.resetBurst), resetTokens + earned)
        }
        resetTokensRefilledNanos = now
        resetTokens -= 1
        if resetTokens < 0, let session {
            server.logger.notice("rapid reset: closing connection", metadata: ["remote": "\(addressKey)"])
            _ = nghttp2_session_terminate_session(session, NGHTTP2_ENHANCE_YOUR_CALM.rawValue)
        }
    }

    private func headersComplete(_ state: StreamState, endStream: Bool) {
        state.startNanos = NIODeadline.now().uptimeNanoseconds
        state.requestComplete = endStream
        let limits = server.limits
        if state.headerListTooLarge {
            return reject(state, .requestHeaderFieldsTooLarge, "header_list_too_large",
                          "request headers exceed \(limits.maxHeaderListSize) bytes")
        }
        let match = state.storage.withUnsafeReadableBytes { bytes in
            server.router.match(state.method, path: UnsafeRawBufferPointer(
                rebasing: bytes[Int(state.pathStart)..<Int(state.queryStart)]))
        }
        let routeIndex: Int
        switch match {
        case .notFound:
            return reject(state, .notFound, "not_found", "no route for this path")
        case .methodNotAllowed(let index):
            state.routeIndex = index
            return reject(state, .methodNotAllowed, "method_not_allowed", "method not allowed on this path")
        case .route(let index):
            routeIndex = index
        }
        state.routeIndex = routeIndex
        let route = server.router[routeIndex]
        if !state.withHeaderValue("content-type", route.accepts(contentType:)) {
            return reject(state, .unsupportedMediaType, "unsupported_media_type",
                          "content-type must be \(String(decoding: route.contentType ?? [], as: UTF8.self))")
        }
        switch route.action {
        case .complete:
            let declaredLength = state.withHeaderValue("content-length") { $0.flatMap(Int.init(decimal:)) }
            if let declaredLength, declaredLength > limits.maxRequestBodyBytes {
                return rejectBodyTooLarge(state)
            }
            state.phase = .receivingBody
            if endStream { dispatch(state) }
        case .streaming(let start):
            state.phase = .streamingBody
            let handler = start(makeRequest(state), ResponseWriter(connection: self, state: state), loopContext)
            state.streamingHandler = handler
            if endStream { handler.didFinish() }
        }
    }

    private func requestComplete(_ state: StreamState) {
        state.requestComplete = true
        switch state.phase {
        case .receivingBody: dispatch(state)
        case .streamingBody: state.streamingHandler?.didFinish()
        default: break
        }
    }

    private func dispatch(_ state: StreamState) {
        state.phase = .dispatched
        guard case .complete(let handler) = server.router[state.routeIndex].action else { return }
        handler(makeRequest(state), ResponseWriter(connection: self, state: state), loopContext)
    }

    private func makeRequest(_ state: StreamState) -> HTTPRequest {
        HTTPRequest(
            method: state.method, headers: HTTPRequestHeaders(storage: state.storage, ranges: state.ranges),
            body: state.body, peer: peer, remoteAddress: remoteAddress, eventLoop: eventLoop, streamID: state.id,
            pathStart: state.pathStart, pathLength: state.pathLength, queryStart: state.queryStart)
    }

    func receiveData(streamID: Int32, _ data: UnsafeRawBufferPointer) -> Int32 {
        guard let session else { return 0 }
        guard let state = stream(streamID) else {
            _ = nghttp2_session_consume_connection(session, data.count)
            return 0
        }
        switch state.phase {
        case .receivingBody:
            _ = nghttp2_session_consume(session, streamID, data.count)
            if state.body.readableBytes + data.count > server.limits.maxRequestBodyBytes {
                rejectBodyTooLarge(state)
            } else {
                state.body.writeBytes(data)
            }
        case .streamingBody:
            state.unconsumedBytes += data.count
            var chunk = context?.channel.allocator.buffer(capacity: data.count) ?? ByteBuffer()
            chunk.writeBytes(data)
            state.streamingHandler?.didReceive(chunk)
        case .rejected:
            _ = nghttp2_session_consume(session, streamID, data.count)
            state.discardedBytes += data.count
            stopDiscardingIfNeeded(state)
        case .receivingHeaders, .dispatched:
            _ = nghttp2_session_consume(session, streamID, data.count)
        }
        return 0
    }

    /// RFC 9113 §8.1: after a complete response, a server may end the request with RST_STREAM(NO_ERROR).
    func stopDiscardingIfNeeded(_ state: StreamState) {
        guard state.responseSent, !state.requestComplete, state.discardedBytes > StreamState.discardLimit else { return }
        state.discardedBytes = -Int.max  // once
        _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), state.id, NGHTTP2_NO_ERROR.rawValue)
    }

    /// Handlers acknowledged streaming body bytes: re-open the windows by that much.
    func consumeRequestBody(streamID: Int32, byteCount: Int) {
        guard let session, let state = stream(streamID) else { return }
        let count = min(byteCount, state.unconsumedBytes)
        state.unconsumedBytes -= count
        _ = nghttp2_session_consume(session, streamID, count)
        scheduleSend()
    }

    private func rejectBodyTooLarge(_ state: StreamState) {
        state.body.clear()
        reject(state, .payloadTooLarge, "body_too_large",
               "request body exceeds \(server.limits.maxRequestBodyBytes) bytes")
    }

    /// The server answers the stream itself; any remaining body is read and discarded.
    private func reject(_ state: StreamState, _ status: HTTPStatus, _ code: String, _ message: String) {
        state.phase = .rejected
        submitResponse(state, status: status, headers: .json, body: server.router.rejectionBody(code, message, loopContext), streaming: false)
    }
}

extension Int {
    /// Parses ASCII decimal digits in place; nil for anything else or overflow.
    init?(decimal bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        self = value
    }
}
