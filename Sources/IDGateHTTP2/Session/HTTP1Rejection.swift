import NIOCore

/// A client speaking HTTP/1.1 to this HTTP/2-only server gets a readable answer instead of a GOAWAY it cannot
/// parse: `505` with an API.md error body, then the connection closes.
enum HTTP1Rejection {
    /// The first bytes start like an HTTP/1 request line: an uppercase method token and a space.
    static func looksLikeHTTP1(_ buffer: ByteBuffer) -> Bool {
        let view = buffer.readableBytesView
        guard let space = view.prefix(8).firstIndex(of: UInt8(ascii: " ")), space > view.startIndex else { return false }
        guard view[view.startIndex..<space].allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            return false
        }
        // "PRI * HTTP/2.0" is the HTTP/2 preface, not an HTTP/1 request.
        return !view.starts(with: "PRI ".utf8)
    }

    static func respond(context: ChannelHandlerContext) {
        let body = HTTPErrorBody.make(
            code: "http2_required",
            message: "this server speaks HTTP/2 only: use HTTP/2 (h2 over TLS with ALPN, or h2c with prior knowledge)")
        var response = context.channel.allocator.buffer(capacity: 160 + body.readableBytes)
        response.writeString(
            "HTTP/1.1 505 HTTP Version Not Supported\r\ncontent-type: application/json\r\n"
                + "content-length: \(body.readableBytes)\r\nconnection: close\r\n\r\n")
        response.writeImmutableBuffer(body)
        let channel = context.channel
        context.writeAndFlush(NIOAny(response)).whenComplete { _ in channel.close(promise: nil) }
    }
}
