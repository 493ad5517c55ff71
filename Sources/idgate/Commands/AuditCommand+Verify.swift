import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateFleet
import IDGateGateway
import IDGateWire

extension AuditCommand {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every record, the hash chain and segment continuity; exit 1 and say where on any tampering.",
            discussion: """
                Several directories (one per fleet node) are verified in one call; each is reported on its own. \
                With --postgres, each node's copy in the fleet's PostgreSQL (credentials from IDGATE_POSTGRES_URL, \
                docs/FLEET.md) is also checked against its local chain: every intact local record must be there, \
                byte for byte; missing and different rows are listed with node and sequence.
                """)

        @Argument(help: "The audit directories.") var directories: [String]
        @Option(help: "The audit key file: also checks each record's keyed tag.") var keyFile: String?
        @Flag(help: "Also check the shipped copy in PostgreSQL (IDGATE_POSTGRES_URL) against each local chain.")
        var postgres = false

        func validate() throws {
            guard !directories.isEmpty else { throw ValidationError("name at least one audit directory") }
        }

        func run() async throws {
            let key = try keyFile.map { try AuditKey.load(from: URL(fileURLWithPath: $0)) }
            let shipped: PostgresAuditVerifier?
            do {
                shipped = postgres ? PostgresAuditVerifier(source: try PostgresSource.fromEnvironment()) : nil
            } catch {
                throw ValidationError("--postgres: \(error)")
            }
            var failed = 0
            for directory in directories {
                if directories.count > 1 { print("\(directory):") }
                let report = try AuditVerifier.verify(directory: URL(fileURLWithPath: directory), key: key)
                for issue in report.issues { print(issue) }
                print(report.nodeDescription)
                let head = report.head.map { "head sequence \($0.sequence) hash \($0.hash.hex) (segment \($0.segment))" } ?? "no records"
                print("\(report.segments) segment(s), \(report.records) record(s), \(head); tags \(report.tagsChecked ? "checked" : "not checked (no --key-file)")")
                var intact = report.isIntact
                if let shipped {
                    let copy = try await shipped.verify(directory: URL(fileURLWithPath: directory))
                    for problem in copy.problems.prefix(1000) { print(problem) }
                    if copy.problems.count > 1000 { print("… and \(copy.problems.count - 1000) more") }
                    let missing = copy.problems.filter { if case .missing = $0 { true } else { false } }.count
                    print("PostgreSQL copy of node \(copy.nodeID): \(copy.records) local record(s) compared, \(missing) missing, \(copy.problems.count - missing) different, \(copy.rowsWithoutLocalRecord) row(s) without a local record")
                    if !copy.isIntact { intact = false }
                }
                if intact {
                    print("OK")
                } else {
                    print("FAILED: \(report.failures.count) problem(s) in the local log" + (report.isIntact ? " (the PostgreSQL copy differs)" : ""))
                    failed += 1
                }
            }
            if directories.count > 1 { print(failed == 0 ? "all \(directories.count) logs OK" : "\(failed) of \(directories.count) logs FAILED") }
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
