/// Everything the HTTP/2 server needs to run: where to listen, how many event loops, and the protocol limits
/// that keep one misbehaving client from hurting the others.
///
/// Every field has a safe default, so a configuration file only names what it changes
/// (decoding fills in the rest).
public struct HTTP2ServerConfiguration: Codable, Sendable, Equatable {
    /// The sockets to accept connections on: cleartext h2c and/or TLS.
    public var listeners: [ListenerConfiguration]
    /// Event loop threads; `nil` means one per core.
    public var threads: Int?
    /// Protocol and resource limits.
    public var limits: HTTP2Limits

    public init(
        listeners: [ListenerConfiguration] = [.h2c(host: "127.0.0.1", port: 8080)],
        threads: Int? = nil,
        limits: HTTP2Limits = HTTP2Limits()
    ) {
        self.listeners = listeners
        self.threads = threads
        self.limits = limits
    }

    private enum CodingKeys: String, CodingKey { case listeners, threads, limits }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = HTTP2ServerConfiguration()
        listeners = try container.decodeIfPresent([ListenerConfiguration].self, forKey: .listeners) ?? defaults.listeners
        threads = try container.decodeIfPresent(Int.self, forKey: .threads)
        limits = try container.decodeIfPresent(HTTP2Limits.self, forKey: .limits) ?? defaults.limits
    }
}

/// Limits applied per connection, per stream and per server. Durations are in seconds (fractions allowed).
public struct HTTP2Limits: Codable, Sendable, Equatable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS: streams beyond it are refused (REFUSED_STREAM).
    public var maxConcurrentStreams: Int = 256
    /// SETTINGS_INITIAL_WINDOW_SIZE: how much request body a client may send per stream before we re-open it.
    public var initialWindowSize: Int = 1 << 20
    /// The connection-level receive window (shared by all streams of a connection).
    public var connectionWindowSize: Int = 16 << 20
    /// SETTINGS_MAX_FRAME_SIZE we accept.
    public var maxFrameSize: Int = 16_384
    /// Decoded header list size (RFC 9113 counting: name + value + 32 per field); larger requests get 431.
    public var maxHeaderListSize: Int = 16_384
    /// Largest request body accumulated for a (non-streaming) handler; larger gets 413 `body_too_large`.
    public var maxRequestBodyBytes: Int = 1 << 20
    /// A connection with no bytes received for this long, and no request waiting on the application, is closed.
    public var idleTimeout: Double = 60
    /// Open connections across all listeners; further connections are closed at accept.
    public var maxConnections: Int = 10_000
    /// Open connections from one remote IP address.
    public var maxConnectionsPerIP: Int = 1_000
    /// On graceful shutdown, how long in-flight streams may take before connections are closed.
    public var drainTimeout: Double = 10
    /// RST_STREAM frames a client may send in a burst (rapid reset, CVE-2023-44487) ...
    public var resetBurst: Int = 1_000
    /// ... and how many more it earns per second; beyond that: GOAWAY ENHANCE_YOUR_CALM.
    public var resetsPerSecond: Int = 100
    /// Bytes a streaming response may buffer before `ResponseBodyStream.write` futures wait for the client.
    public var responseBufferHighWatermark: Int = 256 << 10

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case maxConcurrentStreams, initialWindowSize, connectionWindowSize, maxFrameSize, maxHeaderListSize
        case maxRequestBodyBytes, idleTimeout, maxConnections, maxConnectionsPerIP, drainTimeout
        case resetBurst, resetsPerSecond, responseBufferHighWatermark
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        let defaults = HTTP2Limits()
        maxConcurrentStreams = try value(.maxConcurrentStreams, defaults.maxConcurrentStreams)
        initialWindowSize = try value(.initialWindowSize, defaults.initialWindowSize)
        connectionWindowSize = try value(.connectionWindowSize, defaults.connectionWindowSize)
        maxFrameSize = try value(.maxFrameSize, defaults.maxFrameSize)
        maxHeaderListSize = try value(.maxHeaderListSize, defaults.maxHeaderListSize)
        maxRequestBodyBytes = try value(.maxRequestBodyBytes, defaults.maxRequestBodyBytes)
        idleTimeout = try value(.idleTimeout, defaults.idleTimeout)
        maxConnections = try value(.maxConnections, defaults.maxConnections)
        maxConnectionsPerIP = try value(.maxConnectionsPerIP, defaults.maxConnectionsPerIP)
        drainTimeout = try value(.drainTimeout, defaults.drainTimeout)
        resetBurst = try value(.resetBurst, defaults.resetBurst)
        resetsPerSecond = try value(.resetsPerSecond, defaults.resetsPerSecond)
        responseBufferHighWatermark = try value(.responseBufferHighWatermark, defaults.responseBufferHighWatermark)
    }
}
