/// The one address the load generator may talk to, parsed from `--target` (`http://` = h2c, `https://` = TLS).
public struct LoadTarget: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var usesTLS: Bool

    public init(url: String) throws {
        let scheme: String
        let rest: Substring
        if url.hasPrefix("http://") { (scheme, rest) = ("http", url.dropFirst(7)) }
        else if url.hasPrefix("https://") { (scheme, rest) = ("https", url.dropFirst(8)) }
        else { throw LoadOptionError.invalid("target (want http:// or https://)", url) }
        usesTLS = scheme == "https"
        let hostPort = rest.prefix { $0 != "/" }
        guard !hostPort.isEmpty else { throw LoadOptionError.invalid("target", url) }
        var host = String(hostPort)
        var port = usesTLS ? 443 : 80
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw LoadOptionError.invalid("target", url) }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") {
                guard let parsed = Int(after.dropFirst()) else { throw LoadOptionError.invalid("target port", url) }
                port = parsed
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard let parsed = Int(hostPort[hostPort.index(after: colon)...]) else { throw LoadOptionError.invalid("target port", url) }
            port = parsed
        }
        guard (1...65535).contains(port), !host.isEmpty else { throw LoadOptionError.invalid("target", url) }
        self.host = host
        self.port = port
    }

    public var scheme: String { usesTLS ? "https" : "http" }
    /// The `:authority` pseudo-header.
    public var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
