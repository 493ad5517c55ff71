import Foundation
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore
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
        harness.gateway.services.audit?.setMinimumFreeBytes(0)
        var recovered: GatewayHarness.Response?
        for _ in 0..<50 {
            let response = try await harness.match(body, apiKey: key)
            if response.status == 200 { recovered = response; break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(recovered?.json["decision"] as? String == "match")
    }
}

/// A chip challenge does not wait for its audit record while the log is healthy, but while it is failing the
/// challenge waits like every answer and is refused; once the log recovers, challenges are answered and audited.
@Suite struct ChallengeAuditFailureEndToEndTests {
    @Test func challengesAreRefusedWhileTheLogFailsAndAuditedOnceItRecovers() async throws {
        let harness = try await GatewayHarness.start { $0.audit.minimumFreeBytes = 1 << 60 }
        defer { Task { await harness.stop() } }
        let key = try harness.apiKey("demo-agency")
        let challenge = GatewayHarness.Request(path: "/v1/chip/challenge", headers: ["authorization": "Bearer \(key)"])
        // The first record that cannot be written marks the log failing (whichever request carried it).
        var refused: GatewayHarness.Response?
        for _ in 0..<50 {
            let response = try await harness.send(challenge)
            if response.status == 503 { refused = response; break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        let failing = try #require(refused, "challenges were still answered after the audit log had failed")
        #expect(failing.errorCode == "overloaded")
        #expect(failing.json["challenge"] == nil)
        let second = try await harness.send(challenge)
        #expect(second.status == 503, "while the log is failing every challenge waits for its record")

        harness.gateway.services.audit?.setMinimumFreeBytes(0)
        var answered: GatewayHarness.Response?
        for _ in 0..<50 {
            let response = try await harness.send(challenge)
            if response.status == 200 { answered = response; break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let issued = try #require(answered)
        let transactionID = try #require(issued.json["transactionId"] as? String)
        // Its record reaches the log with the next commit: a match answered after it waits for a later one.
        let record = try #require(harness.sampleRecords().first)
        let match = try await harness.match(["idNumber": record["idNumber"]!, "sex": record["sex"]!], apiKey: key)
        #expect(match.status == 200)
        let entries = try AuditQuery(clientID: "demo-agency").run(directory: harness.auditDirectory, key: nil)
        #expect(entries.contains { $0.transactionID == transactionID && $0.status == 200 })
    }
}

@Suite struct BatchAuditFailureEndToEndTests {
    /// A batch whose audit records cannot be written does not end like a complete answer: the stream is reset, so
    /// the client knows to retry, and nothing hangs.
    @Test func batchWithoutDurableAuditIsResetNotFinished() async throws {
        let harness = try await GatewayHarness.start { $0.audit.minimumFreeBytes = 1 << 60 }
        defer { Task { await harness.stop() } }
        let records = try harness.sampleRecords().prefix(5)
        let lines = try records.map { record in
            String(decoding: try JSONSerialization.data(withJSONObject: [
                "idNumber": record["idNumber"]!, "sex": record["sex"]!,
            ]), as: UTF8.self)
        }
        let request = GatewayHarness.Request(
            path: "/v1/identity/match:batch",
            headers: ["authorization": "Bearer \(try harness.apiKey("demo-agency"))", "content-type": "application/x-ndjson"],
            body: lines.joined(separator: "\n") + "\n")
        let started = Date()
        await #expect(throws: (any Error).self) { _ = try await harness.send(request) }
        #expect(Date().timeIntervalSince(started) < 20, "the failure is reported, not waited out")

        // Space returns: the same batch completes.
        harness.gateway.services.audit?.setMinimumFreeBytes(0)
        var completed: GatewayHarness.Response?
        for _ in 0..<50 {
            if let response = try? await harness.send(request), response.status == 200 { completed = response; break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(completed?.body.split(separator: "\n").count == lines.count)
    }
}
