import Foundation
@testable import IDGateGateway
import Testing

/// With its audit volume "full", the gateway refuses to answer (503 with retry-after) rather than answer without a
/// trace, and serves again once space returns.
@Suite struct AuditFailureEndToEndTests {
    @Test func fullAuditDiskRefusesThenRecovers() async throws {
        // A reserve larger than any disk: every audit write finds the volume "full".
        let harness = try await GatewayHarness.start { $0.audit.minimumFreeBytes = 1 << 60 }
        defer { Task { await harness.stop() } }
        let record = try #require(harness.sampleRecords().first)
        let key = try harness.apiKey("demo-agency")
        let body: [String: Any] = ["idNumber": record["idNumber"]!, "sex": record["sex"]!]

        let refused = try await harness.match(body, apiKey: key)
        #expect(refused.status == 503)
        #expect(refused.errorCode == "overloaded")
        #expect(refused.headers["retry-after"] != nil)
        #expect((refused.json["transactionId"] as? String)?.isEmpty == false)
        #expect(refused.json["decision"] == nil, "no answer leaves without its audit record")

        // Space returns: the writer reopens a segment and answers flow again.
        harness.gateway.context.audit?.setMinimumFreeBytes(0)
        var recovered: GatewayHarness.Response?
        for _ in 0..<50 {
            let response = try await harness.match(body, apiKey: key)
            if response.status == 200 { recovered = response; break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(recovered?.json["decision"] as? String == "match")
    }
}
