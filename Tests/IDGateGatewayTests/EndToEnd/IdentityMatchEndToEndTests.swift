import Foundation
import IDGateGateway
import IDGateCore
import IDGateDemo
import IDGateAudit
import IDGateWire
import IDGateTestSupport
import Testing

/// The match API against a real gateway over real HTTP/2 (httpx), on the generated demo registry.
@Suite(.serialized) struct IdentityMatchEndToEndTests {
    /// A registry record with a full date of birth and a valid card, as the sample exported it.
    func activeRecord(_ harness: GatewayHarness) throws -> [String: Any] {
        try #require(harness.sampleRecords().first {
            ($0["dateOfBirth"] as? String)?.count == 10 && ($0["recordStatus"] as? String) == "active"
                && ($0["cardStatus"] as? String) == "valid"
        })
    }

    @Test func exactAttributesMatchAndNothingStoredIsReturned() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let record = try activeRecord(harness)
        let response = try await harness.match(
            [
                "idNumber": record["idNumber"]!, "fullName": record["fullName"]!, "dateOfBirth": record["dateOfBirth"]!,
                "sex": record["sex"]!, "purpose": "account-opening", "ref": "caller-ref-1",
            ], apiKey: harness.apiKey("demo-agency"))
        #expect(response.status == 200)
        #expect(response.httpVersion == "HTTP/2")
        let json = response.json
        #expect(json["decision"] as? String == "match")
        #expect(json["ref"] as? String == "caller-ref-1")
        #expect((json["transactionId"] as? String)?.isEmpty == false)
        #expect((json["requestDigest"] as? String)?.count == 64)
        let fields = try #require(json["fields"] as? [String: Any])
        #expect(Set(fields.keys) == ["fullName", "dateOfBirth", "sex"])
        #expect((json["status"] as? [String: String])?["record"] == "active")
        #expect((json["status"] as? [String: String])?["card"] == "valid")
        // Never a stored value: the body contains no registry text the caller did not send.
        #expect(!response.body.contains(record["placeOfResidence"] as! String))
        #expect(response.headers["x-idgate-signature"] != nil)
    }

    @Test func nameWithoutDiacriticsIsAPartialOrMatchWithReason() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let record = try activeRecord(harness)
        let folded = (record["fullName"] as! String).folding(options: .diacriticInsensitive, locale: nil)
            .replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "D")
        let response = try await harness.match(
            ["idNumber": record["idNumber"]!, "fullName": folded, "purpose": "account-opening"],
            apiKey: harness.apiKey("demo-agency"))
        #expect(response.status == 200)
        let field = try #require((response.json["fields"] as? [String: Any])?["fullName"] as? [String: Any])
        #expect(field["result"] as? String != "mismatch")
        #expect((field["reasons"] as? [String])?.contains("no_diacritics") == true)
    }

    @Test func unknownNumberIsNotFoundWithoutFields() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let response = try await harness.match(
            ["idNumber": "001099999999", "fullName": "Nguyễn Văn An"], apiKey: harness.apiKey("demo-agency"))
        #expect(response.status == 200)
        #expect(response.json["decision"] as? String == "not_found")
        #expect(response.json["fields"] == nil)
        #expect(response.json["status"] == nil)
    }

    @Test func badRequestsGetTheDocumentedErrors() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let key = try harness.apiKey("demo-agency")
        let auth = ["authorization": "Bearer \(key)", "content-type": "application/json"]
        let responses = try await harness.send([
            .init(path: "/v1/identity/match", headers: auth, body: #"{"idNumber":"001085012345","fullNmae":"A"}"#),
            .init(path: "/v1/identity/match", headers: auth, body: #"{"idNumber":"001085012345"}"#),
            .init(path: "/v1/identity/match", headers: auth, body: #"{"idNumber":"12345","fullName":"A"}"#),
            .init(path: "/v1/identity/match", headers: auth, body: #"{"idNumber":"001085012345","dateOfBirth":"1985-02-30"}"#),
            .init(path: "/v1/identity/match", headers: auth, body: #"{"idNumber": "#),
            .init(path: "/v1/identity/match", headers: ["authorization": "Bearer \(key)", "content-type": "text/plain"], body: "{}"),
            .init(path: "/v1/identity/nope", headers: auth, body: "{}"),
            .init(method: "GET", path: "/v1/identity/match", headers: auth),
            .init(path: "/v1/identity/match", headers: ["content-type": "application/json"], body: #"{"idNumber":"001085012345","sex":"male"}"#),
            .init(path: "/v1/identity/match", headers: ["authorization": "Bearer wrong-key", "content-type": "application/json"], body: "{}"),
        ])
        let observed = responses.map { "\($0.status) \($0.errorCode ?? "-") \($0.errorField ?? "-")" }
        #expect(observed == [
            "422 unknown_field fullNmae",
            "422 missing_field -",
            "422 invalid_field idNumber",
            "422 invalid_field dateOfBirth",
            "400 invalid_json -",
            "415 unsupported_media_type -",
            "404 not_found -",
            "405 method_not_allowed -",
            "401 unauthenticated -",
            "401 unauthenticated -",
        ])
        for response in responses {
            #expect((response.json["transactionId"] as? String)?.isEmpty == false)
        }
    }

    @Test func policyRefusesAttributesAndPurposesNotGrantedToTheClient() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let record = try activeRecord(harness)
        let telco = try harness.apiKey("demo-telco")
        let address = try await harness.match(
            ["idNumber": record["idNumber"]!, "placeOfResidence": "Hà Nội", "purpose": "sim-registration"], apiKey: telco)
        #expect(address.status == 403)
        #expect(address.errorCode == "forbidden")
        #expect(address.errorField == "placeOfResidence")
        let purpose = try await harness.match(
            ["idNumber": record["idNumber"]!, "fullName": "A B", "purpose": "marketing"], apiKey: telco)
        #expect(purpose.status == 403)
        #expect(purpose.errorField == "purpose")
        let noPurpose = try await harness.match(["idNumber": record["idNumber"]!, "fullName": "A B"], apiKey: telco)
        #expect(noPurpose.status == 422)
        #expect(noPurpose.errorField == "purpose")
        let batchForbidden = try await harness.send(.init(
            path: "/v1/identity/match:batch",
            headers: ["authorization": "Bearer \(try harness.apiKey("demo-airline"))", "content-type": "application/x-ndjson"],
            body: "{}\n"))
        #expect(batchForbidden.status == 403)
    }

    @Test func mutualTLSClientIsAuthenticatedByItsCertificate() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let record = try activeRecord(harness)
        let body = String(decoding: try JSONSerialization.data(withJSONObject: [
            "idNumber": record["idNumber"]!, "sex": record["sex"]!, "purpose": "account-opening",
        ]), as: UTF8.self)
        let request = GatewayHarness.Request(path: "/v1/identity/match", headers: ["content-type": "application/json"], body: body)
        let withCertificate = try await harness.send(request, tls: true, clientCertificate: "demo-bank")
        #expect(withCertificate.status == 200)
        #expect(withCertificate.json["decision"] as? String == "match")
        let anonymous = try await harness.send(request, tls: true)
        #expect(anonymous.status == 401)
    }

    @Test func concurrentAnswersOnOneConnectionEachVerify() async throws {
        // Answers of one tick on one connection share a Merkle subtree and one header listing its leaves: each
        // proves its own body with it.
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let records = try harness.sampleRecords().prefix(24)
        let key = try harness.apiKey("demo-agency")
        let responses = try await harness.send(
            records.map { harness.matchRequest(["idNumber": $0["idNumber"]!, "fullName": $0["fullName"]!], apiKey: key) },
            concurrent: true)
        let keys = try await harness.send(.init(method: "GET", path: "/.well-known/idgate-signing-keys"))
        let keySet = try #require(SigningKeySet(jsonBytes: Array(keys.body.utf8)))
        #expect(responses.count == records.count)
        var answers: [[String: String]] = []
        for response in responses {
            #expect(response.status == 200)
            let header = try #require(response.headers["x-idgate-signature"])
            let body = Array(response.body.utf8)
            #expect(keySet.keys.contains { $0.verifies(headerValue: header, body: body) })
            #expect(!keySet.keys.contains { $0.verifies(headerValue: header, body: body + [0x20]) })
            var answer = ["body": response.body, "signature": header]
            answers.append(answer)
            answer["body"] = response.body.replacingOccurrences(of: "\"match\"", with: "\"mismatch\"")
            #expect(answer["body"] != response.body, "the edit must change the body")
            answers.append(answer)
        }
        // The documented relying-party check (docs/examples/verify_answer.py: hashlib + `cryptography`, none of the
        // gateway's code) accepts every answer and rejects every edited one.
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../docs/examples/verify_answer.py").standardized.path
        let input = try JSONSerialization.data(withJSONObject: [
            "keys": try JSONSerialization.jsonObject(with: Data(keys.body.utf8)), "answers": answers,
        ])
        // The requests left in one write, so the answers share headers: the grouped form is what was checked.
        let grouped = responses.filter { $0.headers["x-idgate-signature"]!.contains("; leaves=") }
        #expect(grouped.count > 1, "no answers were grouped")
        let result = try await Subprocess.run(["python3", script, "--json"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        let verdicts = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [Bool])
        #expect(verdicts.count == answers.count)
        for (index, verdict) in verdicts.enumerated() {
            let edited = index % 2 == 1
            #expect(verdict == !edited, "answer \(index / 2)\(edited ? " (edited)" : "")")
        }
    }

    @Test func answersAreSignedAndAuditedWithoutPersonalData() async throws {
        let harness = try await GatewayHarness.start()
        let record = try activeRecord(harness)
        let idNumber = record["idNumber"] as! String
        let response = try await harness.match(
            ["idNumber": idNumber, "fullName": record["fullName"]!, "purpose": "account-opening"],
            apiKey: harness.apiKey("demo-agency"))
        #expect(response.status == 200)
        let keys = try await harness.send(.init(method: "GET", path: "/.well-known/idgate-signing-keys"))
        let keySet = try #require(SigningKeySet(jsonBytes: Array(keys.body.utf8)))
        let header = try #require(response.headers["x-idgate-signature"])
        #expect(keySet.keys.contains { $0.verifies(headerValue: header, body: Array(response.body.utf8)) })
        // Tampering with one byte breaks the signature.
        #expect(!keySet.keys.contains { $0.verifies(headerValue: header, body: Array((response.body + " ").utf8)) })
        await harness.stop(keepAudit: true)
        defer { try? FileManager.default.removeItem(at: harness.auditDirectory) }
        // Every file, the subject index's included.
        let files = (FileManager.default.subpaths(atPath: harness.auditDirectory.path) ?? []).filter { path in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(
                atPath: harness.auditDirectory.appendingPathComponent(path).path, isDirectory: &isDirectory)
            return exists && !isDirectory.boolValue
        }
        #expect(!files.isEmpty)
        for file in files {
            let data = try Data(contentsOf: harness.auditDirectory.appendingPathComponent(file))
            #expect(data.range(of: Data(idNumber.utf8)) == nil, "audit file \(file) holds the ID number")
            #expect(data.range(of: Data((record["fullName"] as! String).utf8)) == nil)
        }
    }

    @Test func healthReadinessAndMetrics() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let responses = try await harness.send([
            .init(method: "GET", path: "/healthz"), .init(method: "GET", path: "/readyz"),
            .init(method: "GET", path: "/metrics"),
        ])
        #expect(responses[0].status == 200)
        #expect(responses[1].status == 200)
        #expect(responses[1].json["status"] as? String == "ready")
        #expect((responses[1].json["registrySequence"] as? Int ?? 0) >= 1)
        #expect(responses[2].status == 200)
        #expect(responses[2].body.contains("process_resident_memory_bytes"))
        #expect(responses[2].body.contains("idgate_http2_open_connections"))
        #expect(responses[2].body.contains("idgate_requests_total"))
        #expect(responses[2].body.contains("idgate_client_requests_total{client=\"demo-agency\""))
    }

    /// `idgate_requests_total` counts each route and status exactly (the counters are cached per event loop).
    @Test func requestCountersCountEachRouteAndStatus() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        _ = try await harness.send(
            Array(repeating: .init(method: "GET", path: "/healthz"), count: 3) + [.init(method: "GET", path: "/nope")])
        _ = try await harness.send([.init(method: "GET", path: "/nope")])
        let metrics = try await harness.send([.init(method: "GET", path: "/metrics")])[0].body
        let lines = metrics.split(separator: "\n").filter { $0.hasPrefix("idgate_requests_total{") }
        #expect(lines.contains { $0.contains("route=\"/healthz\"") && $0.contains("status=\"200\"") && $0.hasSuffix(" 3") },
                "\(lines)")
        #expect(lines.contains { $0.contains("route=\"unmatched\"") && $0.contains("status=\"404\"") && $0.hasSuffix(" 2") },
                "\(lines)")
        // The latency histogram (one shard per event loop, summed when scraped) saw the same five requests.
        #expect(metrics.contains("# TYPE idgate_request_duration_seconds histogram"))
        #expect(metrics.contains("idgate_request_duration_seconds_count 5\n"), "\(metrics)")
        #expect(metrics.contains("idgate_request_duration_seconds_bucket{le=\"+Inf\"} 5\n"))
    }
}
