import Foundation
import IDGateAudit
import IDGateCore
import IDGateDemo
import IDGateGateway
import IDGateStore
import IDGateWire
import Testing

/// Passport-keyed identity match (foreign residents) against a real gateway over real HTTP/2, on the demo registry.
@Suite(.serialized) struct ForeignerMatchEndToEndTests {
    /// Foreign residents from the demo's sample, as the registry exported them.
    func foreigners(_ harness: GatewayHarness) throws -> [[String: Any]] {
        let text = try String(contentsOf: DemoLayout(root: harness.demo).foreignerSample, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// One with a full date of birth, a stay still running and given names.
    func current(_ harness: GatewayHarness, where extra: ([String: Any]) -> Bool = { _ in true }) throws -> [String: Any] {
        try #require(foreigners(harness).first {
            ($0["dateOfBirth"] as? String)?.count == 10 && ($0["permittedUntil"] as! String) > "2027"
                && !($0["givenNames"] as! String).isEmpty && extra($0)
        })
    }

    func fullName(_ record: [String: Any]) -> String { "\(record["surname"]!) \(record["givenNames"]!)" }

    @Test func exactFieldsMatchByPassportKey() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let record = try current(harness)
        let response = try await harness.match(
            [
                "passportNumber": record["passportNumber"]!, "nationality": record["nationality"]!,
                "fullName": fullName(record), "dateOfBirth": record["dateOfBirth"]!, "sex": record["sex"]!,
                "residenceCardNumber": record["residenceCardNumber"]!, "purpose": "account-opening", "ref": "f-1",
            ], apiKey: harness.apiKey("demo-agency"))
        #expect(response.status == 200)
        let json = response.json
        #expect(json["decision"] as? String == "match")
        #expect(json["ref"] as? String == "f-1")
        let fields = try #require(json["fields"] as? [String: Any])
        #expect(Set(fields.keys) == ["fullName", "dateOfBirth", "sex", "residenceCardNumber"])
        #expect((json["status"] as? [String: String]) == ["record": "active", "card": "valid"])
        #expect(response.headers["x-idgate-signature"] != nil)
        #expect(!response.body.contains(record["passportNumber"] as! String))
    }

    @Test func givenNamesFirstMatchesWithReason() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let record = try current(harness)
        let response = try await harness.match(
            [
                "passportNumber": record["passportNumber"]!, "nationality": record["nationality"]!,
                "fullName": "\(record["givenNames"]!) \(record["surname"]!)", "purpose": "account-opening",
            ], apiKey: harness.apiKey("demo-agency"))
        #expect(response.status == 200)
        let field = try #require((response.json["fields"] as? [String: Any])?["fullName"] as? [String: Any])
        #expect(field["result"] as? String == "match")
        #expect(field["reasons"] as? [String] == ["name_order_swapped"])
    }

    @Test func mismatchPerField() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let record = try current(harness)
        let key: [String: Any] = [
            "passportNumber": record["passportNumber"]!, "nationality": record["nationality"]!, "purpose": "account-opening",
        ]
        let otherSex = record["sex"] as! String == "male" ? "female" : "male"
        let birth = record["dateOfBirth"] as! String
        let otherBirth = String(Int(birth.prefix(4))! - 7) + birth.dropFirst(4)
        let cases: [(String, Any)] = [
            ("fullName", "NOBODY ELSEWHERE"), ("dateOfBirth", otherBirth), ("sex", otherSex),
            ("residenceCardNumber", "TT00000001"),
        ]
        for (field, value) in cases {
            let response = try await harness.match(key.merging([field: value]) { $1 }, apiKey: harness.apiKey("demo-agency"))
            #expect(response.status == 200)
            #expect(response.json["decision"] as? String == "mismatch", "\(field)")
            let result = try #require((response.json["fields"] as? [String: Any])?[field] as? [String: Any])
            #expect(result["result"] as? String == "mismatch", "\(field)")
        }
    }

    @Test func unknownPassportIsNotFoundWithTheShapeOfAnIDNumberMiss() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let foreign = try await harness.match(
            ["passportNumber": "Z99999999", "nationality": "KOR", "fullName": "KIM MIN-JUN", "purpose": "account-opening"],
            apiKey: harness.apiKey("demo-agency"))
        let citizen = try await harness.match(
            ["idNumber": "001085099999", "fullName": "Nguyễn Văn A", "purpose": "account-opening"],
            apiKey: harness.apiKey("demo-agency"))
        #expect(foreign.status == 200)
        #expect(foreign.json["decision"] as? String == "not_found")
        #expect(Set(foreign.json.keys) == Set(citizen.json.keys))
        #expect(citizen.json["decision"] as? String == "not_found")
    }

    @Test func badKeysAre422NamingTheField() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let record = try current(harness)
        let cases: [([String: Any], String, String)] = [
            (["idNumber": "001085012345", "passportNumber": record["passportNumber"]!, "nationality": "KOR", "fullName": "A"],
             "invalid_field", "idNumber"),
            (["fullName": "KIM MIN-JUN"], "missing_field", "idNumber"),
            (["passportNumber": "M12345678", "fullName": "KIM"], "missing_field", "nationality"),
            (["nationality": "KOR", "fullName": "KIM"], "missing_field", "passportNumber"),
            (["passportNumber": "M12345678", "nationality": "KOQ", "fullName": "KIM"], "invalid_field", "nationality"),
            (["passportNumber": "M1234-5678", "nationality": "KOR", "fullName": "KIM"], "invalid_field", "passportNumber"),
            (["passportNumber": "M12345678", "nationality": "KOR", "placeOfOrigin": "Hà Nội"], "invalid_field", "placeOfOrigin"),
            (["idNumber": "001085012345", "residenceCardNumber": "TT12345678"], "invalid_field", "residenceCardNumber"),
        ]
        for (body, code, field) in cases {
            var body = body
            body["purpose"] = "account-opening"
            let response = try await harness.match(body, apiKey: harness.apiKey("demo-agency"))
            #expect(response.status == 422, "\(body)")
            #expect(response.errorCode == code, "\(body)")
            #expect(response.errorField == field, "\(body)")
        }
    }

    @Test func batchLineTakesThePassportKeyAndTheAuditHashesIt() async throws {
        let harness = try await GatewayHarness.start()
        let record = try current(harness)
        let foreignLine: [String: Any] = [
            "passportNumber": record["passportNumber"]!, "nationality": record["nationality"]!,
            "fullName": fullName(record), "ref": "p-1", "purpose": "account-opening",
        ]
        let lines = [
            String(decoding: try JSONSerialization.data(withJSONObject: foreignLine), as: UTF8.self),
            #"{"passportNumber":"M12345678","nationality":"KOR","idNumber":"001085012345","fullName":"X","ref":"both"}"#,
        ]
        let response = try await harness.send(.init(
            path: "/v1/identity/match:batch",
            headers: ["authorization": "Bearer \(try harness.apiKey("demo-agency"))", "content-type": "application/x-ndjson"],
            body: lines.joined(separator: "\n") + "\n"))
        #expect(response.status == 200)
        let answers = response.body.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(answers.count == 2)
        #expect(answers.first?["decision"] as? String == "match")
        #expect(answers.first?["ref"] as? String == "p-1")
        #expect((answers.last?["error"] as? [String: Any])?["code"] as? String == "invalid_field")
        #expect(answers.last?["line"] as? Int == 2)

        let single = try await harness.match(foreignLine, apiKey: harness.apiKey("demo-agency"))
        #expect(single.status == 200)
        await harness.stop(keepAudit: true)
        defer { try? FileManager.default.removeItem(at: harness.auditDirectory) }
        let key = try AuditKey.load(from: DemoLayout(root: harness.demo).auditKey)
        let subject = "\(record["nationality"]!):\(record["passportNumber"]!)"
        let entries = try AuditQuery(subjectIDNumber: subject).run(directory: harness.auditDirectory, key: key)
        #expect(entries.count == 2)  // the batch line and the single request
    }

    @Test func offlineMatchTakesThePassportKeyInNDJSONAndCSV() async throws {
        let demo = try await SharedDemo.shared.directory()
        let store = try RegistryStore.open(directory: DemoLayout(root: demo).registry.path)
        let text = try String(contentsOf: DemoLayout(root: demo).foreignerSample, encoding: .utf8)
        let records = try text.split(separator: "\n").prefix(50).map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("offline-f-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var ndjson = ""
        var csv = "passportNumber,nationality,fullName,ref\n"
        for (index, record) in records.enumerated() {
            let name = "\(record["givenNames"]!) \(record["surname"]!)"
            ndjson += String(decoding: try JSONSerialization.data(withJSONObject: [
                "passportNumber": record["passportNumber"]!, "nationality": record["nationality"]!, "fullName": name,
                "ref": "r\(index)",
            ]), as: UTF8.self) + "\n"
            csv += "\(record["passportNumber"]!),\(record["nationality"]!),\"\(name)\",r\(index)\n"
        }
        try ndjson.write(to: work.appendingPathComponent("in.ndjson"), atomically: true, encoding: .utf8)
        try csv.write(to: work.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
        let matcher = OfflineMatcher(store: store, threads: 2)
        for format in [OfflineMatcher.Format.ndjson, .csv] {
            let summary = try matcher.run(
                input: work.appendingPathComponent("in.\(format.rawValue)").path, inputFormat: format,
                output: work.appendingPathComponent("out.\(format.rawValue)").path, outputFormat: format)
            #expect(summary.lines == records.count)
            #expect(summary.decisions["match"] == records.count, "\(format)")
            #expect(summary.reasons["name_order_swapped"] == records.filter { !($0["givenNames"] as! String).isEmpty }.count)
        }
    }
}

