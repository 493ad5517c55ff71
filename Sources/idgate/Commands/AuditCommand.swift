import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateGateway
import IDGateWire

/// `idgate audit`: offline checks of an audit directory for operators and investigators (docs/AUDIT.md).
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify and search the tamper-evident audit log.",
        subcommands: [Verify.self, Query.self, AcknowledgeDamage.self, AppendTest.self, Report.self, HistoryBench.self, Index.self]
    )
}
