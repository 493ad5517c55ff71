import ArgumentParser
import IDGateAudit
import IDGateDemo
import IDGateStore
import IDGateWire

/// `idgate update`: apply a numbered batch of changes, all or nothing.
struct UpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Apply an update batch (upsert, delete, set card or record status) in one transaction.",
        discussion: """
            The batch's sequence number must be the registry's sequence + 1. Re-applying an already applied batch \
            does nothing; a gap is refused. See docs/DATA.md for the batch format.
            """
    )

    @Argument(help: "The batch file (NDJSON: a {\"sequence\": N} header, then one change per line).")
    var file: String

    @Option(help: "The registry directory.")
    var db: String

    func run() throws {
        switch try RegistryStore.applyUpdate(file: file, directory: db) {
        case .applied(let operations, let sequence):
            print("applied batch \(sequence): \(operations) changes; registry \(db) is now at sequence \(sequence)")
        case .alreadyApplied(let registrySequence):
            print("batch already applied (registry \(db) is at sequence \(registrySequence)); nothing changed")
        }
    }
}
