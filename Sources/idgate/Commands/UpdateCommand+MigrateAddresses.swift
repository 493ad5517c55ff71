import ArgumentParser
import Foundation
import IDGateFleet
import IDGateMatching
import IDGateStore

/// `idgate update --migrate-addresses`: the options of the batch that moves stored addresses to the 2025 units.
struct AddressMigrationOptions: ParsableArguments {
    @Flag(help: "Write the batch that rewrites every stored address in the units before 1 July 2025 in the new units.")
    var migrateAddresses = false

    @Flag(help: "With --migrate-addresses: print what would change, write nothing.")
    var dryRun = false

    @Option(help: "With --migrate-addresses: the batch file to write (owner-only; review it, then apply it).")
    var out: String?

    @Flag(help: "With --migrate-addresses --out: also apply the batch (--db) or publish it (--postgres).")
    var apply = false
}

extension UpdateCommand {
    /// Reads the whole registry once (one read transaction, or one REPEATABLE READ transaction in PostgreSQL), so the
    /// batch is exactly the registry at its sequence + 1: a batch applied in between makes this one refused rather
    /// than overwrite it. Applying goes through the same file path as `idgate update FILE`.
    func migrateAddresses() async throws {
        var plan = AddressMigrationPlan()
        let writer = try migration.out.map { try BatchFileWriter(path: $0) }
        var sequence: UInt64 = 0
        if let db {
            let store = try RegistryStore.open(directory: db)
            try store.makeReader().withTransaction { txn in
                sequence = txn.sequence + 1
                try writer?.header(sequence: sequence)
                try txn.forEachResident { view in
                    if let changed = plan.migrated(view.record()) { try writer?.upsert(changed) }
                    return true
                }
            }
        } else {
            let registry = PostgresRegistry(source: try PostgresSource.fromEnvironment())
            try await registry.forEachResident(
                atHead: { head in
                    sequence = head + 1
                    try writer?.header(sequence: sequence)
                },
                { record in
                    if let changed = plan.migrated(record) { try writer?.upsert(changed) }
                })
        }
        let counts = plan.counts
        print(
            """
            residents: \(counts.residents); to update: \(counts.residentsChanged)
            addresses (residence and origin): \(counts.addressesMigrated) migrated, \(counts.addressesCurrent) already \
            current, \(counts.addressesAmbiguous) ambiguous (old commune split; kept), \(counts.addressesUnrecognized) \
            unrecognized (kept)
            """)
        guard let writer else { return print("dry run: nothing written") }
        guard counts.residentsChanged > 0 else {
            writer.discard()
            return print("nothing to migrate: no batch written")
        }
        let path = try writer.finish()
        print("wrote batch \(sequence) (\(counts.residentsChanged) upserts) to \(path)")
        guard migration.apply else {
            return print("apply it with: idgate update \(path) \(db.map { "--db \($0)" } ?? "--postgres")")
        }
        if let db {
            switch try RegistryStore.applyUpdate(file: path, directory: db) {
            case .applied(let operations, let sequence):
                print("applied batch \(sequence): \(operations) changes; registry \(db) is now at sequence \(sequence)")
            case .alreadyApplied(let registrySequence):
                print("batch already applied (registry \(db) is at sequence \(registrySequence)); nothing changed")
            }
        } else {
            let registry = PostgresRegistry(source: try PostgresSource.fromEnvironment())
            switch try await registry.publish(file: path) {
            case .published(let operations, let sequence):
                print("published batch \(sequence): \(operations) changes; the registry of record is at sequence \(sequence)")
            case .alreadyPublished(let head):
                print("batch already published (the registry of record is at sequence \(head)); nothing changed")
            }
        }
    }
}

/// An update batch file written as it is produced, owner-only (it holds personal data), under a temporary name until
/// `finish()` renames it: an interrupted run leaves no half batch under the final name.
private final class BatchFileWriter {
    private let path: String
    private let temporaryPath: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String) throws {
        self.path = path
        temporaryPath = path + ".partial"
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, OwnerOnlyFiles.fileMode)
        guard descriptor >= 0, fchmod(descriptor, OwnerOnlyFiles.fileMode) == 0 else {
            if descriptor >= 0 { close(descriptor) }
            throw RegistryError.notWritable(path: temporaryPath, reason: String(cString: strerror(errno)))
        }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        buffer.reserveCapacity(1 << 20)
    }

    func header(sequence: UInt64) throws {
        buffer.append(contentsOf: "{\"sequence\":\(sequence)}\n".utf8)
    }

    func upsert(_ record: ResidentRecord) throws {
        buffer.append(contentsOf: "{\"op\":\"upsert\",\"record\":".utf8)
        ResidentCodec.appendNDJSON(record, to: &buffer)  // ends with "\n"
        buffer.removeLast()
        buffer.append(contentsOf: "}\n".utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes what is left, closes and renames the file to its final name; returns that name.
    func finish() throws -> String {
        try flush()
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw RegistryError.notWritable(path: temporaryPath, reason: error.localizedDescription)
        }
        guard rename(temporaryPath, path) == 0 else {
            throw RegistryError.notWritable(path: path, reason: String(cString: strerror(errno)))
        }
        return path
    }

    func discard() {
        try? handle.close()
        unlink(temporaryPath)
    }

    private func flush() throws {
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw RegistryError.notWritable(path: temporaryPath, reason: error.localizedDescription)
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
