/// One listening socket: cleartext HTTP/2 with prior knowledge (h2c, for load balancers and load tests) or TLS
/// (TLS 1.2+, ALPN `h2`) with optional client-certificate authentication.
public struct ListenerConfiguration: Codable, Sendable, Equatable {
    public var host: String
    /// 0 picks a free port; `HTTP2Server.start()` reports the bound address.
    public var port: Int
    /// `nil` for h2c.
    public var tls: TLSListenerConfiguration?

    public init(host: String, port: Int, tls: TLSListenerConfiguration? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    public static func h2c(host: String, port: Int) -> ListenerConfiguration {
        ListenerConfiguration(host: host, port: port)
    }

    public static func tls(host: String, port: Int, _ tls: TLSListenerConfiguration) -> ListenerConfiguration {
        ListenerConfiguration(host: host, port: port, tls: tls)
    }
}

/// The server's certificate and, for mTLS, the CA bundle client certificates must chain to.
public struct TLSListenerConfiguration: Codable, Sendable, Equatable {
    /// PEM file: the server certificate first, then intermediates.
    public var certificateChainPath: String
    /// PEM private key of the server certificate.
    public var privateKeyPath: String
    /// PEM bundle of CAs trusted for client certificates (required unless `clientAuth` is `none`).
    public var clientCAPath: String?
    public var clientAuth: ClientAuthentication

    public init(
        certificateChainPath: String,
        privateKeyPath: String,
        clientCAPath: String? = nil,
        clientAuth: ClientAuthentication = .none
    ) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.clientCAPath = clientCAPath
        self.clientAuth = clientAuth
    }

    private enum CodingKeys: String, CodingKey { case certificateChainPath, privateKeyPath, clientCAPath, clientAuth }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        certificateChainPath = try container.decode(String.self, forKey: .certificateChainPath)
        privateKeyPath = try container.decode(String.self, forKey: .privateKeyPath)
        clientCAPath = try container.decodeIfPresent(String.self, forKey: .clientCAPath)
        clientAuth = try container.decodeIfPresent(ClientAuthentication.self, forKey: .clientAuth) ?? .none
    }
}

/// Whether a TLS client must present a certificate. `optional` verifies one if presented, so a handler can
/// accept either mTLS or another credential (an API key) on the same listener.
public enum ClientAuthentication: String, Codable, Sendable {
    case none
    case optional
    case required
}
