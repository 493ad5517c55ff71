import Foundation
import IDGateAudit
import IDGateCore
import IDGateDemo
import IDGateGateway
import IDGateWire
import Testing

/// Guessing stopped (issue 19) and quotas that survive a restart (issue 17), against a real gateway over HTTP/2.
/// Deterministic: the window is the default 24 h, so every count below is exact whatever the machine's load.
@Suite(.serialized) struct GuessingEndToEndTests {
    /// A fresh audit and state directory a test keeps across gateway restarts.
    struct Directories {
        let scratch: ScratchDirectory
        var audit: String { scratch.appending("audit").path }
        var state: String { scratch.appending("state").path }
        init() throws { scratch = try ScratchDirectory("idgate-guessing") }

        func apply(_ configuration: inout GatewayConfiguration) {
            configuration.audit.directory = audit
            configuration.state.directory = state
        }
    }

    func activeRecord(_ harness: GatewayHarness, skipping: Int = 0) throws -> [String: Any] {
        let records = harness.sampleRecordsOrEmpty().filter {
            ($0["dateOfBirth"] as? String)?.count == 10 && ($0["recordStatus"] as? String) == "active"
        }
        try #require(records.count > skipping)
        return records[skipping]
    }

    /// A date of birth that is not the record's (a guess).
    func wrongDate(_ record: [String: Any], _ attempt: Int) -> String {
        let year = Int((record["dateOfBirth"] as! String).prefix(4))!
        return String(format: "%04d-%02d-%02d", year == 1950 ? 1951 : 1950, 1 + attempt % 12, 1 + attempt)
    }

    @Test func fiveFailedGuessesThenRefusedAlsoAfterARestart() async throws {
        let directories = try Directories()
        defer { directories.scratch.remove() }
        var harness = try await GatewayHarness.start(directories.apply)
        let record = try activeRecord(harness)
        let other = try activeRecord(harness, skipping: 1)
        let key = try harness.apiKey("demo-agency")
        func guess(_ attempt: Int, _ subject: [String: Any] = [:]) -> [String: Any] {
            let target = subject.isEmpty ? record : subject
            return ["idNumber": target["idNumber"]!, "dateOfBirth": wrongDate(target, attempt), "purpose": "account-opening"]
        }
        for attempt in 0..<5 {
            let answer = try await harness.match(guess(attempt), apiKey: key)
            #expect(answer.status == 200)
            #expect(answer.json["decision"] as? String != "match")
        }
        let refused = try await harness.match(guess(5), apiKey: key)
        #expect(refused.status == 429)
        #expect(refused.errorCode == "subject_attempts_exceeded")
        #expect(refused.errorField == "idNumber")
        let retryAfter = try #require(refused.headers["retry-after"].flatMap(Int.init))
        #expect(retryAfter > 86_000 && retryAfter <= 86_400)
        // Even the right answer is refused now: the client learns nothing more about this subject.
        let right = try await harness.match(
            ["idNumber": record["idNumber"]!, "dateOfBirth": record["dateOfBirth"]!, "purpose": "account-opening"], apiKey: key)
        #expect(right.status == 429)
        // Another subject, and the same subject for another client, are not affected.
        #expect(try await harness.match(guess(0, other), apiKey: key).status == 200)
        let airline = try await harness.match(
            ["idNumber": record["idNumber"]!, "dateOfBirth": record["dateOfBirth"]!, "purpose": "boarding-check"],
            apiKey: harness.apiKey("demo-airline"))
        #expect(airline.status == 200)
        let metrics = try await harness.send(.init(method: "GET", path: "/metrics"))
        #expect(metrics.body.contains(#"idgate_client_errors_total{client="demo-agency",code="subject_attempts_exceeded"} 2"#))
        #expect(metrics.body.contains("idgate_state_persisted 1"))
        await harness.stop(keepAudit: true)

        // The refusals are audited (429, with the subject's keyed hash), and the number never appears.
        let entries = try AuditQuery(clientID: "demo-agency").run(directory: URL(fileURLWithPath: directories.audit), key: nil)
        #expect(entries.filter { $0.status == 429 }.count == 2)
        // The keyed hash the limiter computed and handed to the audit records is the audit's own: a search by the
        // number finds the 5 answers (hash from the request path) and the 2 refusals (hashed by the writer).
        let auditKey = try AuditKey.load(from: URL(fileURLWithPath: harness.configuration.audit.keyFile))
        let aboutSubject = try AuditQuery(subjectIDNumber: record["idNumber"] as? String, clientID: "demo-agency")
            .run(directory: URL(fileURLWithPath: directories.audit), key: auditKey)
        #expect(aboutSubject.map(\.status).sorted() == [200, 200, 200, 200, 200, 429, 429])
        let statePaths = try FileManager.default.contentsOfDirectory(atPath: directories.state)
        #expect(statePaths.contains("counters.journal"))
        let journal = try Data(contentsOf: URL(fileURLWithPath: directories.state).appendingPathComponent("counters.journal"))
        #expect(journal.range(of: Data((record["idNumber"] as! String).utf8)) == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: directories.state + "/counters.journal")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // A new gateway process state: the same directories, the limit still holds.
        harness = try await GatewayHarness.start(directories.apply)
        let afterRestart = try await harness.match(guess(6), apiKey: key)
        #expect(afterRestart.status == 429)
        #expect(afterRestart.errorCode == "subject_attempts_exceeded")
        #expect(try await harness.match(guess(1, other), apiKey: key).status == 200)
        await harness.stop(keepAudit: true)
    }

    @Test func batchLinesAboutAnExhaustedSubjectGetA429LineEach() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let record = try activeRecord(harness)
        let other = try activeRecord(harness, skipping: 1)
        var lines: [String] = []
        for attempt in 0..<7 {
            let body: [String: Any] = [
                "idNumber": record["idNumber"]!, "dateOfBirth": wrongDate(record, attempt), "ref": "g\(attempt)",
                "purpose": "account-opening",
            ]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        }
        lines.append(#"{"idNumber":"\#(other["idNumber"]!)","dateOfBirth":"\#(other["dateOfBirth"]!)","ref":"other","purpose":"account-opening"}"#)
        let response = try await harness.send(.init(
            path: "/v1/identity/match:batch",
            headers: ["authorization": "Bearer \(try harness.apiKey("demo-agency"))", "content-type": "application/x-ndjson"],
            body: lines.joined(separator: "\n") + "\n"))
        #expect(response.status == 200)
        let answers = response.body.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        try #require(answers.count == 8)
        for index in 0..<5 { #expect(answers[index]["decision"] != nil, "line \(index + 1)") }
        for index in 5..<7 {
            #expect(answers[index]["line"] as? Int == index + 1)
            #expect((answers[index]["error"] as? [String: Any])?["code"] as? String == "subject_attempts_exceeded")
        }
        #expect(answers[7]["decision"] as? String == "match")
    }

    @Test func chipCheckWhoseRegistryComparisonFailsIsLimitedToo() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let chip = ChipEndToEndTests()
        // A DG13 altered after signing (the name): its registry comparison is not a match, every time.
        let tampered = try #require(try chip.cards(harness).first { $0.kind == "tampered" })
        for attempt in 0..<5 {
            let response = try await chip.verify(harness, card: tampered, activeAuth: false)
            #expect(response.status == 200, "attempt \(attempt)")
            #expect((response.json["registry"] as? [String: Any])?["decision"] as? String != "match")
        }
        let refused = try await chip.verify(harness, card: tampered, activeAuth: false)
        #expect(refused.status == 429)
        #expect(refused.errorCode == "subject_attempts_exceeded")
        #expect(refused.headers["retry-after"] != nil)
        // A valid card (another subject) still verifies.
        let valid = try #require(try chip.cards(harness).first { $0.kind == "valid" })
        #expect(try await chip.verify(harness, card: valid, activeAuth: true).json["decision"] as? String == "valid")
    }

    @Test func dailyQuotaStaysUsedUpAfterARestart() async throws {
        let directories = try Directories()
        defer { directories.scratch.remove() }
        let demo = try await SharedDemo.shared.directory()
        // The demo clients with demo-agency's quota cut to 3 requests a day.
        var file = try ClientRegistryFile.load(from: DemoLayout(root: demo).clients)
        let index = try #require(file.index(of: "demo-agency"))
        file.clients[index].dailyQuota = 3
        let clients = directories.scratch.appending("clients.json")
        try file.save(to: clients)
        let adjust: (inout GatewayConfiguration) -> Void = {
            directories.apply(&$0)
            $0.clients.file = clients.path
        }
        var harness = try await GatewayHarness.start(adjust)
        let record = try activeRecord(harness)
        let key = try harness.apiKey("demo-agency")
        let body: [String: Any] = ["idNumber": record["idNumber"]!, "fullName": record["fullName"]!, "purpose": "account-opening"]
        for _ in 0..<3 { #expect(try await harness.match(body, apiKey: key).status == 200) }
        let exhausted = try await harness.match(body, apiKey: key)
        #expect(exhausted.status == 429)
        #expect(exhausted.errorCode == "rate_limited")
        await harness.stop(keepAudit: true)

        harness = try await GatewayHarness.start(adjust)
        let afterRestart = try await harness.match(body, apiKey: key)
        #expect(afterRestart.status == 429)
        #expect(afterRestart.errorCode == "rate_limited")
        #expect(afterRestart.json["error"].map { "\($0)" }?.contains("quota") == true)
        await harness.stop(keepAudit: true)
    }

    @Test func clientWithTooManyNotFoundIsAlertedSuspendedAndStaysSuspended() async throws {
        let directories = try Directories()
        defer { directories.scratch.remove() }
        let demo = try await SharedDemo.shared.directory()
        var file = try ClientRegistryFile.load(from: DemoLayout(root: demo).clients)
        let index = try #require(file.index(of: "demo-agency"))
        file.clients[index].guessing = ClientGuessingConfiguration(
            maxFailureRate: 0.5, minimumAnswers: 4, suspend: true, suspendSeconds: 3600)
        let clients = directories.scratch.appending("clients.json")
        try file.save(to: clients)
        let adjust: (inout GatewayConfiguration) -> Void = {
            directories.apply(&$0)
            $0.clients.file = clients.path
        }
        var harness = try await GatewayHarness.start(adjust)
        let record = try activeRecord(harness)
        let key = try harness.apiKey("demo-agency")
        // One real match, then unknown numbers (each a different subject: the per-subject limit never trips).
        #expect(try await harness.match(["idNumber": record["idNumber"]!, "fullName": record["fullName"]!, "purpose": "account-opening"], apiKey: key).status == 200)
        let unknown = ["079199999991", "079199999992", "079199999993"]
        for number in unknown {
            let answer = try await harness.match(["idNumber": number, "fullName": "Nguyễn Văn A", "purpose": "account-opening"], apiKey: key)
            #expect(answer.status == 200)
            #expect(answer.json["decision"] as? String == "not_found")
        }
        // 3 not_found of 4 answers (0.75 > 0.5): alerted and suspended.
        let suspended = try await harness.match(["idNumber": record["idNumber"]!, "fullName": record["fullName"]!, "purpose": "account-opening"], apiKey: key)
        #expect(suspended.status == 403)
        #expect(suspended.errorCode == "client_suspended")
        #expect(suspended.headers["retry-after"].flatMap(Int.init).map { $0 > 3500 && $0 <= 3600 } == true)
        let metrics = try await harness.send(.init(method: "GET", path: "/metrics"))
        #expect(metrics.body.contains(#"idgate_client_guessing_alert{client="demo-agency"} 1"#))
        #expect(metrics.body.contains(#"idgate_client_guessing_alerts_total{client="demo-agency"} 1"#))
        // Other clients are not affected.
        #expect(try await harness.match(
            ["idNumber": record["idNumber"]!, "fullName": record["fullName"]!, "purpose": "boarding-check"], apiKey: harness.apiKey("demo-airline")).status == 200)
        await harness.stop(keepAudit: true)

        harness = try await GatewayHarness.start(adjust)
        let afterRestart = try await harness.match(["idNumber": record["idNumber"]!, "fullName": record["fullName"]!, "purpose": "account-opening"], apiKey: key)
        #expect(afterRestart.status == 403)
        #expect(afterRestart.errorCode == "client_suspended")
        await harness.stop(keepAudit: true)
    }
}

extension GatewayHarness {
    func sampleRecordsOrEmpty() -> [[String: Any]] { (try? sampleRecords()) ?? [] }
}
