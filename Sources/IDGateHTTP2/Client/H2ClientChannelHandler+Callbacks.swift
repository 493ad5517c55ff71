import CNGHTTP2
import NIOCore

/// The nghttp2 callbacks: C function pointers that find the handler through the session's user data and the stream
/// slot through the stream's user data (slot index + 1), checking the stream id so a stale stream never touches a
/// reused slot.
extension H2ClientChannelHandler {
    static func makeSession(userData: UnsafeMutableRawPointer) -> OpaquePointer? {
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0 else { return nil }
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, userData in
            guard let frame, let name, let value else { return 0 }
            H2ClientChannelHandler.handler(userData).receiveHeader(
                streamID: frame.pointee.hd.stream_id,
                name: UnsafeBufferPointer(start: name, count: nameLength),
                value: UnsafeBufferPointer(start: value, count: valueLength))
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            guard let data else { return 0 }
            H2ClientChannelHandler.handler(userData).receiveData(streamID: streamID, UnsafeRawBufferPointer(start: data, count: length))
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { session, streamID, errorCode, userData in
            guard let index = H2ClientChannelHandler.slotIndex(session, streamID) else { return 0 }
            H2ClientChannelHandler.handler(userData).closeStream(streamID: streamID, slot: index, errorCode: errorCode)
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            if let frame, frame.pointee.hd.type == UInt8(NGHTTP2_GOAWAY.rawValue), frame.pointee.goaway.error_code != 0 {
                H2ClientChannelHandler.handler(userData).noteGoaway(errorCode: frame.pointee.goaway.error_code, sentByPeer: true)
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { _, frame, userData in
            if let frame, frame.pointee.hd.type == UInt8(NGHTTP2_GOAWAY.rawValue), frame.pointee.goaway.error_code != 0 {
                H2ClientChannelHandler.handler(userData).noteGoaway(errorCode: frame.pointee.goaway.error_code, sentByPeer: false)
            }
            return 0
        }
        var session: OpaquePointer?
        guard nghttp2_session_client_new(&session, callbacks, userData) == 0 else { return nil }
        return session
    }

    @inline(__always)
    static func handler(_ userData: UnsafeMutableRawPointer?) -> H2ClientChannelHandler {
        Unmanaged<H2ClientChannelHandler>.fromOpaque(userData!).takeUnretainedValue()
    }

    @inline(__always)
    static func slotIndex(_ session: OpaquePointer?, _ streamID: Int32) -> Int? {
        guard let pointer = nghttp2_session_get_stream_user_data(session, streamID) else { return nil }
        return Int(bitPattern: pointer) - 1
    }

    @inline(__always)
    private func liveSlot(_ streamID: Int32) -> Int? {
        guard let index = Self.slotIndex(session, streamID), slots[index].inUse, slots[index].streamID == streamID else {
            return nil
        }
        return index
    }

    func receiveHeader(streamID: Int32, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        guard let index = liveSlot(streamID) else { return }
        if name.count == 7 && name[0] == UInt8(ascii: ":") && name.elementsEqual(":status".utf8) {
            var status = 0
            for digit in value.prefix(3) where digit >= UInt8(ascii: "0") && digit <= UInt8(ascii: "9") {
                status = status * 10 + Int(digit - UInt8(ascii: "0"))
            }
            slots[index].status = status
        } else if configuration.collectHeaders {
            slots[index].headers.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
    }

    func receiveData(streamID: Int32, _ data: UnsafeRawBufferPointer) {
        guard let index = liveSlot(streamID) else { return }
        if slots[index].responseBodyIsStale {
            slots[index].responseBody.clear()
            slots[index].responseBodyIsStale = false
        }
        slots[index].responseBody.writeBytes(data)
    }

    func closeStream(streamID: Int32, slot index: Int, errorCode: UInt32) {
        guard slots[index].inUse, slots[index].streamID == streamID else { return }
        let error: H2ClientTransportError? =
            if slots[index].timedOut { .timeout }
            else if errorCode != 0 { .streamReset(errorCode) }
            else if slots[index].status == 0 { .protocolError("stream closed without a response") }
            else { nil }
        finishStream(slot: index, error: error)
    }

    func noteGoaway(errorCode: UInt32, sentByPeer: Bool) {
        guard closeReason == nil else { return }
        closeReason = .protocolError("\(sentByPeer ? "received" : "sent") GOAWAY code \(errorCode)")
    }

    /// Copies the next part of the stream's request body into nghttp2's frame buffer.
    func readRequestBody(streamID: Int32, into buffer: UnsafeMutablePointer<UInt8>, capacity: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let index = liveSlot(streamID), slots[index].requestBody != nil else {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            return 0
        }
        let copied = slots[index].requestBody!.withUnsafeReadableBytes { bytes in
            let count = Swift.min(bytes.count, capacity)
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress!, byteCount: count)
            return count
        }
        slots[index].requestBody!.moveReaderIndex(forwardBy: copied)
        if slots[index].requestBody!.readableBytes == 0 { flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue }
        return copied
    }
}

/// The data provider's read callback (a C function pointer, so it cannot capture).
let h2ClientReadRequestBody: nghttp2_data_source_read_callback = { _, streamID, buffer, length, flags, _, userData in
    guard let buffer, let flags else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    return H2ClientChannelHandler.handler(userData).readRequestBody(streamID: streamID, into: buffer, capacity: length, flags: flags)
}
