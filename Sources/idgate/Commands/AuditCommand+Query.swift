import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateGateway
import IDGateWire

extension AuditCommand {
    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print matching records as JSON lines (the subject's number is hashed with the audit key, never printed).")

        @Argument(help: "The audit directory.") var directory: String
        @Option(help: "The audit key file (needed with --subject).") var keyFile: String?
        @Option(help: "The subject's 12-digit ID number.") var subject: String?
        @Option(help: "Client id.") var client: String?
        @Option(help: "From time (RFC 3339, or a date in Vietnam time).") var from: String?
        @Option(help: "To time (RFC 3339, or a date in Vietnam time).") var to: String?

        func run() throws {
            func time(_ text: String?, _ name: String) throws -> Date? {
                guard let text else { return nil }
                guard let date = AuditTime.parse(text) else { throw ValidationError("--\(name): not an RFC 3339 time or date") }
                return date
            }
            let key = try keyFile.map { try AuditKey.load(from: URL(fileURLWithPath: $0)) }
            let query = AuditQuery(subjectIDNumber: subject, clientID: client, from: try time(from, "from"), to: try time(to, "to"))
            for entry in try query.run(directory: URL(fileURLWithPath: directory), key: key) {
                let data = try JSONSerialization.data(withJSONObject: entry.jsonObject, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }
}
