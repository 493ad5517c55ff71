import CNGHTTP2

/// The nghttp2 callbacks: plain C function pointers that recover the connection from nghttp2's user-data pointer
/// (no closure context, no allocation per frame) and forward to its methods.
extension HTTP2Connection {
    @inline(__always)
    static func connection(_ userData: UnsafeMutableRawPointer?) -> HTTP2Connection {
        Unmanaged<HTTP2Connection>.fromOpaque(userData!).takeUnretainedValue()
    }

    static func installCallbacks(into callbacks: OpaquePointer) {
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            HTTP2Connection.connection(userData).beginHeaders(frame!.pointee)
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, userData in
            HTTP2Connection.connection(userData).receiveHeader(
                frame!.pointee,
                name: UnsafeRawBufferPointer(start: name, count: nameLength),
                value: UnsafeRawBufferPointer(start: value, count: valueLength))
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            HTTP2Connection.connection(userData).receiveFrame(frame!.pointee)
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            HTTP2Connection.connection(userData).receiveData(streamID: streamID, UnsafeRawBufferPointer(start: data, count: length))
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            HTTP2Connection.connection(userData).streamClosed(streamID: streamID, errorCode: errorCode)
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { _, frame, userData in
            HTTP2Connection.connection(userData).sentFrame(frame!.pointee)
        }
        nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks) { _, _, _, userData in
            HTTP2Connection.connection(userData).server.stats.protocolErrorsCounter.wrappingAdd(1, ordering: .relaxed)
            return 0
        }
    }

    /// The data source of every response: copies buffered body bytes, defers while a streaming body is empty.
    static let dataSourceRead: nghttp2_data_source_read_callback = { _, streamID, buffer, length, flags, _, userData in
        HTTP2Connection.connection(userData).readResponseBody(streamID: streamID, into: buffer!, length: length, flags: flags!)
    }
}

extension UInt8 {
    /// An nghttp2 frame type or flag constant as the byte found in a frame header.
    @inline(__always)
    init(frameConstant value: UInt32) { self = UInt8(truncatingIfNeeded: value) }
}
