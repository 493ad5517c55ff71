import Foundation
import IDGateGateway
import IDGateTestSupport
import Testing

/// `operations` in the configuration: `/metrics` (per-client volumes) moves to its own loopback listener, which
/// also answers the health checks; the API listeners no longer serve it.
@Suite struct OperationsListenerEndToEndTests {
    func get(_ url: String) async throws -> (status: Int, body: String) {
        let result = try await Subprocess.run([
            "curl", "-sS", "--http2-prior-knowledge", "-o", "/dev/stdout", "-w", "\n%{http_code}", url,
        ])
        var lines = result.text.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.removeLast()) ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    @Test func metricsLeaveTheAPIListenersForTheOperationsListener() async throws {
        let harness = try await GatewayHarness.start { $0.operations = .init(port: 0) }
        defer { Task { await harness.stop() } }
        let port = try #require(harness.operationsPort)
        let operations = "http://127.0.0.1:\(port)"
        let metrics = try await get("\(operations)/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("process_resident_memory_bytes"))
        #expect(try await get("\(operations)/healthz").status == 200)
        let ready = try await get("\(operations)/readyz")
        #expect(ready.status == 200 && ready.body.contains(#""status":"ready""#))
        // Only health and metrics there.
        #expect(try await get("\(operations)/v1/identity/match").status == 404)

        let api = "http://127.0.0.1:\(harness.h2cPort)"
        #expect(try await get("\(api)/metrics").status == 404)
        #expect(try await get("\(api)/healthz").status == 200)
    }

    @Test func anOperationsPortOutOfRangeIsAConfigurationError() throws {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(GatewayConfiguration.OperationsSettings.self, from: Data(#"{"port":70000}"#.utf8))
        }
        let settings = try JSONDecoder().decode(GatewayConfiguration.OperationsSettings.self, from: Data(#"{"port":9464}"#.utf8))
        #expect(settings.host == "127.0.0.1" && settings.port == 9464)
    }
}
