import ArgumentParser
import IDGateAudit
import IDGateDemo
import IDGateFleet
import IDGateStore
import IDGateWire

/// `idgate update`: apply a numbered batch of changes, all or nothing.
struct UpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Apply an update batch (upsert, delete, set card or record status) in one transaction.",
        discussion: """
            The batch's sequence number must be the registry's sequence + 1. Re-applying an already applied batch \
            does nothing; a gap is refused. See docs/DATA.md for the batch format. With --postgres the batch is \
            published to the registry of record as one PostgreSQL transaction (credentials from IDGATE_POSTGRES_URL; \
            docs/FLEET.md) and the nodes that follow it apply it.

            --migrate-addresses writes the batch that moves every stored address still in the units before 1 July \
            2025 to the new ones (docs/MATCHING.md, "Migrating stored addresses"): --dry-run prints the counts only; \
            --out FILE writes the batch; --apply also applies it (--db) or publishes it (--postgres).
            """
    )

    @Argument(help: "The batch file (NDJSON: a {\"sequence\": N} header, then one change per line).")
    var file: String?

    @Option(help: "The registry directory.")
    var db: String?

    @Flag(help: "Publish to the registry of record in PostgreSQL instead of a local registry.")
    var postgres = false

    @OptionGroup(title: "Migrating addresses to the 2025 units")
    var migration: AddressMigrationOptions

    func validate() throws {
        guard (db == nil) == postgres else { throw ValidationError("give exactly one of --db DIR or --postgres") }
        if migration.migrateAddresses {
            guard file == nil else { throw ValidationError("--migrate-addresses writes its own batch: give no batch file") }
            guard migration.dryRun != (migration.out != nil) else {
                throw ValidationError("--migrate-addresses needs exactly one of --dry-run or --out FILE")
            }
            guard !(migration.apply && migration.dryRun) else { throw ValidationError("--apply needs --out FILE, not --dry-run") }
        } else {
            guard file != nil else { throw ValidationError("give the batch file (or --migrate-addresses)") }
            guard !migration.dryRun, migration.out == nil, !migration.apply else {
                throw ValidationError("--dry-run, --out and --apply go with --migrate-addresses")
            }
        }
    }

    func run() async throws {
        if migration.migrateAddresses { return try await migrateAddresses() }
        guard let file else { return }
        guard let db else {
            let registry = PostgresRegistry(source: try PostgresSource.fromEnvironment())
            switch try await registry.publish(file: file) {
            case .published(let operations, let sequence):
                print("published batch \(sequence): \(operations) changes; the registry of record is at sequence \(sequence)")
            case .alreadyPublished(let head):
                print("batch already published (the registry of record is at sequence \(head)); nothing changed")
            }
            return
        }
        switch try RegistryStore.applyUpdate(file: file, directory: db) {
        case .applied(let operations, let sequence):
            print("applied batch \(sequence): \(operations) changes; registry \(db) is now at sequence \(sequence)")
        case .alreadyApplied(let registrySequence):
            print("batch already applied (registry \(db) is at sequence \(registrySequence)); nothing changed")
        }
    }
}
