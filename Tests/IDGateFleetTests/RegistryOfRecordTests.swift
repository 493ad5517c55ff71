import Foundation
import IDGateFleet
import IDGateStore
import Testing

extension FleetTests {
    /// Loading and publishing against a real PostgreSQL cluster, and the connection settings.
    @Suite struct RegistryOfRecordTests {
        @Test func publishingIsOrderedAllOrNothingAndIdempotent() async throws {
            try await PostgresCluster.with { cluster in
                let residents = FleetFixtures.residents()
                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                let loaded = try await registry.load(residents)
                let head = try await registry.head()
                #expect(head.sequence == 0)
                #expect(head.origin == loaded.origin)
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_residents") == String(residents.count))

                // Loading again without replace is refused; with replace it starts over under a new origin.
                await #expect(throws: FleetError.registryNotEmpty(database: "idgate", residents: residents.count, head: 0)) {
                    try await registry.load(residents)
                }
                let reloaded = try await registry.load(residents.prefix(10), replace: true)
                #expect(reloaded.residents == 10)
                #expect(reloaded.origin != loaded.origin)
                let kept = Array(residents.prefix(10))

                let batch1 = UpdateBatch(sequence: 1, operations: [.setRecordStatus(kept[0].idNumber, .deceased)])
                #expect(try await registry.publish(batch1) == .published(operations: 1, sequence: 1))
                #expect(try await registry.publish(batch1) == .alreadyPublished(head: 1))
                await #expect(throws: FleetError.publishOutOfOrder(head: 1, batch: 3)) {
                    try await registry.publish(UpdateBatch(sequence: 3, operations: [.delete(kept[1].idNumber)]))
                }
                // The second change fails: the first (a delete) must not have happened, and nothing is logged.
                let failing = UpdateBatch(sequence: 2, operations: [.delete(kept[1].idNumber), .delete(IDNumber("001099999999")!)])
                do {
                    _ = try await registry.publish(failing)
                    Issue.record("a batch deleting an unknown resident was published")
                } catch let error as FleetError {
                    guard case .batchRejected(2, let reason) = error else { throw error }
                    #expect(reason.contains("001099999999"))
                }
                #expect(try await registry.head().sequence == 1)
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_residents") == "10")
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_changes") == "1")
                #expect(try await cluster.psql("SELECT record::jsonb ->> 'recordStatus' FROM idgate_residents WHERE id_number = \(kept[0].idNumber.value)") == "deceased")

                // A legacy number given to a second resident violates the registry's uniqueness: refused.
                var thief = FleetFixtures.newcomer(basedOn: kept[2], residents: residents)
                thief.legacyIdNumber = kept.first { $0.legacyIdNumber != nil }?.legacyIdNumber
                if thief.legacyIdNumber != nil {
                    await #expect(throws: FleetError.self) {
                        try await registry.publish(UpdateBatch(sequence: 2, operations: [.upsert(thief)]))
                    }
                    #expect(try await registry.head().sequence == 1)
                }
            }
        }

        @Test func loadsTheImportFileFormats() async throws {
            try await PostgresCluster.with { cluster in
                let residents = Array(FleetFixtures.residents().prefix(20))
                var ndjson: [UInt8] = []
                var csv = Array((ResidentCodec.csvHeader + "\n").utf8)
                for record in residents {
                    ResidentCodec.appendNDJSON(record, to: &ndjson)
                    ResidentCodec.appendCSV(record, to: &csv)
                }
                let ndjsonPath = cluster.nodeDirectory("residents.ndjson")
                let csvPath = cluster.nodeDirectory("residents.csv")
                try Data(ndjson).write(to: URL(fileURLWithPath: ndjsonPath))
                try Data(csv).write(to: URL(fileURLWithPath: csvPath))
                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                #expect(try await registry.load(file: ndjsonPath).residents == 20)
                #expect(try await registry.load(file: csvPath, replace: true).residents == 20)

                let bad = cluster.nodeDirectory("bad.ndjson")
                try Data(#"{"idNumber":"12"}"#.utf8).write(to: URL(fileURLWithPath: bad))
                await #expect(throws: InputError.self) { try await registry.load(file: bad, replace: true) }
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_residents") == "20")
            }
        }

        @Test func wrongPasswordIsAClearErrorWithoutThePassword() async throws {
            try await PostgresCluster.with { cluster in
                let source = try PostgresSource(url: "postgres://idgate:not-the-password@127.0.0.1:\(cluster.port)/idgate")
                let registry = PostgresRegistry(source: source, logger: FleetFixtures.quietLogger)
                do {
                    _ = try await registry.head()
                    Issue.record("a wrong password was accepted")
                } catch {
                    let text = "\(error)"
                    #expect(text.contains("password authentication failed"), "\(text)")
                    #expect(!text.contains("not-the-password"))
                }
            }
        }

        @Test func connectionSettingsComeFromTheEnvironmentOrFilesAndNeverShowThePassword() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-fleet-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let passwordFile = directory.appendingPathComponent("password").path
            try Data("s3cr3t-from-file\n".utf8).write(to: URL(fileURLWithPath: passwordFile))
            let urlFile = directory.appendingPathComponent("url").path
            try Data("postgres://reader:s3cr3t-in-url@db.example:6432/registry\n".utf8).write(to: URL(fileURLWithPath: urlFile))

            let fromURL = try PostgresSource.fromEnvironment(["IDGATE_POSTGRES_URL": "postgres://reader:s3cr3t-in-url@db.example:6432/registry"])
            #expect(fromURL.host == "db.example")
            #expect(fromURL.port == 6432)
            #expect(fromURL.username == "reader")
            #expect(fromURL.database == "registry")
            #expect(!fromURL.requiresTLS)
            for text in ["\(fromURL)", String(reflecting: fromURL), { var out = ""; dump(fromURL, to: &out); return out }()] {
                #expect(!text.contains("s3cr3t"), "\(text)")
            }
            #expect("\(fromURL)" == "postgres://reader@db.example:6432/registry")

            let fromFiles = try PostgresSource.fromEnvironment([
                "IDGATE_POSTGRES_URL_FILE": urlFile, "IDGATE_POSTGRES_PASSWORD_FILE": passwordFile,
            ])
            #expect(fromFiles.database == "registry")
            var dumped = ""
            dump(fromFiles, to: &dumped)
            #expect(!dumped.contains("s3cr3t"))

            #expect(try PostgresSource(url: "postgres://u@h/d?sslmode=require").requiresTLS)
            #expect(throws: FleetError.self) { try PostgresSource.fromEnvironment([:]) }
            #expect(throws: FleetError.self) { try PostgresSource(url: "mysql://u@h/d") }
            #expect(throws: FleetError.self) { try PostgresSource(url: "postgres://u@h/") }
            #expect(throws: FleetError.self) { try PostgresSource(url: "postgres://h:5432/d") }
            #expect(throws: FleetError.self) { try PostgresSource(url: "postgres://u@h/d?sslmode=allow") }
            #expect(throws: FleetError.self) {
                try PostgresSource.fromEnvironment(["IDGATE_POSTGRES_URL": "postgres://u@h/d", "IDGATE_POSTGRES_PASSWORD_FILE": "/nonexistent"])
            }
        }
    }
}
