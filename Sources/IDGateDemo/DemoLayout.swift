import Foundation

/// The demo folder's layout: what `idgate demo init` writes and `idgate serve --demo`, `idgate-load --demo` and the
/// benchmark scripts read. One typed description, so no file name is repeated as a string (docs/DATA.md).
public struct DemoLayout: Sendable {
    /// Paths relative to the folder, as `config.json` and `cards/index.json` write them.
    public enum Relative {
        public static let registry = "registry"
        public static let sample = "sample.ndjson"
        public static let configuration = "config.json"
        public static let clients = "clients.json"
        public static let credentials = "credentials.json"
        public static let pki = "pki"
        public static let cards = "cards"
        public static let cardIndex = "cards/index.json"
        public static let tls = "tls"
        public static let tlsCA = "tls/ca.pem"
        public static let serverCertificate = "tls/server.pem"
        public static let serverKey = "tls/server.key.pem"
        public static let signingKey = "signing.key"
        public static let auditKey = "audit.key"
        public static let audit = "audit"
        public static let foreignerSample = "sample-foreigners.ndjson"

        /// A demo client's TLS certificate and key.
        public static func clientCertificate(_ id: String) -> String { "\(tls)/\(id).pem" }
        public static func clientKey(_ id: String) -> String { "\(tls)/\(id).key.pem" }
    }

    public let root: URL

    public init(root: URL) { self.root = root }
    public init(path: String) { root = URL(fileURLWithPath: path) }

    /// A path inside the folder.
    public func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    public var registry: URL { url(Relative.registry) }
    public var sample: URL { url(Relative.sample) }
    public var configuration: URL { url(Relative.configuration) }
    public var clients: URL { url(Relative.clients) }
    public var credentials: URL { url(Relative.credentials) }
    public var pki: URL { url(Relative.pki) }
    public var cardIndex: URL { url(Relative.cardIndex) }
    public var tls: URL { url(Relative.tls) }
    public var tlsCA: URL { url(Relative.tlsCA) }
    public var signingKey: URL { url(Relative.signingKey) }
    public var auditKey: URL { url(Relative.auditKey) }
    public var foreignerSample: URL { url(Relative.foreignerSample) }

    /// Resolves a path written in a demo file: absolute as is, otherwise relative to the folder.
    public func resolve(_ written: String) -> URL { written.hasPrefix("/") ? URL(fileURLWithPath: written) : url(written) }
}
