import Foundation
import IDGateFleet
import IDGateStore
import Testing

extension FleetTests {
    /// The follower against a real PostgreSQL cluster (scripts/postgres.sh) and a real LMDB registry: snapshot,
    /// following, resume after a kill, gaps, refused batches, a database restart. Every wait is for an effect
    /// (the applied sequence, an alarm), bounded generously.
    @Suite struct FollowerTests {
        @Test func snapshotThenFollowAppliesEveryBatchInOrder() async throws {
            try await PostgresCluster.with { cluster in
                let residents = FleetFixtures.residents()
                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                let loaded = try await registry.load(residents)
                #expect(loaded.residents == residents.count)

                // Batch 1 lands before the node exists: the snapshot must already contain it.
                let carded = FleetFixtures.residentWithCard(residents)
                #expect(try await registry.publish(UpdateBatch(sequence: 1, operations: [.setCardStatus(carded.idNumber, .revoked)]))
                    == .published(operations: 1, sequence: 1))

                let directory = cluster.nodeDirectory("node")
                let node = NodeView(directory: directory)
                let follower = RegistryFollower(
                    source: cluster.source, directory: directory, options: FleetFixtures.followerOptions(),
                    logger: FleetFixtures.quietLogger)
                try await follower.prepare()
                #expect(follower.status.isBootstrapped)
                #expect(follower.status.appliedSequence == 1)
                #expect(follower.status.snapshots == 1)
                #expect(node.sequence == 1)
                #expect(try node.count() == residents.count)
                #expect(try node.cardStatus(carded.idNumber) == .revoked)

                let newcomer = FleetFixtures.newcomer(basedOn: residents[5], residents: residents)
                let leaving = residents[7].idNumber
                try await whileFollowing(follower) {
                    _ = try await registry.publish(UpdateBatch(sequence: 2, operations: [.upsert(newcomer)]))
                    _ = try await registry.publish(UpdateBatch(sequence: 3, operations: [.delete(leaving), .setCardStatus(carded.idNumber, .valid)]))
                    try await waitUntil("the node applies batch 3") { follower.status.appliedSequence == 3 }
                }
                #expect(node.sequence == 3)
                #expect(try node.contains(newcomer.idNumber))
                #expect(try !node.contains(leaving))
                #expect(try node.cardStatus(carded.idNumber) == .valid)
                let status = follower.status
                #expect(status.latestKnownSequence == 3)
                #expect(status.lagBatches == 0)
                #expect(status.lagSeconds == 0)
                #expect(status.alarm == nil)
                #expect(status.refusedBatches == 0)
                #expect(status.lastApplyDuration != nil)
                #expect(status.snapshots == 1)
            }
        }

        @Test func aRestartedNodeResumesFromItsLocalSequenceWithoutASnapshot() async throws {
            try await PostgresCluster.with { cluster in
                let residents = FleetFixtures.residents()
                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                _ = try await registry.load(residents)
                let directory = cluster.nodeDirectory("node")
                let node = NodeView(directory: directory)

                // First life: snapshot at 0, apply batches 1 and 2, then die without any shutdown step (the task is
                // cancelled mid-wait and the follower dropped; only what LMDB committed survives).
                let generation: String?
                do {
                    let first = RegistryFollower(
                        source: cluster.source, directory: directory, options: FleetFixtures.followerOptions(),
                        logger: FleetFixtures.quietLogger)
                    try await first.prepare()
                    #expect(first.status.appliedSequence == 0)
                    try await whileFollowing(first) {
                        _ = try await registry.publish(UpdateBatch(sequence: 1, operations: [.delete(residents[1].idNumber)]))
                        _ = try await registry.publish(UpdateBatch(sequence: 2, operations: [.delete(residents[2].idNumber)]))
                        try await waitUntil("the first life applies batch 2") { first.status.appliedSequence == 2 }
                    }
                    generation = node.generation
                }
                // While the node is down: batch 3 deletes another resident. Applying batch 1 or 2 again would fail
                // (their residents are gone) and show up as a refused batch.
                _ = try await registry.publish(UpdateBatch(sequence: 3, operations: [.delete(residents[3].idNumber)]))

                let second = RegistryFollower(
                    source: cluster.source, directory: directory, options: FleetFixtures.followerOptions(),
                    logger: FleetFixtures.quietLogger)
                try await second.prepare()
                #expect(second.status.isBootstrapped)
                #expect(second.status.snapshots == 0, "a node with a valid local copy must not take a new snapshot")
                #expect(second.status.appliedSequence == 2)
                #expect(node.generation == generation)
                try await whileFollowing(second) {
                    try await waitUntil("the second life applies batch 3") { second.status.appliedSequence == 3 }
                }
                #expect(second.status.refusedBatches == 0)
                #expect(second.status.alarm == nil)
                #expect(node.sequence == 3)
                #expect(try node.count() == residents.count - 3)
            }
        }

        @Test func aGapInTheChangeLogStopsApplyingUntilTheMissingBatchAppears() async throws {
            try await PostgresCluster.with { cluster in
                let residents = FleetFixtures.residents()
                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                _ = try await registry.load(residents)
                let directory = cluster.nodeDirectory("node")
                let follower = RegistryFollower(
                    source: cluster.source, directory: directory, options: FleetFixtures.followerOptions(),
                    logger: FleetFixtures.quietLogger)
                try await follower.prepare()
                let batch1 = UpdateBatch(sequence: 1, operations: [.delete(residents[1].idNumber)])
                let batch2 = UpdateBatch(sequence: 2, operations: [.delete(residents[2].idNumber)])
                let batch3 = UpdateBatch(sequence: 3, operations: [.delete(residents[3].idNumber)])
                try await whileFollowing(follower) {
                    _ = try await registry.publish(batch1)
                    try await waitUntil("batch 1 applied") { follower.status.appliedSequence == 1 }

                    // A writer that bypasses the publisher leaves batch 2 out.
                    _ = try await cluster.psql(
                        "INSERT INTO idgate_changes (sequence, batch, operations) VALUES (3, $batch$\(batch3.ndjson())$batch$, 1);"
                            + "UPDATE idgate_registry SET head_sequence = 3; NOTIFY idgate_changes")
                    try await waitUntil("the gap is reported") {
                        follower.status.alarm == .sequenceGap(expected: 2, found: 3)
                    }
                    #expect(follower.status.appliedSequence == 1)
                    #expect(follower.status.lagBatches == 2)
                    #expect(NodeView(directory: directory).sequence == 1)
                    #expect(try NodeView(directory: directory).contains(residents[3].idNumber))

                    // The operator restores batch 2: the node continues by itself.
                    _ = try await cluster.psql(
                        "INSERT INTO idgate_changes (sequence, batch, operations) VALUES (2, $batch$\(batch2.ndjson())$batch$, 1)")
                    try await waitUntil("batches 2 and 3 applied") { follower.status.appliedSequence == 3 }
                }
                #expect(follower.status.alarm == nil)
                #expect(try !NodeView(directory: directory).contains(residents[3].idNumber))
            }
        }

        @Test func aBadBatchIsRefusedWholeAndTheNodeStaysAtThePreviousSequence() async throws {
            try await PostgresCluster.with { cluster in
                let residents = FleetFixtures.residents()
                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                _ = try await registry.load(residents)
                let directory = cluster.nodeDirectory("node")
                let node = NodeView(directory: directory)
                let follower = RegistryFollower(
                    source: cluster.source, directory: directory, options: FleetFixtures.followerOptions(),
                    logger: FleetFixtures.quietLogger)
                try await follower.prepare()
                let newcomer = FleetFixtures.newcomer(basedOn: residents[9], residents: residents)
                try await whileFollowing(follower) {
                    // Malformed NDJSON in the log.
                    _ = try await cluster.psql(
                        #"INSERT INTO idgate_changes (sequence, batch, operations) VALUES (1, E'{"sequence":1}\n{"op":"explode"}\n', 1);"#
                            + "UPDATE idgate_registry SET head_sequence = 1; NOTIFY idgate_changes")
                    try await waitUntil("the malformed batch is refused") {
                        if case .refusedBatch(1, _) = follower.status.alarm { true } else { false }
                    }
                    #expect(follower.status.refusedBatches == 1)
                    #expect(follower.status.appliedSequence == 0)

                    // Well-formed, but its second change fails on the node: the first must not be applied either.
                    let halfGood = UpdateBatch(sequence: 1, operations: [.upsert(newcomer), .delete(IDNumber("001099999999")!)])
                    _ = try await cluster.psql("UPDATE idgate_changes SET batch = $batch$\(halfGood.ndjson())$batch$ WHERE sequence = 1")
                    try await waitUntil("the failing batch is refused") { follower.status.refusedBatches == 2 }
                    #expect(follower.status.appliedSequence == 0)
                    #expect(node.sequence == 0)
                    #expect(try !node.contains(newcomer.idNumber))

                    // A batch whose header disagrees with its place in the log.
                    let misnumbered = UpdateBatch(sequence: 7, operations: [.upsert(newcomer)])
                    _ = try await cluster.psql("UPDATE idgate_changes SET batch = $batch$\(misnumbered.ndjson())$batch$ WHERE sequence = 1")
                    try await waitUntil("the misnumbered batch is refused") {
                        if case .refusedBatch(1, let reason) = follower.status.alarm { reason.contains("header says sequence 7") } else { false }
                    }
                    #expect(follower.status.refusedBatches == 3)
                    #expect(node.sequence == 0)

                    // Repaired: applied, alarm cleared.
                    let good = UpdateBatch(sequence: 1, operations: [.upsert(newcomer)])
                    _ = try await cluster.psql("UPDATE idgate_changes SET batch = $batch$\(good.ndjson())$batch$ WHERE sequence = 1")
                    try await waitUntil("the repaired batch is applied") { follower.status.appliedSequence == 1 }
                }
                #expect(follower.status.alarm == nil)
                #expect(try node.contains(newcomer.idNumber))
            }
        }

        @Test func aPostgresRestartIsRiddenOutAndCaughtUp() async throws {
            try await PostgresCluster.with { cluster in
                let residents = FleetFixtures.residents()
                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                _ = try await registry.load(residents)
                let directory = cluster.nodeDirectory("node")
                let node = NodeView(directory: directory)
                let follower = RegistryFollower(
                    source: cluster.source, directory: directory, options: FleetFixtures.followerOptions(),
                    logger: FleetFixtures.quietLogger)
                try await follower.prepare()
                try await whileFollowing(follower) {
                    _ = try await registry.publish(UpdateBatch(sequence: 1, operations: [.delete(residents[1].idNumber)]))
                    try await waitUntil("batch 1 applied") { follower.status.appliedSequence == 1 }

                    try await cluster.stop()
                    try await waitUntil("the follower notices the database is gone") {
                        let status = follower.status
                        return !status.isConnected && status.connectionError != nil
                    }
                    // Still serving the local copy.
                    #expect(follower.status.isBootstrapped)
                    #expect(try node.count() == residents.count - 1)

                    try await cluster.start()
                    _ = try await registry.publish(UpdateBatch(sequence: 2, operations: [.delete(residents[2].idNumber)]))
                    try await waitUntil("batch 2 applied after the restart") { follower.status.appliedSequence == 2 }
                    #expect(follower.status.isConnected)
                }
                #expect(follower.status.alarm == nil)
                #expect(follower.status.snapshots == 1)
                #expect(node.sequence == 2)
            }
        }

        @Test func aNodeRefusesToStartAgainstADatabaseWithoutTheSchemaOrOfAnotherVersion() async throws {
            try await PostgresCluster.with { cluster in
                let directory = cluster.nodeDirectory("node")
                let follower = RegistryFollower(
                    source: cluster.source, directory: directory, options: FleetFixtures.followerOptions(),
                    logger: FleetFixtures.quietLogger)
                await #expect(throws: FleetError.schemaMissing(database: "idgate")) { try await follower.prepare() }
                #expect(!follower.status.isBootstrapped)

                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                _ = try await registry.load(FleetFixtures.residents())
                _ = try await cluster.psql("UPDATE idgate_registry SET schema_version = 99")
                await #expect(throws: FleetError.schemaVersionMismatch(database: "idgate", found: 99, expected: 2)) {
                    try await follower.prepare()
                }
                await #expect(throws: FleetError.schemaVersionMismatch(database: "idgate", found: 99, expected: 2)) {
                    try await registry.publish(UpdateBatch(sequence: 1, operations: [.delete(IDNumber("001099999999")!)]))
                }
                #expect(!FileManager.default.fileExists(atPath: directory + "/current"))
            }
        }

        @Test func aNodeWithoutALocalCopyAndNoDatabaseFailsClearly() async throws {
            let port = try PostgresCluster.freeLoopbackPort()
            let source = try PostgresSource(url: "postgres://idgate:secret@127.0.0.1:\(port)/idgate")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-fleet-\(UUID().uuidString)").path
            let follower = RegistryFollower(source: source, directory: directory, logger: FleetFixtures.quietLogger)
            do {
                try await follower.prepare()
                Issue.record("prepare() succeeded without a database")
            } catch let error as FleetError {
                guard case .cannotBootstrap(let reported, let reason) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(reported == directory)
                #expect(!reason.contains("secret"))
                #expect(!error.description.contains("secret"))
            }
            #expect(follower.status.connectionError != nil)
        }
    }
}
