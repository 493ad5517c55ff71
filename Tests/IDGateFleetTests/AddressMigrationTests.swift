import Foundation
import IDGateFleet
import IDGateStore
import Testing

extension FleetTests {
    /// `idgate update --migrate-addresses` run as an operator runs it (the built `idgate` executable), against a local
    /// LMDB registry and against the registry of record in PostgreSQL: the dry run's counts, the batch it writes,
    /// applying or publishing it, nothing but addresses changed, and a second run finding nothing left to migrate.
    @Suite struct AddressMigrationTests {
        /// Old units (Hà Giang city, merged into Tuyên Quang province in 2025).
        static let oldAddress = "Tổ 3, Phường Trần Phú, Thành phố Hà Giang, Tỉnh Hà Giang"
        static let migratedAddress = "Tổ 3, Phường Hà Giang 2, Tỉnh Tuyên Quang"
        static let currentAddress = "Số 12, Phường Cầu Giấy, Thành phố Hà Nội"
        /// Dịch Vọng was split between two new communes: kept as stored.
        static let ambiguousAddress = "Số 12 Ngõ 5, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội"
        static let unknownAddress = "Somewhere, Atlantis"

        /// The generator's residents (stored addresses in the old units) with four known cases in front.
        static func residents() -> [ResidentRecord] {
            var residents = FleetFixtures.residents()
            residents[0].placeOfResidence = oldAddress
            residents[0].placeOfOrigin = currentAddress
            residents[1].placeOfResidence = ambiguousAddress
            residents[1].placeOfOrigin = unknownAddress
            residents[2].placeOfResidence = currentAddress
            residents[2].placeOfOrigin = currentAddress
            return residents
        }

        @Test func migratesALocalRegistryInOneBatch() async throws {
            let root = try Self.scratch()
            defer { try? FileManager.default.removeItem(atPath: root) }
            let db = root + "/db"
            let residents = Self.residents()
            _ = try RegistryImporter(directory: db).importRecords(residents)
            let imported = NodeView(directory: db).sequence
            try await Self.checkMigration(
                residents: residents, root: root, target: ["--db", db], environment: [], firstSequence: imported + 1
            ) {
                try Self.records(db: db)
            }
            #expect(NodeView(directory: db).sequence == imported + 1)
        }

        @Test func publishesTheMigrationToTheRegistryOfRecord() async throws {
            try await PostgresCluster.with { cluster in
                let residents = Self.residents()
                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                _ = try await registry.load(residents)
                _ = try await registry.publish(UpdateBatch(sequence: 1, operations: [.setRecordStatus(residents[9].idNumber, .deceased)]))
                let environment = [
                    "\(PostgresSource.urlVariable)=postgres://idgate@127.0.0.1:\(cluster.port)/idgate",
                    "\(PostgresSource.passwordFileVariable)=\(cluster.directory)/password",
                ]
                var expected = residents
                expected[9].recordStatus = .deceased
                try await Self.checkMigration(
                    residents: expected, root: cluster.nodeDirectory("migration"), target: ["--postgres"],
                    environment: environment, firstSequence: 2
                ) {
                    var records: [ResidentRecord] = []
                    try await registry.forEachResident { records.append($0) }
                    return records
                }
                #expect(try await registry.head().sequence == 2)
            }
        }

        @Test func refusesMisusedOptions() async throws {
            let cases: [([String], String)] = [
                (["update", "--migrate-addresses", "--db", "/nonexistent"], "exactly one of --dry-run or --out"),
                (["update", "--migrate-addresses", "--dry-run", "--out", "x", "--db", "/nonexistent"], "exactly one of --dry-run or --out"),
                (["update", "--migrate-addresses", "--dry-run", "--apply", "--db", "/nonexistent"], "--apply needs --out"),
                (["update", "batch.ndjson", "--migrate-addresses", "--dry-run", "--db", "/nonexistent"], "give no batch file"),
                (["update", "batch.ndjson", "--dry-run", "--db", "/nonexistent"], "go with --migrate-addresses"),
                (["update", "--db", "/nonexistent"], "give the batch file"),
            ]
            for (arguments, message) in cases {
                let result = try await ToolRun.run([Self.idgate] + arguments)
                #expect(result.status != 0, "\(arguments)")
                #expect((result.output + result.errors).contains(message), "\(arguments): \(result.errors)")
            }
            let missing = try await ToolRun.run([Self.idgate, "update", "--migrate-addresses", "--dry-run", "--db", "/nonexistent"])
            #expect(missing.status != 0)
        }

        // MARK: The checks both registries share

        /// Dry run, then write + apply, then a dry run finding nothing; `read` lists the registry's residents.
        static func checkMigration(
            residents: [ResidentRecord], root: String, target: [String], environment: [String], firstSequence: UInt64 = 1,
            read: () async throws -> [ResidentRecord]
        ) async throws {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let batchPath = root + "/migration.ndjson"
            let command = environment + [idgate, "update", "--migrate-addresses"] + target

            let dry = try await ToolRun.run(command + ["--dry-run"])
            #expect(dry.status == 0, "\(dry.errors)")
            let (scanned, toUpdate) = try #require(counts(dry.output), "\(dry.output)")
            #expect(scanned == residents.count)
            #expect(toUpdate > 0 && toUpdate < residents.count)
            #expect(dry.output.contains("dry run: nothing written"))
            #expect(!FileManager.default.fileExists(atPath: batchPath))
            #expect(sorted(try await read()) == sorted(residents), "a dry run changes nothing")

            let applied = try await ToolRun.run(command + ["--out", batchPath, "--apply"])
            #expect(applied.status == 0, "\(applied.errors)")
            #expect(counts(applied.output)?.toUpdate == toUpdate)
            let attributes = try FileManager.default.attributesOfItem(atPath: batchPath)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "the batch holds personal data: owner-only")
            #expect(!FileManager.default.fileExists(atPath: batchPath + ".partial"))
            let batch = try UpdateBatch(ndjson: String(decoding: try Data(contentsOf: URL(fileURLWithPath: batchPath)), as: UTF8.self))
            #expect(batch.sequence == firstSequence)
            #expect(batch.entries.count == toUpdate)

            let after = try await read().map(withoutSequence)
            #expect(after.count == residents.count)
            let byID = Dictionary(uniqueKeysWithValues: after.map { ($0.idNumber, $0) })
            var changed = 0
            for before in residents.map(withoutSequence) {
                let now = try #require(byID[before.idNumber])
                var addressesRestored = now
                addressesRestored.placeOfResidence = before.placeOfResidence
                addressesRestored.placeOfOrigin = before.placeOfOrigin
                #expect(addressesRestored == before, "only addresses change: \(before.idNumber)")
                if now != before { changed += 1 }
            }
            #expect(changed == toUpdate)
            #expect(byID[residents[0].idNumber]?.placeOfResidence == migratedAddress)
            #expect(byID[residents[0].idNumber]?.placeOfOrigin == currentAddress)
            #expect(byID[residents[1].idNumber] == withoutSequence(residents[1]), "ambiguous and unknown addresses are kept")
            #expect(byID[residents[2].idNumber] == withoutSequence(residents[2]), "current addresses are kept")

            let again = try await ToolRun.run(command + ["--out", batchPath + ".2"])
            #expect(again.status == 0, "\(again.errors)")
            #expect(counts(again.output)?.toUpdate == 0)
            #expect(again.output.contains("nothing to migrate"))
            #expect(!FileManager.default.fileExists(atPath: batchPath + ".2"))
            #expect(!FileManager.default.fileExists(atPath: batchPath + ".2.partial"))
        }

        /// In ID order, without the per-record sequence (the store's bookkeeping: which batch last wrote it).
        static func sorted(_ records: [ResidentRecord]) -> [ResidentRecord] {
            records.map(withoutSequence).sorted { $0.idNumber.value < $1.idNumber.value }
        }

        static func withoutSequence(_ record: ResidentRecord) -> ResidentRecord {
            var record = record
            record.sequence = 0
            return record
        }

        /// "residents: N; to update: M" from the command's output.
        static func counts(_ output: String) -> (residents: Int, toUpdate: Int)? {
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("residents: ") }) else { return nil }
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
        }

        static func records(db: String) throws -> [ResidentRecord] {
            try RegistryStore.open(directory: db).makeReader().withTransaction { transaction in
                var records: [ResidentRecord] = []
                transaction.forEachResident { view in
                    records.append(view.record())
                    return true
                }
                return records
            }
        }

        static func scratch() throws -> String {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-migrate-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return path
        }

        /// The `idgate` executable built beside the test bundle.
        static var idgate: String {
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            while directory.pathExtension == "xctest" || ["Contents", "MacOS"].contains(directory.lastPathComponent) {
                directory.deleteLastPathComponent()
            }
            return directory.appendingPathComponent("idgate").path
        }
    }
}
