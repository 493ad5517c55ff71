import Foundation
import IDGateFleet
import IDGateStore
import Testing

extension FleetTests {
    /// Documents, organizations and foreign residents in the registry of record (real PostgreSQL, real LMDB):
    /// loaded with the residents, changed by published batches, in the snapshot a node bootstraps from, and
    /// followed by a running node.
    @Suite struct RecordKindsTests {
        static func kinds(_ residents: [ResidentRecord]) -> KindImportInput {
            var generator = KindGenerator(seed: 16)
            var kinds = KindImportInput()
            kinds.documents = generator.documents(for: residents)
            kinds.organizations = generator.organizations(count: 15, residents: residents)
            kinds.foreigners = Array(ForeignerGenerator(seed: 16).prefix(20))
            return kinds
        }

        /// A foreign resident the fixtures do not hold (a passport number no generator makes).
        static func newForeigner(_ template: ForeignerRecord) -> ForeignerRecord {
            var record = template
            record.key = ForeignerKey(nationality: template.key.nationality, passportNumber: PassportNumber("ZZ0000001")!)
            return record
        }

        @Test func kindsAreLoadedPublishedSnapshottedAndFollowed() async throws {
            try await PostgresCluster.with { cluster in
                let residents = FleetFixtures.residents()
                let kinds = Self.kinds(residents)
                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                let loaded = try await registry.load(residents, kinds: kinds)
                #expect(loaded.kinds == KindImportInput.Counts(
                    documents: kinds.documents.count, organizations: 15, foreigners: 20))
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_documents") == String(kinds.documents.count))
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_organizations") == "15")
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_foreigners") == "20")
                let holder = kinds.documents[0].holderIdNumber.value
                #expect(try await cluster.psql(
                    "SELECT count(*) > 0 FROM idgate_documents WHERE holder_id_number = \(holder)") == "t")

                // Batch 1 lands before the node exists: the snapshot must already contain it.
                let revoked = kinds.documents[0]
                let dissolved = kinds.organizations[0]
                let arriving = Self.newForeigner(kinds.foreigners[0])
                #expect(try await registry.publish(UpdateBatch(sequence: 1, operations: [
                    .kind(.setDocumentStatus(revoked.type, number: revoked.number, .revoked)),
                    .kind(.deleteOrganization(dissolved.organizationId)),
                    .upsertForeigner(arriving),
                ])) == .published(operations: 3, sequence: 1))
                #expect(try await cluster.psql(
                    "SELECT record::jsonb ->> 'status' FROM idgate_documents WHERE document_number = '\(revoked.number)'") == "revoked")

                let directory = cluster.nodeDirectory("node")
                let follower = RegistryFollower(
                    source: cluster.source, directory: directory, options: FleetFixtures.followerOptions(),
                    logger: FleetFixtures.quietLogger)
                try await follower.prepare()
                #expect(follower.status.appliedSequence == 1)
                func read<R>(_ body: (borrowing ReadTransaction) -> R) throws -> R {
                    try RegistryStore.open(directory: directory).makeReader().withTransaction(body)
                }
                #expect(try read { $0.documentCount } == kinds.documents.count)
                #expect(try read { $0.organizationCount } == 14)
                #expect(try read { $0.foreignerCount } == 21)
                #expect(try read { $0.document(revoked.type, number: revoked.number)?.status } == .revoked)
                #expect(try read { $0.organization(dissolved.organizationId) } == nil)
                #expect(try read { $0.foreigner(arriving.key) != nil })
                #expect(try read { $0.documents(heldBy: revoked.holderIdNumber).contains { $0.number == revoked.number } })

                // Changes published while the node follows reach it.
                var moved = kinds.documents[1]
                moved.holderName = "Trần Văn Đổi Tên"
                let leaving = kinds.foreigners[1].key
                let suspended = kinds.organizations[1].organizationId
                try await whileFollowing(follower) {
                    _ = try await registry.publish(UpdateBatch(sequence: 2, operations: [
                        .kind(.upsertDocument(moved)), .kind(.setOrganizationStatus(suspended, .suspended)),
                        .deleteForeigner(leaving),
                    ]))
                    try await waitUntil("the node applies batch 2") { follower.status.appliedSequence == 2 }
                }
                #expect(try read { $0.document(moved.type, number: moved.number)?.holderName } == moved.holderName)
                #expect(try read { $0.organization(suspended)?.status } == .suspended)
                #expect(try read { $0.foreigner(leaving) == nil })
                #expect(follower.status.refusedBatches == 0)

                // A change that does not apply refuses the whole batch, naming it, as `idgate update --db` does.
                for (operation, named) in [
                    (UpdateOperation.kind(.deleteDocument(revoked.type, number: "999999999999")), "999999999999"),
                    (.kind(.setOrganizationStatus(dissolved.organizationId, .active)), dissolved.organizationId.description),
                    (.deleteForeigner(leaving), leaving.description),
                ] {
                    do {
                        _ = try await registry.publish(UpdateBatch(sequence: 3, operations: [.kind(.upsertDocument(revoked)), operation]))
                        Issue.record("a batch with \(operation) was published")
                    } catch let error as FleetError {
                        guard case .batchRejected(3, let reason) = error else { throw error }
                        #expect(reason.contains(named), "\(reason)")
                    }
                }
                #expect(try await registry.head().sequence == 2)
                #expect(try await cluster.psql(
                    "SELECT record::jsonb ->> 'status' FROM idgate_documents WHERE document_number = '\(revoked.number)'") == "revoked")

                // A key given twice fails the load; nothing of it stays.
                var twice = kinds
                twice.organizations.append(kinds.organizations[2])
                await #expect(throws: FleetError.self) { try await registry.load(residents, kinds: twice, replace: true) }
                #expect(try await registry.head().sequence == 2)
            }
        }

        /// The commands: `demo init --postgres` loads every kind, `update --postgres` publishes a foreign resident's
        /// change, and `idgate stats` counts each kind of the demo's own registry.
        @Test func demoInitLoadsEveryKindAndUpdatePublishesForeignerChanges() async throws {
            try await PostgresCluster.with { cluster in
                let environment = [
                    "\(PostgresSource.urlVariable)=postgres://idgate@127.0.0.1:\(cluster.port)/idgate",
                    "\(PostgresSource.passwordFileVariable)=\(cluster.directory)/password",
                ]
                let demo = cluster.nodeDirectory("demo")
                let idgate = AddressMigrationTests.idgate
                let initialized = try await ToolRun.run(
                    environment + [idgate, "demo", "init", "--dir", demo, "--residents", "1000", "--seed", "3", "--postgres"])
                try #require(initialized.status == 0, "\(initialized.errors)")
                let stats = try await ToolRun.run([idgate, "stats", "--json", "--db", demo + "/registry"])
                try #require(stats.status == 0, "\(stats.errors)")
                let counts = try #require(try JSONSerialization.jsonObject(with: Data(stats.output.utf8)) as? [String: Any])
                for (key, table) in [
                    ("residents", "idgate_residents"), ("documents", "idgate_documents"),
                    ("organizations", "idgate_organizations"), ("foreigners", "idgate_foreigners"),
                ] {
                    let local = try #require(counts[key] as? Int)
                    #expect(local > 0, "\(key)")
                    #expect(try await cluster.psql("SELECT count(*) FROM \(table)") == String(local), "\(key)")
                }
                let text = try await ToolRun.run([idgate, "stats", "--db", demo + "/registry"])
                #expect(text.output.contains("organizations     \(counts["organizations"] as! Int)\n"))
                #expect(text.output.contains("foreign residents \(counts["foreigners"] as! Int)\n"))

                let foreigner = try #require(String(
                    contentsOfFile: demo + "/sample-foreigners.ndjson", encoding: .utf8).split(separator: "\n").first)
                let record = try ForeignerCodec.decodeNDJSON(String(foreigner))
                let batch = demo + "/batch.ndjson"
                try Data(UpdateBatch(sequence: 1, operations: [.deleteForeigner(record.key)]).ndjson().utf8)
                    .write(to: URL(fileURLWithPath: batch))
                let published = try await ToolRun.run(environment + [idgate, "update", batch, "--postgres"])
                #expect(published.status == 0, "\(published.errors)")
                #expect(try await cluster.psql(
                    "SELECT count(*) FROM idgate_foreigners WHERE passport_number = '\(record.key.passportNumber.text)'") == "0")
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_foreigners") == String((counts["foreigners"] as! Int) - 1))
            }
        }

        @Test func aRegistryOfAnotherSchemaVersionIsRefusedUntilLoadedAgain() async throws {
            try await PostgresCluster.with { cluster in
                let residents = Array(FleetFixtures.residents().prefix(20))
                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                _ = try await registry.load(residents)
                _ = try await cluster.psql("UPDATE idgate_registry SET schema_version = 1")
                await #expect(throws: FleetError.schemaVersionMismatch(database: "idgate", found: 1, expected: 2)) {
                    try await registry.head()
                }
                await #expect(throws: FleetError.schemaVersionMismatch(database: "idgate", found: 1, expected: 2)) {
                    try await registry.publish(UpdateBatch(sequence: 1, operations: [.delete(residents[0].idNumber)]))
                }
                let reloaded = try await registry.load(residents, kinds: Self.kinds(residents), replace: true)
                #expect(reloaded.kinds.organizations == 15)
                #expect(try await registry.head().sequence == 0)
                #expect(try await cluster.psql("SELECT schema_version FROM idgate_registry") == "2")
            }
        }
    }
}
