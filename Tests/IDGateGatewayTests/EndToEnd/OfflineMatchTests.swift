import Foundation
import IDGateGateway
import IDGateCore
import IDGateDemo
import IDGateAudit
import IDGateWire
import IDGateStore
import Testing

/// `idgate match` (OfflineMatcher): one answer per input line, in input order, for NDJSON and CSV, with a summary.
@Suite struct OfflineMatchTests {
    @Test func ndjsonAndCSVAnswersKeepInputOrderAndCountDecisions() async throws {
        let demo = try await SharedDemo.shared.directory()
        let store = try RegistryStore.open(directory: demo.appendingPathComponent("registry").path)
        let records = try String(contentsOf: demo.appendingPathComponent("sample.ndjson"), encoding: .utf8)
            .split(separator: "\n").prefix(500)
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("offline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        var ndjson = ""
        var csv = "idNumber,fullName,ref\n"
        for (index, record) in records.enumerated() {
            if index == 250 {
                ndjson += #"{"idNumber":"12345","fullName":"X"}"# + "\n"
                csv += "12345,X,r\(index)\n"
                continue
            }
            let name = record["fullName"] as! String
            ndjson += String(decoding: try JSONSerialization.data(withJSONObject: [
                "idNumber": record["idNumber"]!, "fullName": name, "ref": "r\(index)",
            ]), as: UTF8.self) + "\n"
            csv += "\(record["idNumber"]!),\"\(name.uppercased())\",r\(index)\n"
        }
        try ndjson.write(to: work.appendingPathComponent("in.ndjson"), atomically: true, encoding: .utf8)
        try csv.write(to: work.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)

        let matcher = OfflineMatcher(store: store, threads: 2)
        let summary = try matcher.run(
            input: work.appendingPathComponent("in.ndjson").path, inputFormat: .ndjson,
            output: work.appendingPathComponent("out.ndjson").path, outputFormat: .ndjson)
        #expect(summary.lines == 500)
        #expect(summary.decisions["match"] == 499)
        #expect(summary.errors["invalid_field"] == 1)
        let answers = try String(contentsOf: work.appendingPathComponent("out.ndjson"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(answers.count == 500)
        #expect(answers[0]["ref"] as? String == "r0")
        #expect(answers[499]["ref"] as? String == "r499")
        #expect(answers[250]["line"] as? Int == 251)

        let csvSummary = try matcher.run(
            input: work.appendingPathComponent("in.csv").path, inputFormat: .csv,
            output: work.appendingPathComponent("out.csv").path, outputFormat: .csv)
        #expect(csvSummary.lines == 500)
        #expect(csvSummary.reasons["case_differs"] ?? 0 > 0)
        let rows = try String(contentsOf: work.appendingPathComponent("out.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "line,ref,decision,error,fullName,dateOfBirth,sex,placeOfOrigin,placeOfResidence,phoneNumber,cardIssueDate,residenceCardNumber,record,card")
        #expect(rows.count == 501)
        #expect(rows[1].hasPrefix("2,r0,match,,match:"))
        #expect(rows[251].hasPrefix("252,r250,,invalid_field,"))
    }

    /// Document and organization lines (`"kind"`) answered as the batch endpoint answers them; with CSV output
    /// (identity columns only) they get an error row naming `kind`.
    @Test func documentAndOrganizationLinesAreAnsweredOffline() async throws {
        let demo = try await SharedDemo.shared.directory()
        let store = try RegistryStore.open(directory: demo.appendingPathComponent("registry").path)
        let layout = DemoLayout(path: demo.path)
        let document = try #require(DocumentsEndToEndTests.rows(layout.documentsSample).first)
        let organization = try #require(DocumentsEndToEndTests.rows(layout.organizationsSample).first)
        let resident = try #require(String(contentsOf: layout.sample, encoding: .utf8).split(separator: "\n").first)
        func line(_ object: [String: String]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self)
        }
        let residentObject = try JSONSerialization.jsonObject(with: Data(resident.utf8)) as! [String: Any]
        let lines = [
            try line([
                "kind": "document", "documentType": document["documentType"]!, "documentNumber": document["documentNumber"]!,
                "holderIdNumber": document["holderIdNumber"]!, "ref": "d1",
            ]),
            try line(["kind": "organization", "organizationId": organization["organizationId"]!, "name": organization["name"]!]),
            try line(["kind": "identity", "idNumber": residentObject["idNumber"] as! String, "fullName": residentObject["fullName"] as! String]),
            #"{"kind":"vehicle","ref":"v1"}"#,
        ]
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("offline-kinds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("in.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let matcher = OfflineMatcher(store: store, threads: 1)
        let summary = try matcher.run(
            input: input.path, inputFormat: .ndjson, output: work.appendingPathComponent("out.ndjson").path,
            outputFormat: .ndjson)
        #expect(summary.lines == 4)
        #expect(summary.decisions["match"] == 3)
        #expect(summary.errors["invalid_field"] == 1)
        let answers = try String(contentsOf: work.appendingPathComponent("out.ndjson"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        try #require(answers.count == 4)
        #expect(answers[0]["ref"] as? String == "d1")
        #expect(((answers[0]["fields"] as? [String: Any])?["holderIdNumber"] as? [String: Any])?["result"] as? String == "match")
        #expect((answers[0]["status"] as? [String: String])?["document"] != nil)
        #expect((answers[1]["status"] as? [String: String])?["organization"] != nil)
        #expect(answers[2]["decision"] as? String == "match")
        #expect(answers[3]["line"] as? Int == 4)
        #expect(answers[3]["ref"] as? String == "v1")
        #expect((answers[3]["error"] as? [String: Any])?["field"] as? String == "kind")

        _ = try matcher.run(
            input: input.path, inputFormat: .ndjson, output: work.appendingPathComponent("out.csv").path, outputFormat: .csv)
        let rows = try String(contentsOf: work.appendingPathComponent("out.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 5)
        #expect(rows[1].hasPrefix("1,d1,,invalid_field,"))
        #expect(rows[1].split(separator: ",", omittingEmptySubsequences: false).count == rows[0].split(separator: ",").count)
        #expect(rows[3].hasPrefix("3,,match,,match:"))
    }

    @Test func unknownCSVColumnIsRefusedByName() async throws {
        let demo = try await SharedDemo.shared.directory()
        let store = try RegistryStore.open(directory: demo.appendingPathComponent("registry").path)
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).csv")
        try "idNumber,fullNmae\n001085012345,A\n".write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        #expect(throws: OfflineMatcher.Failure.self) {
            try OfflineMatcher(store: store).run(
                input: input.path, inputFormat: .csv, output: input.path + ".out", outputFormat: .csv)
        }
    }
}
