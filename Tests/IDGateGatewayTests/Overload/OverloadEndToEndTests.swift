import Foundation
import IDGateAudit
@testable import IDGateGateway
import Testing

/// Overload shedding through a real gateway. A queueing-delay target and interval of 0 make every API request one
/// that waited too long, by construction (no load, no clock race): what a refusal looks like, that health checks
/// are still answered, and that refusals are counted but not audited.
@Suite struct OverloadEndToEndTests {
    @Test func requestsPastTheQueueDelayTargetGet503OverloadedAndHealthChecksStillAnswer() async throws {
        let harness = try await GatewayHarness.start {
            $0.overload.queueDelayTargetMillis = 0
            $0.overload.queueDelayIntervalMillis = 0
            $0.overload.retryAfterSeconds = 2
        }
        let record = try #require(harness.sampleRecords().first)
        let key = try harness.apiKey("demo-agency")
        let responses = try await harness.send([
            harness.matchRequest(["idNumber": record["idNumber"]!, "purpose": "account-opening"], apiKey: key),
            .init(method: "GET", path: "/healthz"),
            .init(method: "GET", path: "/readyz"),
            // Not even authentication runs: a wrong key is refused as overloaded, not unauthenticated.
            harness.matchRequest(["idNumber": record["idNumber"]!, "purpose": "account-opening"], apiKey: "idg_wrong"),
            .init(method: "GET", path: "/metrics"),
        ])
        await harness.stop(keepAudit: true)
        defer { try? FileManager.default.removeItem(at: harness.auditDirectory) }

        for refused in [responses[0], responses[3]] {
            #expect(refused.status == 503)
            #expect(refused.errorCode == "overloaded")
            #expect(refused.headers["retry-after"] == "2")
            #expect(refused.json["transactionId"] is String)
        }
        #expect(responses[1].status == 200)
        #expect(responses[2].status == 200)
        #expect(responses[2].json["status"] as? String == "ready")
        #expect(responses[4].body.contains(#"idgate_overload_shed_total{reason="queue_delay"} 2"#), "\(responses[4].body)")
        #expect(try AuditQuery().run(directory: harness.auditDirectory, key: nil).isEmpty)
    }

    @Test func theDefaultTargetAdmitsAnIdleGatewaysRequests() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        #expect(harness.configuration.overload.queueDelayTargetMillis == 5)
        let record = try #require(harness.sampleRecords().first)
        let response = try await harness.match(
            ["idNumber": record["idNumber"]!, "fullName": record["fullName"]!, "purpose": "account-opening"],
            apiKey: harness.apiKey("demo-agency"))
        #expect(response.status == 200, "\(response.body)")
    }
}
