import Foundation
@testable import IDGateAudit
import IDGateCore
import IDGateDemo
import IDGateGateway
import IDGateWire
import Testing

/// `idgate audit report` over an audit log written by a real gateway answering real requests.
@Suite(.serialized) struct AuditReportEndToEndTests {
    @Test func reportCountsDecisionsSubjectsAndRefusalsPerClientOperationAndPurpose() async throws {
        let harness = try await GatewayHarness.start()
        let started = Date()
        let records = try harness.sampleRecords().filter { ($0["recordStatus"] as? String) == "active" }
        let agency = try harness.apiKey("demo-agency")
        // demo-agency, account-opening: 3 matches about 2 subjects, 2 not_found about 2 unknown numbers.
        for record in [records[0], records[0], records[1]] {
            let answer = try await harness.match(
                ["idNumber": record["idNumber"]!, "fullName": record["fullName"]!, "purpose": "account-opening"], apiKey: agency)
            #expect(answer.json["decision"] as? String == "match")
        }
        for number in ["079199999981", "079199999982"] {
            let answer = try await harness.match(["idNumber": number, "fullName": "Trần Thị B", "purpose": "account-opening"], apiKey: agency)
            #expect(answer.json["decision"] as? String == "not_found")
        }
        // demo-agency, loan-application: one 422 (bad number).
        #expect(try await harness.match(["idNumber": "12", "purpose": "loan-application"], apiKey: agency).status == 422)
        // demo-airline, boarding-check: one match, one 403 (attribute not allowed).
        let airline = try harness.apiKey("demo-airline")
        #expect(try await harness.match(
            ["idNumber": records[2]["idNumber"]!, "fullName": records[2]["fullName"]!, "purpose": "boarding-check"],
            apiKey: airline).status == 200)
        #expect(try await harness.match(
            ["idNumber": records[2]["idNumber"]!, "phoneNumber": "0912345678", "purpose": "boarding-check"],
            apiKey: airline).status == 403)
        await harness.stop(keepAudit: true)
        defer { try? FileManager.default.removeItem(at: harness.auditDirectory) }
        let finished = Date()

        let report = try AuditReport.build(directory: harness.auditDirectory, from: started.addingTimeInterval(-1), to: finished)
        let opening = try #require(report.rows.first { $0.key == .init(client: "demo-agency", operation: "match", purpose: "account-opening") })
        #expect(opening.requests == 5)
        #expect(opening.decisions == ["match": 3, "not_found": 2])
        #expect(opening.distinctSubjects == 4)
        #expect(abs(opening.notFoundRate - 0.4) < 1e-9)
        #expect(opening.refused == 0)
        // The 422's purpose may not have been read before the bad number stopped the parser: its row is the client's.
        let agencyTotals = try #require(report.clientTotals.first { $0.key.client == "demo-agency" })
        #expect(agencyTotals.refusals == [422: 1])
        #expect(agencyTotals.requests == 6)
        let boarding = try #require(report.rows.first { $0.key.client == "demo-airline" })
        #expect(boarding.requests == 2)
        #expect(boarding.decisions == ["match": 1])
        #expect(boarding.refusals == [403: 1])

        let csv = report.csv().split(separator: "\r\n")
        #expect(csv.first == "client,operation,purpose,requests,match,partial,mismatch,not_found,valid,invalid,not_found_rate,distinct_subjects,refused,refusals_by_status")
        #expect(csv.contains("demo-agency,match,account-opening,5,3,0,0,2,0,0,0.4000,4,0,"))
        #expect(csv.contains("demo-airline,match,boarding-check,2,1,0,0,0,0,0,0.0000,1,1,403:1"))

        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let clients = try #require(json["clients"] as? [[String: Any]])
        let agencyTotal = try #require(clients.first { $0["client"] as? String == "demo-agency" })
        #expect(agencyTotal["requests"] as? Int == 6)
        #expect((agencyTotal["refusalsByStatus"] as? [String: Int]) == ["422": 1])

        let html = report.html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg"))
        #expect(!html.contains("src=") && !html.contains("href="))  // self-contained
        #expect(!html.contains("<script"))
        // No number of a subject in any format.
        for text in [report.csv(), report.json(), html] {
            #expect(!text.contains(records[0]["idNumber"] as! String))
        }

        // The command: filtered by client, written owner-only, refuses bad input.
        if FileManager.default.isExecutableFile(atPath: IDGateCLI.url.path) {
            let output = harness.auditDirectory.path + "-report.html"
            defer { try? FileManager.default.removeItem(atPath: output) }
            let run = try IDGateCLI.run([
                "audit", "report", harness.auditDirectory.path, "--from", AuditTime.format(started.addingTimeInterval(-1)),
                "--to", AuditTime.format(finished), "--client", "demo-airline", "--format", "csv",
            ])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.split(separator: "\r\n").count == 2)
            let html = try IDGateCLI.run([
                "audit", "report", harness.auditDirectory.path, "--from", "2026-01-01", "--to", AuditTime.format(finished),
                "--format", "html", "--output", output,
            ])
            #expect(html.status == 0, "\(html.output)")
            #expect(try FileManager.default.attributesOfItem(atPath: output)[.posixPermissions] as? Int == 0o600)
            let badFormat = try IDGateCLI.run(["audit", "report", harness.auditDirectory.path, "--from", "2026-01-01", "--to", "2026-01-02", "--format", "pdf"])
            #expect(badFormat.status != 0)
            #expect(badFormat.output.contains("--format"))
            let reversed = try IDGateCLI.run(["audit", "report", harness.auditDirectory.path, "--from", "2026-02-01", "--to", "2026-01-01"])
            #expect(reversed.status != 0)
            #expect(reversed.output.contains("--from"))
            let badDate = try IDGateCLI.run(["audit", "report", harness.auditDirectory.path, "--from", "yesterday", "--to", "2026-01-01"])
            #expect(badDate.status != 0)
        }
    }

    @Test func csvFieldsWithCommasAndQuotesAreQuoted() {
        #expect(AuditReport.csvField("plain") == "plain")
        #expect(AuditReport.csvField("a,b") == "\"a,b\"")
        #expect(AuditReport.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(AuditReport.escape("<b>&\"'") == "&lt;b&gt;&amp;&quot;&#39;")
    }
}
