import Foundation
import IDGateChip
import IDGateGateway
import IDGateCore
import IDGateDemo
import IDGateAudit
import IDGateWire
import Testing

@Suite(.serialized) struct BatchEndToEndTests {
    @Test func batchAnswersEveryLineInOrderAndABadLineInPlace() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let records = try harness.sampleRecords().prefix(40)
        var lines: [String] = []
        for (index, record) in records.enumerated() {
            if index == 17 {
                lines.append(#"{"idNumber":"001085012345","fullNmae":"typo","ref":"bad-17"}"#)
                continue
            }
            let body: [String: Any] = [
                "idNumber": record["idNumber"]!, "fullName": record["fullName"]!, "ref": "r\(index)",
                "purpose": "account-opening",
            ]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        }
        let response = try await harness.send(.init(
            path: "/v1/identity/match:batch",
            headers: ["authorization": "Bearer \(try harness.apiKey("demo-agency"))", "content-type": "application/x-ndjson"],
            body: lines.joined(separator: "\n") + "\n"))
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/x-ndjson")
        let answers = response.body.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(answers.count == lines.count)
        for (index, answer) in answers.enumerated() {
            if index == 17 {
                #expect(answer["line"] as? Int == 18)
                #expect(answer["ref"] as? String == "bad-17")
                #expect((answer["error"] as? [String: Any])?["code"] as? String == "unknown_field")
            } else {
                #expect(answer["ref"] as? String == "r\(index)")
                #expect(answer["decision"] as? String == "match")
            }
        }
    }

    /// Lines of every kind in one batch: each answered as its single endpoint answers it (same decision, fields,
    /// status and request digest), under that endpoint's policy per line; bad kinds answered in place.
    @Test func batchLinesOfEveryKindAreAnsweredAsTheirEndpoints() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let layout = DemoLayout(root: harness.demo)
        let resident = try #require(harness.sampleRecords().first)
        let document = try #require(DocumentsEndToEndTests.rows(layout.documentsSample).first { $0["documentType"] == "driving-licence" })
        let organization = try #require(DocumentsEndToEndTests.rows(layout.organizationsSample).first)
        func json(_ object: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self)
        }
        let documentBody: [String: Any] = [
            "documentType": "driving-licence", "documentNumber": document["documentNumber"]!,
            "holderIdNumber": document["holderIdNumber"]!, "fullName": "Nguyễn Không Phải", "ref": "d1",
        ]
        let organizationBody: [String: Any] = [
            "organizationId": organization["organizationId"]!, "name": organization["name"]!, "ref": "o1",
        ]
        let identityBody: [String: Any] = ["idNumber": resident["idNumber"]!, "fullName": resident["fullName"]!]
        let lines = [
            try json(identityBody.merging(["ref": "i1"]) { $1 }),
            // "kind" anywhere among the members; sorted keys put it first here, last in the identity line.
            try json(documentBody.merging(["kind": "document"]) { $1 }),
            try json(organizationBody.merging(["kind": "organization"]) { $1 }),
            #"{"idNumber":"\#(resident["idNumber"]!)","fullName":"\#(resident["fullName"]!)","ref":"i2", "kind" : "identity" }"#,
            #"{"kind":"passport","passportNumber":"B1234567","ref":"bad-kind"}"#,
            #"{"kind":3,"organizationId":"0101234567","name":"x"}"#,
            #"{"kind":"document","documentType":"passport","documentNumber":"1","holderIdNumber":"001085012345","ref":"bad-type"}"#,
            #"{"kind":"organization","organizationId":"12","name":"x","ref":"bad-code"}"#,
            #"{"kind":"document","kind":"organization","organizationId":"0101234567","name":"x"}"#,
            #"{"kind":"organization","organizationId":"0101234567","name":"x","idNumber":"001085012345"}"#,
        ]
        let agency = try harness.apiKey("demo-agency")
        let response = try await harness.send(.init(
            path: "/v1/identity/match:batch",
            headers: ["authorization": "Bearer \(agency)", "content-type": "application/x-ndjson"],
            body: lines.joined(separator: "\n") + "\n"))
        #expect(response.status == 200)
        let answers = response.body.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        try #require(answers.count == lines.count)
        func error(_ answer: [String: Any]) -> String {
            let error = answer["error"] as? [String: Any]
            return "\(answer["line"] as? Int ?? 0) \(error?["code"] as? String ?? "-") \(error?["field"] as? String ?? "-")"
        }
        // The single endpoints' answers to the same bodies.
        let single = try await harness.send([
            .init(path: "/v1/identity/match", headers: ["authorization": "Bearer \(agency)", "content-type": "application/json"],
                  body: try json(identityBody.merging(["ref": "i1"]) { $1 })),
            .init(path: "/v1/documents/verify", headers: ["authorization": "Bearer \(agency)", "content-type": "application/json"],
                  body: try json(documentBody)),
            .init(path: "/v1/organizations/match", headers: ["authorization": "Bearer \(agency)", "content-type": "application/json"],
                  body: try json(organizationBody)),
        ])
        for (index, expected) in single.enumerated() {
            var line = answers[index]
            var alone = expected.json
            #expect(line["transactionId"] as? String != alone["transactionId"] as? String)
            line["transactionId"] = nil
            alone["transactionId"] = nil
            #expect(NSDictionary(dictionary: line) == NSDictionary(dictionary: alone), "line \(index + 1)")
        }
        #expect(answers[1]["decision"] as? String == "mismatch")
        #expect((answers[1]["status"] as? [String: String])?["document"] != nil)
        #expect((answers[2]["status"] as? [String: String])?["organization"] != nil)
        #expect(answers[3]["ref"] as? String == "i2")
        #expect(answers[3]["decision"] as? String == "match")
        #expect(answers[4...].map(error) == [
            "5 invalid_field kind", "6 invalid_field kind", "7 invalid_field documentType", "8 invalid_field organizationId",
            "9 invalid_field kind", "10 unknown_field idNumber",
        ])
        #expect(answers[4]["ref"] as? String == "bad-kind")
        #expect(((answers[4]["error"] as? [String: Any])?["message"] as? String)?.contains("identity, document, organization") == true)
        #expect(answers[6]["ref"] as? String == "bad-type")

        // Policy per line: the telco may batch identity matches but not check documents or organizations.
        let telco = try await harness.send(.init(
            path: "/v1/identity/match:batch",
            headers: ["authorization": "Bearer \(try harness.apiKey("demo-telco"))", "content-type": "application/x-ndjson"],
            body: [try json(identityBody.merging(["purpose": "sim-registration"]) { $1 }), lines[1], lines[2]]
                .joined(separator: "\n") + "\n"))
        let telcoAnswers = telco.body.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        try #require(telcoAnswers.count == 3)
        #expect(telcoAnswers[0]["decision"] as? String == "match")
        #expect(telcoAnswers[1...].map(error) == ["2 forbidden documentVerify", "3 forbidden organizationMatch"])
        #expect(telcoAnswers[1]["ref"] as? String == "d1")
    }

    @Test func largeBatchStreamsWithBoundedBuffering() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let records = try harness.sampleRecords()
        // ~20,000 lines (several MB): more than the stream window, so the upload must be flow-controlled.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID().uuidString).ndjson")
        var text = ""
        for index in 0..<20_000 {
            let record = records[index % records.count]
            text += #"{"idNumber":"\#(record["idNumber"]!)","sex":"\#(record["sex"]!)","ref":"\#(index)"}"# + "\n"
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let response = try await harness.send(.init(
            path: "/v1/identity/match:batch",
            headers: ["authorization": "Bearer \(try harness.apiKey("demo-tester"))", "content-type": "application/x-ndjson"],
            bodyFile: file.path))
        #expect(response.status == 200)
        let answers = response.body.split(separator: "\n")
        #expect(answers.count == 20_000)
        #expect(answers.last?.contains(#""ref":"19999""#) == true)
    }
}

@Suite(.serialized) struct ChipEndToEndTests {
    struct Card {
        var id: String
        var kind: String
        var directory: URL
        func file(_ name: String) throws -> String { try Data(contentsOf: directory.appendingPathComponent(name)).base64EncodedString() }
    }

    func cards(_ harness: GatewayHarness) throws -> [Card] {
        try TestCardFactory.readIndex(demoDirectory: harness.demo).map {
            Card(id: $0.id, kind: $0.kind.rawValue, directory: harness.demo.appendingPathComponent($0.dir))
        }
    }

    func verify(_ harness: GatewayHarness, card: Card, activeAuth: Bool) async throws -> GatewayHarness.Response {
        let key = try harness.apiKey("demo-agency")
        let headers = ["authorization": "Bearer \(key)", "content-type": "application/json"]
        var groups: [String: String] = [:]
        for (number, name) in [(1, "EF_DG1.bin"), (13, "EF_DG13.bin"), (14, "EF_DG14.bin"), (15, "EF_DG15.bin")]
        where FileManager.default.fileExists(atPath: card.directory.appendingPathComponent(name).path) {
            groups[String(number)] = try card.file(name)
        }
        var body: [String: Any] = ["sod": try card.file("EF_SOD.bin"), "dataGroups": groups, "purpose": "account-opening"]
        if activeAuth {
            let challenge = try await harness.send(.init(path: "/v1/chip/challenge", headers: ["authorization": "Bearer \(key)"]))
            #expect(challenge.status == 200)
            let hex = try #require(challenge.json["challenge"] as? String)
            #expect(hex.count == 16)
            let bytes = stride(from: 0, to: 16, by: 2).map { UInt8(hex[hex.index(hex.startIndex, offsetBy: $0)...].prefix(2), radix: 16)! }
            let keyPEM = try String(contentsOf: card.directory.appendingPathComponent("aa.key.pem"), encoding: .utf8)
            let signature = try ActiveAuthSigner.sign(challenge: bytes, keyPEM: keyPEM)
            body["activeAuth"] = ["challengeId": challenge.json["challengeId"]!, "signature": Data(signature).base64EncodedString()]
        }
        return try await harness.send(.init(
            path: "/v1/chip/verify", headers: headers,
            body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)))
    }

    @Test func validCardWithActiveAuthenticationIsValid() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let card = try #require(try cards(harness).first { $0.kind == "valid" })
        let response = try await verify(harness, card: card, activeAuth: true)
        #expect(response.status == 200)
        let passive = try #require(response.json["passiveAuth"] as? [String: Any])
        #expect(passive["result"] as? String == "valid")
        #expect(passive["chain"] as? String == "trusted")
        #expect((response.json["activeAuth"] as? [String: Any])?["result"] as? String == "valid")
        #expect((response.json["registry"] as? [String: Any])?["decision"] as? String == "match")
        #expect(response.json["decision"] as? String == "valid")
        #expect(response.headers["x-idgate-signature"] != nil)
    }

    @Test func tamperedAndRevokedCardsAreInvalidWithTheReason() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let all = try cards(harness)
        let tampered = try #require(all.first { $0.kind == "tampered" })
        let response = try await verify(harness, card: tampered, activeAuth: false)
        #expect(response.status == 200)
        #expect(response.json["decision"] as? String == "invalid")
        let groups = (response.json["passiveAuth"] as? [String: Any])?["dataGroups"] as? [String: String]
        #expect(groups?.values.contains("mismatch") == true)
        let revoked = try #require(all.first { $0.kind == "revoked_ds" })
        let revokedResponse = try await verify(harness, card: revoked, activeAuth: false)
        #expect((revokedResponse.json["passiveAuth"] as? [String: Any])?["chain"] as? String == "revoked")
        #expect(revokedResponse.json["decision"] as? String == "invalid")
    }

    @Test func reusedChallengeAndBadBodiesAreRefused() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let key = try harness.apiKey("demo-agency")
        let headers = ["authorization": "Bearer \(key)", "content-type": "application/json"]
        let responses = try await harness.send([
            .init(path: "/v1/chip/verify", headers: headers, body: #"{"sod":"!!notbase64","dataGroups":{"1":"AA=="}}"#),
            .init(path: "/v1/chip/verify", headers: headers, body: #"{"dataGroups":{"1":"AA=="}}"#),
            .init(path: "/v1/chip/verify", headers: headers, body: #"{"sod":"AA==","dataGroups":{"99":"AA=="}}"#),
            .init(path: "/v1/chip/verify", headers: headers, body: #"{"sod":"AA==","dataGroups":{"1":"AA=="},"extra":1}"#),
            .init(path: "/v1/chip/verify", headers: headers, body: #"{"sod":"AA==","dataGroups":{"1":"AA=="},"activeAuth":{"challengeId":"nope","signature":"AA=="}}"#),
            .init(path: "/v1/chip/verify", headers: headers, body: #"{"sod":"AAAA","dataGroups":{"1":"AAAA"}}"#),
        ])
        let observed = responses.map { "\($0.status) \($0.errorCode ?? "-") \($0.errorField ?? "-")" }
        #expect(observed[0] == "422 invalid_field sod")
        #expect(observed[1] == "422 missing_field sod")
        #expect(observed[2] == "422 invalid_field dataGroups.99")
        #expect(observed[3] == "422 unknown_field extra")
        #expect(observed[4] == "422 invalid_field activeAuth.challengeId")
        // Garbage that is valid base64 is a verification result, not a crash: invalid with a reason.
        #expect(responses[5].status == 200)
        #expect(responses[5].json["decision"] as? String == "invalid")
    }
}
