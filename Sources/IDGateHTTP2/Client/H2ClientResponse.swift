import NIOCore

/// One finished stream, handed to the connection's delegate: a complete response, or the transport error that ended it.
///
/// `body` is borrowed from the stream slot's reusable buffer: read it inside the callback (copying it is fine, but
/// keeping it makes the slot allocate a new buffer for its next response).
public struct H2ClientResponse: Sendable {
    /// The caller's tag given to `submit`.
    public var tag: UInt64
    /// The `:status` (0 when none arrived).
    public var status: Int
    /// Response headers, filled only when the connection was configured with `collectHeaders`.
    public var headers: [(name: String, value: String)]
    public var body: ByteBuffer
    /// The `startNanos` given to `submit` (the intended send time in open-loop runs).
    public var startNanos: UInt64
    /// Monotonic time the stream closed.
    public var endNanos: UInt64
    /// `nil` when the response completed; otherwise why it did not.
    public var error: H2ClientTransportError?

    public var latencyNanos: UInt64 { endNanos >= startNanos ? endNanos - startNanos : 0 }
}

/// Receives stream completions and connection closure, always on the connection's event loop.
public protocol H2ClientConnectionDelegate: AnyObject {
    /// A stream finished (completed or failed). The delegate may submit new requests from here.
    func h2Client(_ connection: H2ClientConnection, didFinish response: H2ClientResponse)
    /// The connection closed; every in-flight stream has already been reported as failed.
    func h2Client(_ connection: H2ClientConnection, didCloseWith error: H2ClientTransportError?)
}
