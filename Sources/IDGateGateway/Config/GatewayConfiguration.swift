import Foundation
import IDGateHTTP2

/// Everything `idgate serve` needs, read from one JSON file (see config/idgate.example.json and docs/CONFIG.md).
///
/// Relative paths are resolved against the directory of the configuration file, so a demo folder or a deployment
/// directory can be moved as a whole. Every section has safe defaults; a file names only what it changes.
public struct GatewayConfiguration: Codable, Sendable {
    /// Listeners, threads and HTTP/2 limits.
    public var server: HTTP2ServerConfiguration
    public var registry: RegistrySettings
    public var chip: ChipSettings
    public var overload: OverloadSettings

    public struct RegistrySettings: Codable, Sendable {
        /// The store directory (the one holding the `current` generation link).
        public var path: String
        /// How often the server checks whether an import swapped in a new generation, in seconds.
        public var reloadCheckInterval: Double = 2

        public init(path: String, reloadCheckInterval: Double = 2) {
            self.path = path
            self.reloadCheckInterval = reloadCheckInterval
        }
    }

    public struct ChipSettings: Codable, Sendable {
        /// Trust anchors: PEM bundles, DER certificates, directories of them, ICAO master lists (`.ml`), CRLs.
        public var trust: [String] = []
        /// Whether `decision: valid` needs active authentication when the SOD covers DG15.
        public var requireActiveAuth: Bool = true
        /// Verified SODs remembered by digest (signature and chain work skipped on a hit).
        public var cacheCapacity: Int = 100_000
        /// Lifetime of an active-authentication challenge, seconds.
        public var challengeLifetime: Double = 60
        /// Largest accepted `/v1/chip/verify` body (base64 SOD and data groups), bytes.
        public var maxRequestBytes: Int = 256 * 1024

        public init() {}
    }

    public struct OverloadSettings: Codable, Sendable {
        /// Requests in progress per event loop beyond which new ones get 503 `overloaded` with retry-after.
        public var maxInFlightPerLoop: Int = 20_000
        /// The retry-after value sent with 503, seconds.
        public var retryAfterSeconds: Int = 1

        public init() {}
    }

    public init(
        server: HTTP2ServerConfiguration = HTTP2ServerConfiguration(), registry: RegistrySettings,
        chip: ChipSettings = ChipSettings(), overload: OverloadSettings = OverloadSettings()
    ) {
        self.server = server
        self.registry = registry
        self.chip = chip
        self.overload = overload
    }

    private enum CodingKeys: String, CodingKey { case server, registry, chip, overload }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        server = try c.decodeIfPresent(HTTP2ServerConfiguration.self, forKey: .server) ?? HTTP2ServerConfiguration()
        registry = try c.decode(RegistrySettings.self, forKey: .registry)
        chip = try c.decodeIfPresent(ChipSettings.self, forKey: .chip) ?? ChipSettings()
        overload = try c.decodeIfPresent(OverloadSettings.self, forKey: .overload) ?? OverloadSettings()
    }
}

/// Why a configuration could not be used; the message names the file and the setting.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension GatewayConfiguration {
    /// Reads `path`, resolves relative paths against its directory, then applies environment overrides:
    /// `IDGATE_H2C=HOST:PORT`, `IDGATE_TLS=HOST:PORT`, `IDGATE_THREADS=N`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> GatewayConfiguration
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read configuration file \(path)")
        }
        var configuration: GatewayConfiguration
        do {
            configuration = try JSONDecoder().decode(GatewayConfiguration.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ConfigurationError("\(path): missing setting \(Self.describe(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw ConfigurationError("\(path): wrong type at \(Self.describe(context.codingPath))")
        } catch let DecodingError.dataCorrupted(context) {
            throw ConfigurationError("\(path): \(context.debugDescription) at \(Self.describe(context.codingPath))")
        }
        configuration.resolvePaths(relativeTo: (path as NSString).deletingLastPathComponent)
        try configuration.applyOverrides(environment: environment)
        return configuration
    }

    private static func describe(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    /// Makes every relative file path absolute against `base`.
    public mutating func resolvePaths(relativeTo base: String) {
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") || base.isEmpty ? p : (base as NSString).appendingPathComponent(p)
        }
        registry.path = resolve(registry.path)
        chip.trust = chip.trust.map(resolve)
        for i in server.listeners.indices {
            guard var tls = server.listeners[i].tls else { continue }
            tls.certificateChainPath = resolve(tls.certificateChainPath)
            tls.privateKeyPath = resolve(tls.privateKeyPath)
            tls.clientCAPath = tls.clientCAPath.map(resolve)
            server.listeners[i].tls = tls
        }
    }

    /// Applies `IDGATE_*` overrides and the `serve` command-line flags (same syntax).
    public mutating func applyOverrides(environment: [String: String]) throws {
        if let value = environment["IDGATE_THREADS"] {
            guard let n = Int(value), n > 0 else { throw ConfigurationError("IDGATE_THREADS must be a positive integer") }
            server.threads = n
        }
        if let value = environment["IDGATE_H2C"] { try override(listenerTLS: false, with: value) }
        if let value = environment["IDGATE_TLS"] { try override(listenerTLS: true, with: value) }
    }

    /// Replaces the address of the first h2c (or TLS) listener, or adds an h2c listener when there is none.
    public mutating func override(listenerTLS: Bool, with hostPort: String) throws {
        guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ConfigurationError("expected HOST:PORT, got \(hostPort)") }
        var host = String(hostPort[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let i = server.listeners.firstIndex(where: { ($0.tls != nil) == listenerTLS }) {
            server.listeners[i].host = host
            server.listeners[i].port = port
        } else if listenerTLS {
            throw ConfigurationError("--tls needs a TLS listener (certificate and key) in the configuration")
        } else {
            server.listeners.append(.h2c(host: host, port: port))
        }
    }
}
