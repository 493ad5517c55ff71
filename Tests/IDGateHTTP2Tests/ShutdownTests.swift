import Foundation
import IDGateHTTP2
import Testing

/// Graceful shutdown: in-flight requests finish, then the listener and connections are gone.
@Suite(.serialized) struct ShutdownTests {
    @Test func gracefulShutdownLetsInFlightStreamsFinish() async throws {
        let server = try await TestServer.start()
        let slow = Task {
            try await ExternalProcess.curl(["--http2-prior-knowledge", "\(server.url)/slow"])
        }
        #expect(try await waitUntil { server.server.stats.openStreams == 1 })
        await server.server.shutdown(gracefully: true)
        let response = try await slow.value
        #expect(response.status == 200)
        #expect(response.body == "slow")
        #expect(server.server.stats.goawaysSent >= 1)
        #expect(server.server.stats.openConnections == 0)
        let refused = try await ExternalProcess.run(["curl", "-sS", "--http2-prior-knowledge", "\(server.url)/hello"])
        #expect(refused.status != 0, "no longer accepting")
    }

    @Test func drainTimeoutBoundsShutdown() async throws {
        var limits = HTTP2Limits()
        limits.drainTimeout = 0.1
        let server = try await TestServer.start(limits: limits)
        let slow = Task {
            try await ExternalProcess.run(["curl", "-sS", "--http2-prior-knowledge", "\(server.url)/slow"])
        }
        #expect(try await waitUntil { server.server.stats.openStreams == 1 })
        await server.server.shutdown(gracefully: true)
        let result = try await slow.value
        #expect(result.status != 0, "the unfinished request was cut off")
    }
}
