import Foundation
import IDGateAudit
@testable import IDGateGateway
import Testing

/// 413 and 415 on API routes are answered by the HTTP/2 layer before the route runs; they are audited all the same,
/// with the client their credentials name and the transaction ID of the answer.
@Suite struct RouteRejectionAuditEndToEndTests {
    @Test func bodyTooLargeAndUnsupportedMediaTypeAreAudited() async throws {
        let harness = try await GatewayHarness.start { $0.server.limits.maxRequestBodyBytes = 64 }
        let record = try #require(harness.sampleRecords().first)
        let key = try harness.apiKey("demo-agency")
        var tooLarge = harness.matchRequest(
            ["idNumber": record["idNumber"]!, "fullName": record["fullName"]!, "purpose": "account-opening"], apiKey: key)
        tooLarge.body = (tooLarge.body ?? "") + String(repeating: " ", count: 100)
        var wrongType = harness.matchRequest(["idNumber": record["idNumber"]!], apiKey: key)
        wrongType.headers["content-type"] = "text/plain"
        var anonymous = harness.matchRequest(["idNumber": record["idNumber"]!], apiKey: "idg_wrong")
        anonymous.headers["content-type"] = "text/plain"
        let responses = try await harness.send([tooLarge, wrongType, anonymous])
        await harness.stop(keepAudit: true)
        defer { try? FileManager.default.removeItem(at: harness.auditDirectory) }

        #expect(responses.map(\.status) == [413, 415, 415])
        #expect(responses.map(\.errorCode) == ["body_too_large", "unsupported_media_type", "unsupported_media_type"])
        let entries = try AuditQuery().run(directory: harness.auditDirectory, key: nil)
        #expect(entries.count == 3)
        let expected: [(status: Int, client: String)] = [(413, "demo-agency"), (415, "demo-agency"), (415, "-")]
        for (response, (status, client)) in zip(responses, expected) {
            let transactionID = try #require(response.json["transactionId"] as? String)
            let entry = try #require(entries.first { $0.transactionID == transactionID }, "no audit record for \(status)")
            #expect(entry.status == UInt16(status))
            #expect(entry.clientID == client)
            #expect(entry.operation == .match)
            #expect(entry.decision == AuditDecision.none)
        }
    }
}
