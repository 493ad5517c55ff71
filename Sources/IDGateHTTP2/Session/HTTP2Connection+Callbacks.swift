import CNGHTTP2

/// The nghttp2 callbacks: plain C function pointers that recover the connection from nghttp2's user-data pointer
/// (no closure context, no allocation per frame) and forward to its methods.
extension HTTP2Connection {
    /// Runs `body` with the connection behind nghttp2's user-data pointer, without retaining it (the session
    /// never outlives its connection; this is called per header field, so the saved refcounting shows).
    @inline(__always)
    static func withConnection<Result>(_ userData: UnsafeMutableRawPointer?, _ body: (HTTP2Connection) -> Result) -> Result {
        Unmanaged<HTTP2Connection>.fromOpaque(userData!)._withUnsafeGuaranteedRef(body)
    }

    static func installCallbacks(into callbacks: OpaquePointer) {
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            HTTP2Connection.withConnection(userData) { $0.beginHeaders(frame!.pointee) }
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, userData in
            HTTP2Connection.withConnection(userData) {
                $0.receiveHeader(
                    frame!.pointee,
                    name: UnsafeRawBufferPointer(start: name, count: nameLength),
                    value: UnsafeRawBufferPointer(start: value, count: valueLength))
            }
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            HTTP2Connection.withConnection(userData) { $0.receiveFrame(frame!.pointee) }
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            HTTP2Connection.withConnection(userData) {
                $0.receiveData(streamID: streamID, UnsafeRawBufferPointer(start: data, count: length))
            }
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            HTTP2Connection.withConnection(userData) { $0.streamClosed(streamID: streamID, errorCode: errorCode) }
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { _, frame, userData in
            HTTP2Connection.withConnection(userData) { $0.sentFrame(frame!.pointee) }
        }
        nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks) { _, _, _, userData in
            HTTP2Connection.withConnection(userData) { $0.server.stats.protocolErrorsCounter.wrappingAdd(1, ordering: .relaxed) } as Void
            return 0
        }
    }

    /// The data source of every response: copies buffered body bytes, defers while a streaming body is empty.
    static let dataSourceRead: nghttp2_data_source_read_callback = { _, streamID, buffer, length, flags, source, userData in
        let state = Unmanaged<StreamState>.fromOpaque(source!.pointee.ptr!).takeUnretainedValue()
        return HTTP2Connection.withConnection(userData) {
            $0.readResponseBody(state, streamID: streamID, into: buffer!, length: length, flags: flags!)
        }
    }
}

extension UInt8 {
    /// An nghttp2 frame type or flag constant as the byte found in a frame header.
    @inline(__always)
    init(frameConstant value: UInt32) { self = UInt8(truncatingIfNeeded: value) }
}
