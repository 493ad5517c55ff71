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

    /// Answers later than `answerDelayTargetMillis` for the interval make the loop refuse new requests, however
    /// short its read bursts. Target 0 makes every answer late by construction and an interval of 1 ms needs only
    /// two answers at least that far apart (the pause between them only makes them further apart on a busy
    /// machine); a burst target of 0 keeps the burst rule out and never counts a burst as caught up, and an answer
    /// target of 0 (a drill) keeps the late state through idle gaps, however slowly the test's requests follow.
    @Test func lateAnswersMakeTheGatewayRefuseNewRequests() async throws {
        let harness = try await GatewayHarness.start {
            $0.overload.queueDelayTargetMillis = 0
            $0.overload.queueDelayIntervalMillis = 1
            $0.overload.answerDelayTargetMillis = 0
            $0.server.threads = 1  // one loop: its answers decide for its requests
        }
        let record = try #require(harness.sampleRecords().first)
        let key = try harness.apiKey("demo-agency")
        let body: [String: Any] = [
            "idNumber": record["idNumber"]!, "fullName": record["fullName"]!, "purpose": "account-opening",
        ]
        let first = try await harness.match(body, apiKey: key)
        try await Task.sleep(for: .milliseconds(10))
        let second = try await harness.match(body, apiKey: key)
        let third = try await harness.match(body, apiKey: key)
        let health = try await harness.send(.init(method: "GET", path: "/healthz"))
        let metrics = try await harness.send(.init(method: "GET", path: "/metrics"))
        await harness.stop(keepAudit: true)
        defer { try? FileManager.default.removeItem(at: harness.auditDirectory) }

        #expect(first.status == 200 && second.status == 200, "\(first.body) \(second.body)")
        #expect(third.status == 503)
        #expect(third.errorCode == "overloaded")
        #expect(third.headers["retry-after"] != nil)
        #expect(health.status == 200)
        #expect(metrics.body.contains(#"idgate_overload_shed_total{reason="late_answers"} 1"#), "\(metrics.body)")
        #expect(metrics.body.contains(#"idgate_overload_shed_total{reason="queue_delay"} 0"#))
        // The two answers are audited, the refusal is not.
        #expect(try AuditQuery().run(directory: harness.auditDirectory, key: nil).count == 2)
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
