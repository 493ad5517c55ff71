import Foundation
import IDGateHTTP2
import NIOCore
import Testing

/// Graceful shutdown: in-flight requests finish, then the listener and connections are gone.
@Suite(.serialized) struct ShutdownTests {
    @Test func gracefulShutdownLetsInFlightStreamsFinish() async throws {
        // The drain ends when the connection closes (curl got its answer); the timeout is only a backstop, long
        // enough that a busy machine's slow curl is not cut off by it (`drainTimeoutBoundsShutdown` tests the cut).
        var limits = HTTP2Limits()
        limits.drainTimeout = 60
        let server = try await TestServer.start(limits: limits)
        let request = Task {
            try await ExternalProcess.curl(["--http2-prior-knowledge", "\(server.url)/await"])
        }
        #expect(try await waitUntil { server.probe.with { $0.awaiting.count } == 1 })
        let shutdown = Task { await server.server.shutdown(gracefully: true) }
        // The request is answered once the connection is draining (GOAWAY sent), not before.
        #expect(try await waitUntil { server.server.stats.goawaysSent >= 1 })
        server.probe.with { $0.awaiting.removeFirst() }
            .respond(status: .ok, headers: .text, body: ByteBuffer(string: "late"))
        await shutdown.value
        let response = try await request.value
        #expect(response.status == 200)
        #expect(response.body == "late")
        #expect(server.server.stats.openConnections == 0)
        let refused = try await ExternalProcess.run(["curl", "-sS", "--http2-prior-knowledge", "\(server.url)/hello"])
        #expect(refused.status != 0, "no longer accepting")
    }

    @Test func drainTimeoutBoundsShutdown() async throws {
        var limits = HTTP2Limits()
        limits.drainTimeout = 0.1
        let server = try await TestServer.start(limits: limits)
        // Never answered: only the drain timeout ends it.
        let request = Task {
            try await ExternalProcess.run(["curl", "-sS", "--http2-prior-knowledge", "\(server.url)/await"])
        }
        #expect(try await waitUntil { server.probe.with { $0.awaiting.count } == 1 })
        await server.server.shutdown(gracefully: true)
        let result = try await request.value
        #expect(result.status != 0, "the unfinished request was cut off")
        #expect(server.server.stats.openConnections == 0)
    }
}
