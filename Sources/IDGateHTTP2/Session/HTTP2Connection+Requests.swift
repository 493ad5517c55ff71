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
        state.open(id: frame.hd.stream_id)
        state.activeIndex = active.count
        active.append(state)
        nghttp2_session_set_stream_user_data(session, frame.hd.stream_id, Unmanaged.passUnretained(state).toOpaque())
        headerBlockStream = Unmanaged.passUnretained(state)
        headerBlock = StreamState.HeaderBlock()
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
        guard state.id == frame.hd.stream_id else { return 0 }
        let limit = server.limits.maxHeaderListSize
        // Past the limit: keep decoding (HPACK state must stay in sync) but store nothing more: answered with 431.
        guard headerBlock.listSize <= limit else { return 0 }
        headerBlock.listSize += name.count + value.count + 32
        guard headerBlock.listSize <= limit else { return 0 }
        if name.first == UInt8(ascii: ":") {
            if name.count == 7 && name[1] == UInt8(ascii: "m") {
                headerBlock.method = HTTPMethod(bytes: value)
            } else if name.count == 5 && name[1] == UInt8(ascii: "p") {
                headerBlock.target = state.storeTarget(value)
            }
        } else {
            state.appendHeaderField(name: name, value: value)
        }
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
            let now = NIODeadline.now().uptimeNanoseconds
            if let state = stream(frame.hd.stream_id), Self.isRapidReset(of: state, now: now) { limitResetRate(now: now) }
        default:
            break
        }
        return 0
    }

    /// A client's reset counts toward the rapid-reset limit when its stream has not reached a handler, or its request
    /// (header block) arrived less than this long ago.
    ///
    /// Why: rapid reset (CVE-2023-44487) opens streams and cancels them at once, so the concurrency limit never
    /// bounds the work it starts. A client that cancels requests a handler has been working on for a while (timed-out
    /// requests of an overloaded server) is bounded by that limit like any client: at most `maxConcurrentStreams`
    /// such cancellations per window. Counting them closed every connection of clients whose requests timed out.
    static let rapidResetWindowNanos: UInt64 = 100_000_000

    ///
    /// A stream already answered 503 is not counted either: an overloaded server sheds requests that waited in its
    /// queue (503 `overloaded`, microseconds, no work begun), and a client whose requests waited there cancels them
    /// when its timeout fires. The server then reads request and cancel in one burst, as from an attacker, but the
    /// refusal was all the work there was: counting those resets closed the connections of clients that were only
    /// timing out against an overloaded server.
    static func isRapidReset(of state: StreamState, now: UInt64) -> Bool {
        if case .responding(_, let response) = state.phase, response.status == HTTPStatus.serviceUnavailable.code { return false }
        guard let start = state.handledRequestStart else { return true }
        return now &- start < rapidResetWindowNanos
    }

    /// Rapid reset (CVE-2023-44487): a token bucket of resets of streams that had no handler yet or just opened
    /// (`isRapidReset`); when empty, GOAWAY ENHANCE_YOUR_CALM.
    private func limitResetRate(now: UInt64) {
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
        guard case .receivingHeaders = state.phase else { return }
        let block = headerBlock
        let startNanos = NIODeadline.now().uptimeNanoseconds
        func request(routeIndex: Int) -> StreamState.RequestHead {
            .init(method: block.method, target: block.target, routeIndex: routeIndex, startNanos: startNanos)
        }
        let limits = server.limits
        if block.listSize > limits.maxHeaderListSize {
            return reject(state, request(routeIndex: -1), endStream: endStream, .requestHeaderFieldsTooLarge,
                          "header_list_too_large", "request headers exceed \(limits.maxHeaderListSize) bytes")
        }
        let match = state.withPath(block.target) { path in
            server.router.match(block.method, path: path)
        }
        let routeIndex: Int
        switch match {
        case .notFound:
            return reject(state, request(routeIndex: -1), endStream: endStream, .notFound, "not_found",
                          "no route for this path")
        case .methodNotAllowed(let index):
            return reject(state, request(routeIndex: index), endStream: endStream, .methodNotAllowed,
                          "method_not_allowed", "method not allowed on this path")
        case .route(let index):
            routeIndex = index
        }
        let head = request(routeIndex: routeIndex)
        let route = server.router[routeIndex]
        if !state.withHeaderValue("content-type", route.accepts(contentType:)) {
            return reject(state, head, endStream: endStream, .unsupportedMediaType, "unsupported_media_type",
                          "content-type must be \(String(decoding: route.contentType ?? [], as: UTF8.self))")
        }
        switch route.action {
        case .complete:
            let declaredLength = state.withHeaderValue("content-length") { $0.flatMap(Int.init(decimal:)) }
            if let declaredLength, declaredLength > limits.maxRequestBodyBytes {
                return rejectBodyTooLarge(state, head, endStream: endStream)
            }
            state.phase = .receivingBody(head)
            if endStream { dispatch(state, head) }
        case .streaming(let start):
            // The handler has the request while it starts (it may answer at once); the body follows once it exists.
            state.phase = .handlerHasRequest(head)
            let handler = start(makeRequest(state, head), ResponseWriter(connection: self, state: state), loopContext)
            startUpload(state, StreamState.Upload(handler: handler, isComplete: endStream))
            if endStream { handler.didFinish() }
        }
    }

    /// Hands the body of a started streaming route to its handler (which may have answered already).
    private func startUpload(_ state: StreamState, _ upload: StreamState.Upload) {
        switch state.phase {
        case .handlerHasRequest(let request):
            state.phase = .streamingBody(request, upload)
        case .responding(let request, var response):
            response.input = .streaming(upload)
            state.phase = .responding(request, response)
        case .closed, .receivingHeaders, .receivingBody, .streamingBody:
            break
        }
    }

    private func requestComplete(_ state: StreamState) {
        switch state.phase {
        case .receivingBody(let request):
            dispatch(state, request)
        case .streamingBody(let request, var upload):
            upload.isComplete = true
            state.phase = .streamingBody(request, upload)
            upload.handler.didFinish()
        case .responding(let request, var response):
            switch response.input {
            case .streaming(var upload):
                upload.isComplete = true
                response.input = .streaming(upload)
                state.phase = .responding(request, response)
                upload.handler.didFinish()
            case .draining:
                response.input = .complete
                state.phase = .responding(request, response)
            case .complete, .drainStopped:
                break
            }
        case .closed, .receivingHeaders, .handlerHasRequest:
            break
        }
    }

    private func dispatch(_ state: StreamState, _ request: StreamState.RequestHead) {
        state.phase = .handlerHasRequest(request)
        guard case .complete(let handler) = server.router[request.routeIndex].action else { return }
        handler(makeRequest(state, request), ResponseWriter(connection: self, state: state), loopContext)
    }

    private func makeRequest(_ state: StreamState, _ request: StreamState.RequestHead) -> HTTPRequest {
        HTTPRequest(
            method: request.method, headers: state.requestHeaders, body: state.requestBody, peer: peer,
            remoteAddress: remoteAddress, eventLoop: eventLoop, streamID: state.id, pathStart: request.target.start,
            pathLength: request.target.length, queryStart: request.target.queryStart,
            // A body completed in a later burst than its header block waited from that burst's start (counted 0).
            loopWait: burstClock.wait(at: request.startNanos))
    }

    func receiveData(streamID: Int32, _ data: UnsafeRawBufferPointer) -> Int32 {
        guard let session else { return 0 }
        guard let state = stream(streamID) else {
            _ = nghttp2_session_consume_connection(session, data.count)
            return 0
        }
        switch state.phase {
        case .receivingBody(let request):
            _ = nghttp2_session_consume(session, streamID, data.count)
            if state.requestBody.readableBytes + data.count > server.limits.maxRequestBodyBytes {
                rejectBodyTooLarge(state, request, endStream: false)
            } else {
                state.requestBody.writeBytes(data)
            }
        case .streamingBody(let request, var upload):
            upload.unconsumedBytes += data.count
            state.phase = .streamingBody(request, upload)
            deliver(data, to: upload.handler)
        case .responding(let request, var response):
            switch response.input {
            case .streaming(var upload):
                upload.unconsumedBytes += data.count
                response.input = .streaming(upload)
                state.phase = .responding(request, response)
                deliver(data, to: upload.handler)
            case .draining(let discardedBytes):
                _ = nghttp2_session_consume(session, streamID, data.count)
                response.input = .draining(discardedBytes: discardedBytes + data.count)
                state.phase = .responding(request, response)
                stopDiscardingIfNeeded(state)
            case .complete, .drainStopped:
                _ = nghttp2_session_consume(session, streamID, data.count)
            }
        case .closed, .receivingHeaders, .handlerHasRequest:
            _ = nghttp2_session_consume(session, streamID, data.count)
        }
        return 0
    }

    private func deliver(_ data: UnsafeRawBufferPointer, to handler: any StreamingBodyHandler) {
        var chunk = context?.channel.allocator.buffer(capacity: data.count) ?? ByteBuffer()
        chunk.writeBytes(data)
        handler.didReceive(chunk)
    }

    /// RFC 9113 §8.1: after a complete response, a server may end the request with RST_STREAM(NO_ERROR).
    func stopDiscardingIfNeeded(_ state: StreamState) {
        let stop = state.updateResponse { _, response -> Bool in
            guard case .sent = response.body, case .draining(let discardedBytes) = response.input,
                  discardedBytes > StreamState.discardLimit else { return false }
            response.input = .drainStopped
            return true
        }
        guard stop == true else { return }
        _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), state.id, NGHTTP2_NO_ERROR.rawValue)
    }

    /// Handlers acknowledged streaming body bytes: re-open the windows by that much.
    func consumeRequestBody(streamID: Int32, byteCount: Int) {
        guard let session, let state = stream(streamID) else { return }
        var count = 0
        switch state.phase {
        case .streamingBody(let request, var upload):
            count = min(byteCount, upload.unconsumedBytes)
            upload.unconsumedBytes -= count
            state.phase = .streamingBody(request, upload)
        case .responding(let request, var response):
            guard case .streaming(var upload) = response.input else { return }
            count = min(byteCount, upload.unconsumedBytes)
            upload.unconsumedBytes -= count
            response.input = .streaming(upload)
            state.phase = .responding(request, response)
        case .closed, .receivingHeaders, .receivingBody, .handlerHasRequest:
            return
        }
        _ = nghttp2_session_consume(session, streamID, count)
        scheduleSend()
    }

    private func rejectBodyTooLarge(_ state: StreamState, _ request: StreamState.RequestHead, endStream: Bool) {
        state.requestBody.clear()
        reject(state, request, endStream: endStream, .payloadTooLarge, "body_too_large",
               "request body exceeds \(server.limits.maxRequestBodyBytes) bytes")
    }

    /// The server answers the stream itself; any remaining body is read and discarded.
    private func reject(
        _ state: StreamState, _ request: StreamState.RequestHead, endStream: Bool, _ status: HTTPStatus,
        _ code: String, _ message: String
    ) {
        let body: ByteBuffer
        if request.routeIndex >= 0, status == .payloadTooLarge || status == .unsupportedMediaType,
           let routeRejectionBody = server.router.routeRejectionBody
        {
            let rejection = RouteRejection(
                path: server.router[request.routeIndex].path, status: status, code: code, message: message,
                request: makeRequest(state, request))
            body = routeRejectionBody(rejection, loopContext)
        } else {
            body = server.router.rejectionBody(code, message, loopContext)
        }
        submitResponse(state, request, byHandler: false, input: endStream ? .complete : .draining(discardedBytes: 0),
                       status: status, headers: .json, body: .buffer(body))
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
