/// Why a request or a connection failed below HTTP: what a load tester must count separately from HTTP statuses.
public enum H2ClientTransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// TCP connect was refused (nothing listens on the port).
    case connectionRefused
    /// TCP connect or the TLS handshake did not finish in time.
    case connectTimeout
    /// The TLS handshake failed or ALPN did not select `h2`.
    case tls(String)
    /// The peer sent bytes that are not valid HTTP/2 (nghttp2 rejected them).
    case protocolError(String)
    /// The peer reset the stream (RST_STREAM) with this HTTP/2 error code, or refused it via GOAWAY.
    case streamReset(UInt32)
    /// The connection closed while the request was in flight.
    case connectionClosed
    /// The request did not complete before its deadline and was cancelled.
    case timeout
    /// Any other I/O error (errno text).
    case io(String)

    /// A short stable label for counters and reports (`connect_refused`, `tls`, `stream_reset`, ...).
    public var label: String {
        switch self {
        case .connectionRefused: "connect_refused"
        case .connectTimeout: "connect_timeout"
        case .tls: "tls"
        case .protocolError: "protocol_error"
        case .streamReset: "stream_reset"
        case .connectionClosed: "connection_closed"
        case .timeout: "timeout"
        case .io: "io"
        }
    }

    public var description: String {
        switch self {
        case .tls(let detail), .protocolError(let detail), .io(let detail): "\(label): \(detail)"
        case .streamReset(let code): "\(label): code \(code)"
        default: label
        }
    }
}
