import NIOCore

/// Receives a request body chunk by chunk (routes added with `Router.onStreaming`), e.g. a multi-gigabyte
/// NDJSON batch upload. All three methods are called on the connection's event loop.
///
/// Flow control follows consumption: the client may only send `HTTP2Limits.initialWindowSize` bytes beyond what
/// the handler has acknowledged with `ResponseWriter.consumed(_:)`, so memory stays bounded when the handler is
/// slower than the client. Acknowledge each chunk once its bytes are processed (or copied elsewhere).
public protocol StreamingBodyHandler: AnyObject {
    /// The next chunk of the body. Call `writer.consumed(chunk.readableBytes)` when done with it.
    func didReceive(_ chunk: ByteBuffer)
    /// The body is complete (END_STREAM). Respond through the writer if not done yet.
    func didFinish()
    /// The stream was reset by the client or the connection closed: stop work, nobody is listening.
    func didCancel()
}
