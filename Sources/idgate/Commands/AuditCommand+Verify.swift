import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateGateway
import IDGateWire

extension AuditCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every record, the hash chain and segment continuity; exit 1 and say where on any tampering.")

        @Argument(help: "The audit directory.") var directory: String
        @Option(help: "The audit key file: also checks each record's keyed tag.") var keyFile: String?

        func run() throws {
            let key = try keyFile.map { try AuditKey.load(from: URL(fileURLWithPath: $0)) }
            let report = try AuditVerifier.verify(directory: URL(fileURLWithPath: directory), key: key)
            for issue in report.issues { print(issue) }
            let head = report.head.map { "head sequence \($0.sequence) hash \($0.hash.hex) (segment \($0.segment))" } ?? "no records"
            print("\(report.segments) segment(s), \(report.records) record(s), \(head); tags \(report.tagsChecked ? "checked" : "not checked (no --key-file)")")
            guard report.isIntact else {
                print("FAILED: \(report.failures.count) problem(s)")
                throw ExitCode(1)
            }
            print("OK")
        }
    }
}
