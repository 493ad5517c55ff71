import NIOCore
import NIOSSL

/// Where and how to connect: host and port, optional TLS (ALPN `h2`), and per-connection limits.
public struct H2ClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// `nil` for cleartext h2c (prior knowledge); otherwise a context whose ALPN offers `h2`.
    public var tls: NIOSSLContext?
    /// SNI / certificate host name; defaults to `host` when it is not an IP literal.
    public var serverHostname: String?
    /// Maximum streams this client keeps open on the connection (further `submit` calls return false).
    public var maxConcurrentStreams: Int
    /// TCP connect plus TLS handshake plus HTTP/2 preface must finish within this.
    public var connectTimeout: TimeAmount
    /// Copy response headers into `H2ClientResponse.headers` (costs allocations; off for load).
    public var collectHeaders: Bool
    /// Our HTTP/2 stream receive window (large, so big batch responses are not throttled).
    public var initialWindowSize: Int32

    public init(
        host: String, port: Int, tls: NIOSSLContext? = nil, serverHostname: String? = nil,
        maxConcurrentStreams: Int = 100, connectTimeout: TimeAmount = .seconds(5),
        collectHeaders: Bool = false, initialWindowSize: Int32 = 1 << 24
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.serverHostname = serverHostname
        self.maxConcurrentStreams = maxConcurrentStreams
        self.connectTimeout = connectTimeout
        self.collectHeaders = collectHeaders
        self.initialWindowSize = initialWindowSize
    }
}

/// Builds TLS client contexts that negotiate `h2` by ALPN, with optional client certificate (mTLS).
public enum H2ClientTLS {
    /// - Parameters:
    ///   - caFile: PEM trust roots for the server certificate (system roots when `nil`).
    ///   - certificateFile/privateKeyFile: the client certificate and key for mTLS.
    ///   - insecure: skip server certificate verification (testing only).
    public static func makeContext(
        caFile: String? = nil, certificateFile: String? = nil, privateKeyFile: String? = nil, insecure: Bool = false
    ) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.applicationProtocols = ["h2"]
        if let caFile { configuration.trustRoots = .file(caFile) }
        if insecure { configuration.certificateVerification = .none }
        if let certificateFile, let privateKeyFile {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem))
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
