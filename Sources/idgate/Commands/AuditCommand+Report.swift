import ArgumentParser
import Foundation
import IDGateAudit
import IDGateStore

extension AuditCommand {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Summarize a period for supervisors: per client, operation and purpose, decisions, not_found rate, distinct subjects, refusals.",
            discussion: "No personal data: subjects are counted by their keyed hash. Formats: csv (default), json, html (self-contained, inline SVG charts).")

        @Argument(help: "The audit directory.") var directory: String
        @Option(help: "Start of the period (RFC 3339, or a date in Vietnam time).") var from: String
        @Option(help: "End of the period (RFC 3339, or a date in Vietnam time: that day's start).") var to: String
        @Option(help: "Only this client.") var client: String?
        @Option(help: "csv, json or html.") var format: String = "csv"
        @Option(help: "Write to this file (owner-only) instead of standard output.") var output: String?

        func validate() throws {
            guard AuditReport.Format(rawValue: format) != nil else {
                throw ValidationError("--format must be csv, json or html, not \(format)")
            }
            guard AuditTime.parse(from) != nil else { throw ValidationError("--from: not an RFC 3339 time or date") }
            guard AuditTime.parse(to) != nil else { throw ValidationError("--to: not an RFC 3339 time or date") }
        }

        func run() throws {
            let start = AuditTime.parse(from)!
            let end = AuditTime.parse(to)!
            guard start <= end else { throw ValidationError("--from must not be after --to") }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("\(directory) is not a directory")
            }
            let report = try AuditReport.build(directory: URL(fileURLWithPath: directory), from: start, to: end, client: client)
            let text = report.rendered(as: AuditReport.Format(rawValue: format)!)
            if let output {
                try OwnerOnlyFiles.write(Array(text.utf8), toPath: output)
            } else {
                print(text, terminator: "")
            }
        }
    }
}
