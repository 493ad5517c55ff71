import CNGHTTP2
import NIOCore

/// Response side: header blocks, the body data source with flow control, stream completion.
extension HTTP2Connection {
    /// The state of the writer's stream if that stream is still open.
    @inline(__always)
    func openStream(_ state: StreamState, id: Int32) -> StreamState? {
        state.isOpen && state.id == id ? state : nil
    }

    /// A handler's answer; ignored unless the handler has the request and has not answered yet.
    func submitResponse(_ state: StreamState, status: HTTPStatus, headers: HTTPResponseHeaders, body: ByteBuffer, streaming: Bool) {
        guard let (request, input) = state.unanswered else { return }
        submitResponse(state, request, byHandler: true, input: input, status: status, headers: headers,
                       body: streaming ? .streaming(.open) : .buffer(body))
    }

    /// Sends `bodyBytes` from the stream's pooled body memory (see `StreamState.responseBody`).
    func submitResponse(_ state: StreamState, status: HTTPStatus, headers: HTTPResponseHeaders, bodyBytes: UnsafeRawBufferPointer) {
        guard stageResponseBody(state, bytes: bodyBytes) else { return }
        submitStagedResponse(state, status: status, headers: headers)
    }

    /// Copies a response body into the stream's pooled memory (see `ResponseWriter.stageBody`).
    func stageResponseBody(_ state: StreamState, bytes: UnsafeRawBufferPointer) -> Bool {
        guard state.awaitsApplication else { return false }
        state.responseBody.clear()
        state.responseBody.writeBytes(bytes)
        return true
    }

    /// Sends the body `stageResponseBody` put into the stream's pooled memory.
    func submitStagedResponse(_ state: StreamState, status: HTTPStatus, headers: HTTPResponseHeaders) {
        guard let (request, input) = state.unanswered else { return }
        submitResponse(state, request, byHandler: true, input: input, status: status, headers: headers,
                       body: .staged)
    }

    /// Submits the HEADERS (and the data source of the body) and moves the stream to `.responding`.
    func submitResponse(
        _ state: StreamState, _ request: StreamState.RequestHead, byHandler: Bool, input: StreamState.RequestInput,
        status: HTTPStatus, headers: HTTPResponseHeaders, body: StreamState.ResponseBody
    ) {
        guard let session else { return }
        let streamID = state.id
        let contentLength: Int?
        switch body {
        case .streaming:
            state.responseBody.clear()  // nothing staged is part of a streamed body
            contentLength = nil
        case .staged: contentLength = state.responseBody.readableBytes
        case .buffer(let buffer): contentLength = buffer.readableBytes
        case .empty, .sent: contentLength = 0
        }

        let fieldCount = headers.count + (contentLength == nil ? 1 : 2)
        var writer = headers.fields.withUnsafeBufferPointer { fields in
            // Fields are read in place (no copy of each name and value, no reference counting per field).
            var byteCount = 32 + 20
            for index in fields.indices { byteCount += fields[index].name.utf8.count + fields[index].value.utf8.count }
            if let shared = headers.sharedField { byteCount += shared.name.utf8.count }
            reserveHeaderScratch(fields: fieldCount, bytes: byteCount)
            var writer = HeaderBlockWriter(fields: headerFields, bytes: headerBytes)
            writer.append(name: ":status", value: status.code)
            for index in fields.indices {
                writer.append(name: fields[index].name, value: fields[index].value, neverIndexed: headers.isNeverIndexed(index))
            }
            return writer
        }
        if let shared = headers.sharedField {
            // nghttp2 reads the value in place until the HEADERS frame is packed; the stream keeps it alive.
            writer.append(name: shared.name, sharedValue: shared.value)
        }
        if let contentLength { writer.append(name: "content-length", value: contentLength) }

        // A HEAD response announces the body's length but carries none.
        let sentBody: StreamState.ResponseBody = request.method == .HEAD || contentLength == 0 ? .empty : body
        state.phase = .responding(request, .init(
            status: status.code, byHandler: byHandler, body: sentBody, sharedHeaderValue: headers.sharedField?.value,
            input: input))
        if case .empty = sentBody {
            _ = nghttp2_submit_response(session, streamID, headerFields, writer.count, nil)
        } else {
            // The data source carries the state: the read callback needs no stream map lookup.
            var provider = nghttp2_data_provider(
                source: nghttp2_data_source(ptr: Unmanaged.passUnretained(state).toOpaque()),
                read_callback: HTTP2Connection.dataSourceRead)
            _ = nghttp2_submit_response(session, streamID, headerFields, writer.count, &provider)
        }
        scheduleSend()
    }

    /// See `ResponseWriter.headerTableSize`.
    var headerTableSize: Int {
        guard let session else { return 0 }
        let peer = Int(nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_HEADER_TABLE_SIZE))
        return min(peer, Self.headerEncoderTableLimit)
    }

    /// nghttp2's default limit on the encoder's dynamic table (`nghttp2_option_set_max_deflate_dynamic_table_size`).
    static let headerEncoderTableLimit = 4096

    private func reserveHeaderScratch(fields: Int, bytes: Int) {
        if fields > headerFieldCapacity {
            headerFields.deallocate()
            headerFieldCapacity = fields * 2
            headerFields = .allocate(capacity: headerFieldCapacity)
        }
        if bytes > headerByteCapacity {
            headerBytes.deallocate()
            headerByteCapacity = bytes * 2
            headerBytes = .allocate(byteCount: headerByteCapacity, alignment: 1)
        }
    }

    /// Ends a stream whose response cannot be completed (RST_STREAM INTERNAL_ERROR): the client sees a failed
    /// exchange instead of a truncated body that looks finished or a stream that never ends.
    func abortResponse(streamID: Int32) {
        guard let session, let state = stream(streamID) else { return }
        state.updateResponse { _, response in
            if case .streaming = response.body { response.body = .streaming(.finished) }  // later writes fail
        }
        _ = nghttp2_submit_rst_stream(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, NGHTTP2_INTERNAL_ERROR.rawValue)
        scheduleSend()
    }

    func appendResponseBody(streamID: Int32, chunk: ByteBuffer?, finish: Bool, promise: EventLoopPromise<Void>?) {
        guard let session, let state = stream(streamID),
              let end = state.updateResponse({ _, response -> StreamState.StreamingEnd? in
                  guard case .streaming(let end) = response.body, end != .finished else { return nil }
                  response.body = .streaming(finish ? .finished : .open)
                  return end
              }) ?? nil
        else {
            promise?.fail(HTTP2StreamError.streamClosed)
            return
        }
        if var chunk {
            // Reuse the buffer's memory instead of growing it: the sent bytes before the reader index are dead, and
            // a streamed body (a batch answer) would otherwise reallocate ever larger buffers (page faults).
            if state.responseBody.readableBytes == 0 {
                state.responseBody.clear()
            } else if state.responseBody.readerIndex > state.responseBody.capacity / 2 {
                state.responseBody.discardReadBytes()
            }
            state.responseBody.writeBuffer(&chunk)
        }
        if end == .deferred { _ = nghttp2_session_resume_data(session, streamID) }
        if let promise {
            if state.responseBody.readableBytes < server.limits.responseBufferHighWatermark {
                promise.succeed()
            } else {
                if state.writePromises.isEmpty { streamsWithWaiters += 1 }
                state.writePromises.append(promise)
            }
        }
        scheduleSend()
    }

    func readResponseBody(
        _ state: StreamState, streamID: Int32, into buffer: UnsafeMutablePointer<UInt8>, length: Int,
        flags: UnsafeMutablePointer<UInt32>
    ) -> Int {
        guard state.id == streamID else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
        let result = state.updateResponse { _, response -> Int in
            switch response.body {
            case .staged:
                let count = Self.move(from: &state.responseBody, into: buffer, length: length)
                if state.responseBody.readableBytes == 0 { flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue }
                return count
            case .buffer(var body):
                response.body = .sent  // `body` is the only reference while it is read
                let count = Self.move(from: &body, into: buffer, length: length)
                if body.readableBytes == 0 { flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue }
                response.body = .buffer(body)
                return count
            case .streaming(let end):
                let count = Self.move(from: &state.responseBody, into: buffer, length: length)
                if state.responseBody.readableBytes > 0 { return count }
                if end == .finished {
                    flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
                    return count
                }
                if count > 0 { return count }
                response.body = .streaming(.deferred)
                return Int(NGHTTP2_ERR_DEFERRED.rawValue)
            case .empty, .sent:
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
                return 0
            }
        }
        return result ?? Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
    }

    /// Copies up to `length` readable bytes of `source` into nghttp2's frame buffer.
    private static func move(from source: inout ByteBuffer, into buffer: UnsafeMutablePointer<UInt8>, length: Int) -> Int {
        let count = min(length, source.readableBytes)
        if count > 0 {
            source.withUnsafeReadableBytes { bytes in
                UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress!, byteCount: count)
            }
            source.moveReaderIndex(forwardBy: count)
        }
        return count
    }

    /// Completes `write` futures of streams whose buffered response fell below the high watermark.
    func wakeWriters() {
        let watermark = server.limits.responseBufferHighWatermark
        for state in active where !state.writePromises.isEmpty && state.responseBody.readableBytes < watermark {
            let promises = state.writePromises
            state.writePromises.removeAll(keepingCapacity: true)
            streamsWithWaiters -= 1
            for promise in promises { promise.succeed() }
        }
    }

    func sentFrame(_ frame: nghttp2_frame) -> Int32 {
        switch UInt32(frame.hd.type) {
        case NGHTTP2_HEADERS.rawValue, NGHTTP2_DATA.rawValue:
            if frame.hd.flags & UInt8(frameConstant: NGHTTP2_FLAG_END_STREAM.rawValue) != 0,
               let state = stream(frame.hd.stream_id), state.updateResponse({ _, response in response.body = .sent }) != nil {
                stopDiscardingIfNeeded(state)
            }
        case NGHTTP2_GOAWAY.rawValue:
            server.stats.goawaysSentCounter.wrappingAdd(1, ordering: .relaxed)
        case NGHTTP2_RST_STREAM.rawValue:
            if frame.rst_stream.error_code == NGHTTP2_REFUSED_STREAM.rawValue {
                server.stats.rejectedStreamsCounter.wrappingAdd(1, ordering: .relaxed)
            }
        default:
            break
        }
        return 0
    }

    func streamClosed(streamID: Int32, errorCode: UInt32) -> Int32 {
        if let state = stream(streamID) { finishStream(state, errorCode: errorCode) }
        return 0
    }

    /// Releases a stream: returns unconsumed window, tells a streaming handler it was cancelled, fails pending
    /// writes, reports the request, and puts the state back in the pool.
    func finishStream(_ state: StreamState, errorCode: UInt32) {
        // What the stream ended as: a streaming handler to tell (unless the exchange completed: whole body received,
        // whole answer sent), and the answer to report.
        var upload: StreamState.Upload?
        var completed = false
        var answered: (request: StreamState.RequestHead, status: Int)?
        switch state.close() {
        case .streamingBody(_, let started):
            upload = started
        case .responding(let request, let response):
            answered = (request, response.status)
            if case .streaming(let started) = response.input {
                upload = started
                if case .sent = response.body { completed = started.isComplete && errorCode == NGHTTP2_NO_ERROR.rawValue }
            }
        case .closed, .receivingHeaders, .receivingBody, .handlerHasRequest:
            break
        }
        if let session {
            nghttp2_session_set_stream_user_data(session, state.id, nil)
            if let upload, upload.unconsumedBytes > 0 {
                _ = nghttp2_session_consume_connection(session, upload.unconsumedBytes)
            }
        }
        let lastActive = active.removeLast()
        if lastActive !== state {
            active[state.activeIndex] = lastActive
            lastActive.activeIndex = state.activeIndex
        }
        server.stats.openStreamsCounter.wrappingAdd(-1, ordering: .relaxed)

        if let upload, !completed { upload.handler.didCancel() }
        if !state.writePromises.isEmpty {
            streamsWithWaiters -= 1
            for promise in state.writePromises { promise.fail(HTTP2StreamError.streamClosed) }
            state.writePromises.removeAll(keepingCapacity: true)
        }
        if let (request, status) = answered, let observer = server.observer {
            let index = request.routeIndex
            let route = CompletedRoute(index: index, path: index >= 0 ? server.router[index].path : "unmatched")
            observer(route, status, NIODeadline.now().uptimeNanoseconds &- request.startNanos, loopContext)
        }
        if headerBlockStream?.toOpaque() == Unmanaged.passUnretained(state).toOpaque() { headerBlockStream = nil }
        if pool.count < StreamState.pooledLimit(server.limits) { pool.append(state) }
    }
}

/// Writes `nghttp2_nv` entries whose bytes live in the connection's scratch memory.
struct HeaderBlockWriter {
    private let fields: UnsafeMutablePointer<nghttp2_nv>
    private var bytes: UnsafeMutableRawPointer
    private(set) var count = 0

    init(fields: UnsafeMutablePointer<nghttp2_nv>, bytes: UnsafeMutableRawPointer) {
        self.fields = fields
        self.bytes = bytes
    }

    mutating func append(name: String, value: String, neverIndexed: Bool = false) {
        let namePointer = copy(name, lowercased: true)
        let valuePointer = copy(value, lowercased: false)
        let flags = neverIndexed ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE
        fields[count] = nghttp2_nv(
            name: namePointer.pointer, value: valuePointer.pointer, namelen: namePointer.count,
            valuelen: valuePointer.count, flags: UInt8(flags.rawValue))
        count += 1
    }

    mutating func append(name: String, sharedValue: SharedHeaderValue) {
        let namePointer = copy(name, lowercased: true)
        fields[count] = nghttp2_nv(
            name: namePointer.pointer, value: sharedValue.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
            namelen: namePointer.count, valuelen: sharedValue.count,
            flags: UInt8(NGHTTP2_NV_FLAG_NO_COPY_VALUE.rawValue))
        count += 1
    }

    mutating func append(name: String, value: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let length = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var remaining = value
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            let length = buffer.count - index
            bytes.copyMemory(from: buffer.baseAddress! + index, byteCount: length)
            return length
        }
        let valuePointer = bytes.assumingMemoryBound(to: UInt8.self)
        bytes += length
        let namePointer = copy(name, lowercased: true)
        fields[count] = nghttp2_nv(
            name: namePointer.pointer, value: valuePointer, namelen: namePointer.count,
            valuelen: length, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
        count += 1
    }

    /// Copies the UTF-8 of `string`; header names are lowercased as HTTP/2 requires.
    private mutating func copy(_ string: String, lowercased: Bool) -> (pointer: UnsafeMutablePointer<UInt8>, count: Int) {
        let pointer = bytes.assumingMemoryBound(to: UInt8.self)
        let target = bytes
        // Native strings are contiguous: read in place. Others (never on Linux) through a copy.
        let count = string.utf8.withContiguousStorageIfAvailable { utf8 in
            if let base = utf8.baseAddress { target.copyMemory(from: base, byteCount: utf8.count) }
            return utf8.count
        } ?? {
            var string = string
            return string.withUTF8 { utf8 in
                if let base = utf8.baseAddress { target.copyMemory(from: base, byteCount: utf8.count) }
                return utf8.count
            }
        }()
        if lowercased {
            for index in 0..<count { pointer[index] = asciiLowercase(pointer[index]) }
        }
        bytes += count
        return (pointer, count)
    }
}
