import Foundation
import IDGateAudit
import IDGateCore
import IDGateDemo
import IDGateGateway
import IDGateTestSupport
import Testing

/// `POST /v1/subjects/access-history` against a real gateway over real HTTP/2, after real match requests.
@Suite(.serialized) struct AccessHistoryEndToEndTests {
    static func historyRequest(_ body: [String: Any], apiKey: String) -> GatewayHarness.Request {
        let data = try! JSONSerialization.data(withJSONObject: body)
        return GatewayHarness.Request(
            path: "/v1/subjects/access-history",
            headers: ["authorization": "Bearer \(apiKey)", "content-type": "application/json"],
            body: String(decoding: data, as: UTF8.self))
    }

    static func history(_ harness: GatewayHarness, _ body: [String: Any]) async throws -> GatewayHarness.Response {
        try await harness.send(historyRequest(body, apiKey: try harness.apiKey("demo-portal")))
    }

    static func entries(_ response: GatewayHarness.Response) -> [[String: Any]] {
        response.json["entries"] as? [[String: Any]] ?? []
    }

    /// An ID number from the demo sample, and the full name stored for it.
    static func resident(_ harness: GatewayHarness, _ index: Int = 0) throws -> (idNumber: String, fullName: String) {
        let records = try harness.sampleRecords()
        let record = records[index]
        return (record["idNumber"] as! String, record["fullName"] as! String)
    }

    @Test func historyListsRealUsesNewestFirstWithPagingAndIsItselfAudited() async throws {
        let outbox = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-outbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: outbox) }
        let harness = try await GatewayHarness.start { configuration in
            configuration.audit.nodeId = "test-node-4"
            configuration.audit.outbox = AuditOutboxConfiguration(file: outbox.appendingPathComponent("outbox.ndjson").path)
        }
        defer { Task { await harness.stop() } }
        let (idNumber, fullName) = try Self.resident(harness)
        let agency = try harness.apiKey("demo-agency")
        var transactions: [String] = []
        for purpose in ["kyc-refresh", "account-opening", "loan-application"] {
            let response = try await harness.match(
                ["idNumber": idNumber, "fullName": fullName, "purpose": purpose], apiKey: agency)
            #expect(response.status == 200)
            transactions.append(try #require(response.json["transactionId"] as? String))
        }

        // Newest first, two per page, the cursor leads to the rest.
        let first = try await Self.history(harness, ["idNumber": idNumber, "limit": 2])
        #expect(first.status == 200, "\(first.body)")
        #expect(first.headers["x-idgate-signature"] != nil)
        let page1 = Self.entries(first)
        #expect(page1.map { $0["transactionId"] as? String } == [transactions[2], transactions[1]])
        let entry = try #require(page1.first)
        #expect(entry["client"] as? String == "demo-agency")
        #expect(entry["clientName"] as? String == "demo-agency")
        #expect(entry["clientKind"] as? String == "agency")
        #expect(entry["operation"] as? String == "match")
        #expect(entry["purpose"] as? String == "loan-application")
        #expect(entry["decision"] as? String == "match")
        // The names of the attributes compared (the ID number is the key, not an attribute checked).
        #expect(entry["attributes"] as? [String] == ["fullName"])
        #expect((entry["at"] as? String)?.hasSuffix("Z") == true)
        #expect(Set(entry.keys) == ["at", "client", "clientName", "clientKind", "operation", "purpose", "attributes", "decision", "transactionId"])
        // Never a stored or submitted value.
        #expect(!first.body.contains(fullName))
        #expect(!first.body.contains(idNumber))
        let cursor = try #require(first.json["cursor"] as? String)

        let second = try await Self.history(harness, ["idNumber": idNumber, "limit": 2, "cursor": cursor])
        #expect(second.status == 200)
        #expect(Self.entries(second).map { $0["transactionId"] as? String } == [transactions[0]])
        #expect(second.json["cursor"] is NSNull)

        // Reading the history was audited: the portal's reads now lead the history.
        let third = try await Self.history(harness, ["idNumber": idNumber])
        let reads = Self.entries(third).prefix(2)
        #expect(reads.map { $0["operation"] as? String } == ["accessHistory", "accessHistory"])
        #expect(reads.map { $0["client"] as? String } == ["demo-portal", "demo-portal"])
        #expect(reads.first?["clientName"] as? String == "Demo Citizen Portal")
        #expect(reads.first?["clientKind"] as? String == "citizen-portal")
        #expect(reads.map { $0["transactionId"] as? String } == [second.json["transactionId"] as? String, first.json["transactionId"] as? String])
        #expect(Self.entries(third).count == 5)

        // The outbox has an event per answer about the subject, without the number (it is written before the
        // index moves, so the history read above guarantees these lines are there).
        let lines = try String(contentsOf: outbox.appendingPathComponent("outbox.ndjson"), encoding: .utf8)
            .split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(lines.filter { $0["client"] as? String == "demo-agency" }.map { $0["purpose"] as? String }
            == ["kyc-refresh", "account-opening", "loan-application"])
        // The three reads (the third was durable before its answer).
        #expect(lines.filter { $0["operation"] as? String == "accessHistory" }.count == 3)
        #expect(lines.allSatisfy { $0["node"] as? String == "test-node-4" && ($0["subjectHash"] as? String)?.count == 64 })
        #expect(!lines.description.contains(idNumber))

        await harness.stop(keepAudit: true)
        defer { try? FileManager.default.removeItem(at: harness.auditDirectory) }
        let report = try AuditVerifier.verify(directory: harness.auditDirectory)
        #expect(report.isIntact)
        #expect(report.nodeIDs == ["test-node-4"])
    }

    @Test func unknownNumberGetsAnEmptyHistoryOfTheSameShape() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let (idNumber, fullName) = try Self.resident(harness, 1)
        _ = try await harness.match(["idNumber": idNumber, "fullName": fullName], apiKey: try harness.apiKey("demo-agency"))
        let known = try await Self.history(harness, ["idNumber": idNumber, "limit": 1])
        let unknown = try await Self.history(harness, ["idNumber": "001099999999", "limit": 1])
        #expect(known.status == 200 && unknown.status == 200)
        #expect(Set(known.json.keys) == Set(unknown.json.keys))
        #expect(Set(unknown.json.keys) == ["transactionId", "entries", "cursor"])
        #expect(Self.entries(unknown).isEmpty)
        #expect(unknown.json["cursor"] is NSNull)
        #expect(Self.entries(known).count == 1)
    }

    @Test func badInputAndOtherClientsAreRefused() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let (idNumber, fullName) = try Self.resident(harness, 2)
        let (otherNumber, otherName) = try Self.resident(harness, 3)
        let agency = try harness.apiKey("demo-agency")
        for (number, name) in [(idNumber, fullName), (idNumber, fullName), (otherNumber, otherName), (otherNumber, otherName)] {
            _ = try await harness.match(["idNumber": number, "fullName": name], apiKey: agency)
        }
        // Every other kind of client: 403, whatever its operations.
        for client in ["demo-agency", "demo-tester", "demo-airline", "demo-telco"] {
            let response = try await harness.send(Self.historyRequest(["idNumber": idNumber], apiKey: try harness.apiKey(client)))
            #expect(response.status == 403, "\(client): \(response.body)")
            #expect(response.errorCode == "forbidden")
        }
        let malformed = try await Self.history(harness, ["idNumber": "12345"])
        #expect(malformed.status == 422)
        #expect(malformed.errorCode == "invalid_field")
        #expect(malformed.errorField == "idNumber")
        let missing = try await Self.history(harness, ["limit": 3])
        #expect(missing.status == 422 && missing.errorField == "idNumber")
        for limit in [0, 201, -1] {
            let response = try await Self.history(harness, ["idNumber": idNumber, "limit": limit])
            #expect(response.status == 422 && response.errorField == "limit")
        }
        let unknownField = try await Self.history(harness, ["idNumber": idNumber, "fullName": "x"])
        #expect(unknownField.status == 422 && unknownField.errorCode == "unknown_field")

        // A cursor of one subject's history does not page another's, and an edited one is refused.
        let page = try await Self.history(harness, ["idNumber": idNumber, "limit": 1])
        let cursor = try #require(page.json["cursor"] as? String)
        let foreign = try await Self.history(harness, ["idNumber": otherNumber, "cursor": cursor])
        #expect(foreign.status == 400)
        #expect(foreign.errorCode == "invalid_cursor")
        #expect(foreign.errorField == "cursor")
        let edited = try await Self.history(harness, ["idNumber": idNumber, "cursor": String(cursor.reversed())])
        #expect(edited.status == 400 && edited.errorCode == "invalid_cursor")
        // The refusals were audited too: the foreign-cursor attempt shows in the other subject's history.
        let other = try await Self.history(harness, ["idNumber": otherNumber])
        let refused = Self.entries(other).first { $0["decision"] as? String == "refused" }
        #expect(refused?["operation"] as? String == "accessHistory")
        #expect(refused?["transactionId"] as? String == foreign.json["transactionId"] as? String)
    }

    @Test func historySurvivesLosingTheIndex() async throws {
        let first = try await GatewayHarness.start()
        let (idNumber, fullName) = try Self.resident(first, 4)
        for _ in 0..<3 {
            _ = try await first.match(["idNumber": idNumber, "fullName": fullName], apiKey: try first.apiKey("demo-agency"))
        }
        let before = Self.entries(try await Self.history(first, ["idNumber": idNumber]))
        #expect(before.count == 3)
        await first.stop(keepAudit: true)
        defer { try? FileManager.default.removeItem(at: first.auditDirectory) }
        try FileManager.default.removeItem(at: first.auditDirectory.appendingPathComponent("subject-index"))

        let second = try await GatewayHarness.start { $0.audit.directory = first.auditDirectory.path }
        let after = Self.entries(try await Self.history(second, ["idNumber": idNumber]))
        await second.stop(keepAudit: true)
        // Rebuilt from the segments: the same uses, behind the first run's history read.
        #expect(after.count == 4)
        #expect(after.dropFirst().map { $0["transactionId"] as? String } == before.map { $0["transactionId"] as? String })
        #expect(after.first?["operation"] as? String == "accessHistory")
    }
}
