import ArgumentParser
import Foundation
import IDGateAudit

extension AuditCommand {
    /// Records that an operator has seen damage `verify` reported (the bytes stay as evidence); `verify` then
    /// reports it as `acknowledgedDamage` instead of failing, and `/readyz` stops reporting it at the next start.
    struct AcknowledgeDamage: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "acknowledge-damage",
            abstract: "Acknowledge damage that `audit verify` reported, so verify stops failing on it (docs/AUDIT.md).")

        @Argument(help: "The audit directory.") var directory: String
        @Option(help: "The segment, as a number or a file name (audit-0000000000000001.seg).") var segment: String
        @Option(help: "The byte offset `audit verify` printed for the damage.") var offset: Int
        @Option(help: "Why, by whom (recorded with the acknowledgement).") var note: String?

        func run() throws {
            guard let number = UInt64(segment) ?? AuditFormat.segmentNumber(fromName: URL(fileURLWithPath: segment).lastPathComponent)
            else { throw ValidationError("--segment: not a segment number or audit segment file name") }
            let directoryURL = URL(fileURLWithPath: directory)
            let report = try AuditVerifier.verify(directory: directoryURL)
            let damaged = report.issues.contains {
                $0.segment == number && $0.offset == offset && [.damagedBytes, .editedRecord].contains($0.kind)
            }
            guard damaged else {
                let known = report.issues.filter { $0.offset != nil && $0.isFailure }.map { "segment \($0.segment) offset \($0.offset!)" }
                throw ValidationError(
                    "verify reports no unacknowledged damage at segment \(number) offset \(offset)"
                        + (known.isEmpty ? "" : "; damage found at: " + known.joined(separator: ", ")))
            }
            try AuditDamageFile(directory: directoryURL).acknowledge(segment: number, offset: offset, note: note)
            print("acknowledged segment \(number) offset \(offset) in \(AuditDamageFile.name); the damaged bytes are kept")
        }
    }
}
