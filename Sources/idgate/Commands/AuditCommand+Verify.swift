import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateGateway
import IDGateWire

extension AuditCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every record, the hash chain and segment continuity; exit 1 and say where on any tampering.",
            discussion: "Several directories (one per fleet node) are verified in one call; each is reported on its own.")

        @Argument(help: "The audit directories.") var directories: [String]
        @Option(help: "The audit key file: also checks each record's keyed tag.") var keyFile: String?

        func validate() throws {
            guard !directories.isEmpty else { throw ValidationError("name at least one audit directory") }
        }

        func run() throws {
            let key = try keyFile.map { try AuditKey.load(from: URL(fileURLWithPath: $0)) }
            var failed = 0
            for directory in directories {
                if directories.count > 1 { print("\(directory):") }
                let report = try AuditVerifier.verify(directory: URL(fileURLWithPath: directory), key: key)
                for issue in report.issues { print(issue) }
                print(report.nodeDescription)
                let head = report.head.map { "head sequence \($0.sequence) hash \($0.hash.hex) (segment \($0.segment))" } ?? "no records"
                print("\(report.segments) segment(s), \(report.records) record(s), \(head); tags \(report.tagsChecked ? "checked" : "not checked (no --key-file)")")
                if report.isIntact {
                    print("OK")
                } else {
                    print("FAILED: \(report.failures.count) problem(s)")
                    failed += 1
                }
            }
            if directories.count > 1 { print(failed == 0 ? "all \(directories.count) logs OK" : "\(failed) of \(directories.count) logs FAILED") }
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
