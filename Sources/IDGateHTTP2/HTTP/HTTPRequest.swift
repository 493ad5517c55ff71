import NIOCore

/// A complete request as a handler sees it: method, target, headers, the accumulated body (empty for
/// streaming routes) and who sent it. A value type: handlers may keep it past their return, on any thread.
public struct HTTPRequest: Sendable {
    public let method: HTTPMethod
    public let headers: HTTPRequestHeaders
    /// The request body, accumulated up to `HTTP2Limits.maxRequestBodyBytes`.
    public var body: ByteBuffer
    /// The verified TLS client certificate, when the connection presented one (mTLS).
    public let peer: PeerIdentity?
    public let remoteAddress: SocketAddress?
    /// The event loop this request's connection runs on; responding from it needs no thread hop.
    public let eventLoop: any EventLoop
    /// The HTTP/2 stream carrying this request (useful in logs).
    public let streamID: Int32
    /// How long the request waited on its event loop behind other work (overload shedding, docs/RELIABILITY.md).
    public let loopWait: LoopWait

    let pathStart: UInt32
    let pathLength: UInt32
    let queryStart: UInt32

    init(
        method: HTTPMethod, headers: HTTPRequestHeaders, body: ByteBuffer, peer: PeerIdentity?,
        remoteAddress: SocketAddress?, eventLoop: any EventLoop, streamID: Int32,
        pathStart: UInt32, pathLength: UInt32, queryStart: UInt32, loopWait: LoopWait
    ) {
        self.method = method
        self.headers = headers
        self.body = body
        self.peer = peer
        self.remoteAddress = remoteAddress
        self.eventLoop = eventLoop
        self.streamID = streamID
        self.pathStart = pathStart
        self.pathLength = pathLength
        self.queryStart = queryStart
        self.loopWait = loopWait
    }

    /// The `:path` without its query string.
    public var path: String {
        headers.storage.getString(at: Int(pathStart), length: Int(queryStart - pathStart)) ?? ""
    }

    /// The raw query string after `?` (not percent-decoded), or nil when the target has none.
    public var query: String? {
        let end = pathStart + pathLength
        guard queryStart < end else { return nil }
        return headers.storage.getString(at: Int(queryStart + 1), length: Int(end - queryStart - 1))
    }
}
