extension HTTP2Limits {
    /// Rejects values HTTP/2 (RFC 9113 §6.5.2) or the server cannot use, before any socket is opened.
    func validate() throws {
        func require(_ condition: Bool, _ message: String) throws {
            if !condition { throw HTTP2ServerError.invalidLimit(message) }
        }
        try require(maxConcurrentStreams >= 1, "maxConcurrentStreams must be at least 1")
        try require((0...Int(Int32.max)).contains(initialWindowSize), "initialWindowSize must be 0...2^31-1")
        try require((65_535...Int(Int32.max)).contains(connectionWindowSize), "connectionWindowSize must be 65535...2^31-1")
        try require((16_384...16_777_215).contains(maxFrameSize), "maxFrameSize must be 16384...16777215")
        try require(maxHeaderListSize >= 1_024, "maxHeaderListSize must be at least 1024")
        try require(maxRequestBodyBytes >= 0, "maxRequestBodyBytes must not be negative")
        try require(idleTimeout > 0 && drainTimeout >= 0, "idleTimeout must be positive, drainTimeout not negative")
        try require(maxConnections >= 1 && maxConnectionsPerIP >= 1, "connection caps must be at least 1")
        try require(resetBurst >= 1 && resetsPerSecond >= 0, "resetBurst must be at least 1")
        try require(responseBufferHighWatermark >= 1, "responseBufferHighWatermark must be positive")
    }
}
