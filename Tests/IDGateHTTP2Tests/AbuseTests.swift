import Foundation
import IDGateHTTP2
import Testing

/// Each abuse scenario of `attacks/attacks.py` against a running server: the offending stream or connection gets
/// the right HTTP/2 error, and a second, well-behaved client is served right after.
@Suite(.serialized) struct AbuseTests {
    static let protocolError = 1
    static let frameSizeError = 6
    static let refusedStream = 7
    static let enhanceYourCalm = 11

    static var limits: HTTP2Limits {
        var limits = HTTP2Limits()
        limits.maxConcurrentStreams = 100
        limits.maxRequestBodyBytes = 64 << 10
        limits.resetBurst = 200
        limits.resetsPerSecond = 20
        limits.idleTimeout = 1
        return limits
    }

    func attack(_ scenario: String, limits: HTTP2Limits = AbuseTests.limits) async throws -> ([String: Any], HTTP2ServerStats) {
        var report: [String: Any] = [:]
        var stats: HTTP2ServerStats?
        try await withTestServer(limits: limits) { server in
            report = try await ExternalProcess.attack(scenario, port: server.port)
            stats = server.server.stats
        }
        #expect(report["second_client_status"] as? Int == 200, "a second client must still be served")
        return (report, stats!)
    }

    @Test func garbageInsteadOfThePrefaceGetsGoawayProtocolError() async throws {
        let (report, stats) = try await attack("bad_preface")
        #expect(report["goaway"] as? Int == Self.protocolError)
        #expect(report["closed"] as? Bool == true)
        #expect(stats.protocolErrors >= 1)
    }

    @Test func malformedFrameGetsGoawayFrameSizeError() async throws {
        let (report, _) = try await attack("malformed_frame")
        #expect(report["goaway"] as? Int == Self.frameSizeError)
        #expect(report["closed"] as? Bool == true)
    }

    @Test func oversizedHeaderBlockGets431AndTheConnectionLives() async throws {
        let (report, _) = try await attack("oversized_headers")
        let statuses = report["statuses"] as? [String: Int]
        #expect(statuses?["1"] == 431)
        #expect(statuses?["3"] == 200, "the same connection keeps working")
    }

    @Test func hpackBombGets431WithoutDecodingIntoMemory() async throws {
        let (report, _) = try await attack("hpack_bomb")
        let statuses = report["statuses"] as? [String: Int]
        #expect(statuses?["1"] == 431)
        #expect(statuses?["3"] == 200)
        #expect((report["decoded_bytes"] as? Int ?? 0) > 1_000 * (report["wire_bytes"] as? Int ?? 0))
    }

    @Test func streamsBeyondTheLimitAreRefused() async throws {
        let (report, stats) = try await attack("too_many_streams")
        #expect(report["served"] as? Int == 100)
        #expect(report["refused"] as? Int == 200)
        #expect(stats.rejectedStreams == 200)
    }

    @Test func bodyOverTheLimitGets413ThenStreamReset() async throws {
        let (report, _) = try await attack("body_too_large")
        #expect((report["statuses"] as? [String: Int])?["1"] == 413)
        #expect((report["body"] as? String)?.contains("body_too_large") == true)
        // RST_STREAM NO_ERROR tells the client to stop sending the rest of the body.
        #expect((report["resets"] as? [String: Int])?["1"] == 0)
    }

    @Test func rapidResetGetsGoawayEnhanceYourCalm() async throws {
        let (report, stats) = try await attack("rapid_reset")
        #expect(report["goaway"] as? Int == Self.enhanceYourCalm)
        #expect(report["closed"] as? Bool == true)
        #expect(stats.resetsReceived > 200)
        #expect(stats.goawaysSent >= 1)
    }

    @Test func continuationFloodClosesTheConnection() async throws {
        let (report, _) = try await attack("continuation_flood")
        #expect(report["goaway"] as? Int != nil)
        #expect(report["closed"] as? Bool == true)
    }

    @Test func settingsFloodGetsGoawayEnhanceYourCalm() async throws {
        let (report, _) = try await attack("settings_flood")
        #expect(report["goaway"] as? Int == Self.enhanceYourCalm)
        #expect(report["closed"] as? Bool == true)
    }

    @Test func pingFloodGetsGoawayEnhanceYourCalm() async throws {
        let (report, _) = try await attack("ping_flood")
        #expect(report["goaway"] as? Int == Self.enhanceYourCalm)
        #expect(report["closed"] as? Bool == true)
    }

    @Test func clientThatStopsReadingIsClosedByTheIdleTimeout() async throws {
        let (report, stats) = try await attack("zero_window")
        #expect(report["closed"] as? Bool == true)
        #expect(report["body_bytes"] as? Int == 0, "nothing beyond the zero window was sent")
        #expect((report["seconds_to_close"] as? Double ?? 99) < 5)
        #expect(stats.openConnections == 0)
    }

    @Test func idleConnectionsAreClosed() async throws {
        let (report, _) = try await attack("slowloris")
        #expect(report["closed"] as? Bool == true)
        #expect(report["status_during"] as? Int == 200, "others are served while idle connections linger")
        #expect((report["seconds_to_close"] as? Double ?? 99) < 5)
        #expect(report["idle_closed"] as? Int == 20, "every silent connection is closed")
    }

    @Test func connectionsBeyondThePerAddressCapAreClosedAtAccept() async throws {
        var limits = Self.limits
        limits.maxConnectionsPerIP = 3
        limits.idleTimeout = 30
        try await withTestServer(limits: limits) { server in
            let report = try await ExternalProcess.run([
                "python3", "-c", """
                import socket, time
                held = [socket.create_connection(("127.0.0.1", \(server.port))) for _ in range(3)]
                extra = socket.create_connection(("127.0.0.1", \(server.port)))
                extra.settimeout(3)
                try:
                    print("closed" if extra.recv(10) == b"" else "open")
                except OSError:
                    print("closed")
                """,
            ])
            #expect(report.text.trimmingCharacters(in: .whitespacesAndNewlines) == "closed")
            #expect(server.server.stats.rejectedConnections == 1)
        }
    }
}
