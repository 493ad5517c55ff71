import Foundation
@testable import IDGateAudit
import IDGateCore
import IDGateDemo
@testable import IDGateGateway
import Testing

/// How refused credentials are answered: the scheme is named, ambiguous credentials are refused, and a disabled
/// client's caller learns nothing that an unknown caller would not (the audit trail records who it was).
@Suite struct AuthenticationEndToEndTests {
    func body(_ harness: GatewayHarness) throws -> [String: Any] {
        let record = try #require(harness.sampleRecords().first)
        return ["idNumber": record["idNumber"]!, "sex": record["sex"]!, "purpose": "account-opening"]
    }

    @Test func unauthenticatedAnswersNameTheBearerScheme() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let wrongKey = try await harness.match(try body(harness), apiKey: "idg_not_a_real_key")
        #expect(wrongKey.status == 401)
        #expect(wrongKey.errorCode == "unauthenticated")
        #expect(wrongKey.headers["www-authenticate"] == "Bearer")
        let accepted = try await harness.match(try body(harness), apiKey: harness.apiKey("demo-agency"))
        #expect(accepted.status == 200)
        #expect(accepted.headers["www-authenticate"] == nil)
    }

    @Test func twoAuthorizationHeadersAreRefused() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let key = try harness.apiKey("demo-agency")
        var request = harness.matchRequest(try body(harness), apiKey: key)
        request.repeatedHeaders = [("authorization", "Bearer \(key)")]
        let response = try await harness.send(request)
        #expect(response.status == 401)
        #expect(response.errorCode == "unauthenticated")
        #expect(response.body.contains("more than one authorization header"), "\(response.body)")
        #expect(response.headers["www-authenticate"] == "Bearer")
    }

    @Test func disabledClientGetsTheAnswerOfAnUnknownKey() async throws {
        let scratch = try ScratchDirectory("idgate-disabled")
        let demo = try await SharedDemo.shared.directory()
        var clients = try ClientRegistryFile.load(from: DemoLayout(root: demo).clients)
        try clients.setEnabled(false, clientID: "demo-agency")
        let clientsFile = scratch.appending("clients.json")
        try clients.save(to: clientsFile)
        let harness = try await GatewayHarness.start { $0.clients.file = clientsFile.path }
        let disabled = try await harness.match(try body(harness), apiKey: harness.apiKey("demo-agency"))
        let unknown = try await harness.match(try body(harness), apiKey: "idg_not_a_real_key")
        await harness.stop(keepAudit: true)
        defer {
            try? FileManager.default.removeItem(at: harness.auditDirectory)
            scratch.remove()
        }
        #expect(disabled.status == 401)
        #expect(disabled.errorCode == "unauthenticated")
        #expect(!disabled.body.contains("disabled"), "\(disabled.body)")
        let message = { (response: GatewayHarness.Response) in (response.json["error"] as? [String: Any])?["message"] as? String }
        #expect(message(disabled) != nil)
        #expect(message(disabled) == message(unknown))
        // The audit trail knows who it was.
        let refused = try AuditQuery(clientID: "demo-agency").run(directory: harness.auditDirectory, key: nil)
        #expect(refused.map(\.status) == [401])
    }
}
