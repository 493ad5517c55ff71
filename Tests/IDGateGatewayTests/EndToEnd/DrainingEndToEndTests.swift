import Foundation
import IDGateGateway
import Testing

/// A node that begins a graceful shutdown behind a load balancer first stops reporting ready while it still serves.
@Suite struct DrainingEndToEndTests {
    @Test func drainingNodeAnswersButIsNotReady() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let before = try await harness.send([.init(method: "GET", path: "/readyz")])
        #expect(before[0].status == 200)

        harness.gateway.beginDraining()
        let record = try #require(try harness.sampleRecords().first)
        let key = try harness.apiKey("demo-agency")
        let after = try await harness.send([
            .init(method: "GET", path: "/readyz"),
            harness.matchRequest(["idNumber": record["idNumber"]!, "fullName": record["fullName"]!], apiKey: key),
        ])
        #expect(after[0].status == 503)
        #expect(after[0].json["reason"] as? String == "draining")
        #expect(after[1].status == 200, "requests are still answered while draining: \(after[1].body)")
    }
}
