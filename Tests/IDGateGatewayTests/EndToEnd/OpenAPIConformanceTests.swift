import Foundation
import IDGateTestSupport
import Testing

/// The running gateway checked against docs/openapi.yaml by schemathesis: generated valid and invalid requests for
/// every operation, every response validated (documented status, body schema, content type, no server error).
@Suite struct OpenAPIConformanceTests {
    @Test func everyOperationAnswersAsDocumented() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let spec = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.yaml").path
        let result = try await Subprocess.run([
            "python3", here.appendingPathComponent("openapi_conformance.py").path, spec,
            "http://127.0.0.1:\(harness.h2cPort)", try harness.apiKey("demo-tester"), "25",
        ])
        let report = try #require(
            try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], "\(result.text) \(result.stderr)")
        #expect(report["failures"] as? [String] == [], "\(report)")
        #expect((report["checked"] as? Int ?? 0) >= 50)
        #expect(result.status == 0)
    }

    /// The same with the citizen portal's key: the access-history endpoint's answers (200 pages, empty histories,
    /// refused cursors) checked against the spec; the other operations answer it 403 as documented.
    @Test func everyOperationAnswersAsDocumentedToACitizenPortal() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let spec = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.yaml").path
        let result = try await Subprocess.run([
            "python3", here.appendingPathComponent("openapi_conformance.py").path, spec,
            "http://127.0.0.1:\(harness.h2cPort)", try harness.apiKey("demo-portal"), "25",
        ])
        let report = try #require(
            try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], "\(result.text) \(result.stderr)")
        #expect(report["failures"] as? [String] == [], "\(report)")
        #expect(result.status == 0)
    }
}
