import Foundation
import IDGateFleet
import IDGateStore
import Testing

extension FleetTests {
    /// A follower killed with SIGKILL while it applies the change log: the test runs the follower in a child process
    /// (this test binary again, running only `childFollowsUntilKilled`), kills it mid-stream, and follows on from the
    /// same directory. Every batch deletes a different resident, so a batch applied twice would be refused (its
    /// resident is gone) and a skipped one would leave its resident in place.
    @Suite struct KillTests {
        static let childDirectory = ProcessInfo.processInfo.environment["IDGATE_FLEET_CHILD_DIRECTORY"]
        static let batches = 40
        /// Batches published before the kill.
        static let killedBy = 10

        /// The child half of the test below; it follows until it is killed.
        @Test(.enabled(if: childDirectory != nil, "runs only as the child process that aKilledNodeResumes… starts and kills"))
        func childFollowsUntilKilled() async throws {
            let directory = try #require(Self.childDirectory)
            let follower = RegistryFollower(
                source: try PostgresSource.fromEnvironment(), directory: directory, options: FleetFixtures.followerOptions(),
                logger: FleetFixtures.quietLogger)
            try await follower.prepare()
            try await follower.run()
        }

        @Test func aKilledNodeResumesWithoutReapplyingOrSkippingABatch() async throws {
            try await PostgresCluster.with { cluster in
                let residents = FleetFixtures.residents()
                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                _ = try await registry.load(residents)
                let directory = cluster.nodeDirectory("node")
                let node = NodeView(directory: directory)
                let environment = [
                    "IDGATE_FLEET_CHILD_DIRECTORY": directory,
                    PostgresSource.urlVariable: "postgres://idgate@127.0.0.1:\(cluster.port)/idgate",
                    PostgresSource.passwordFileVariable: cluster.directory + "/password",
                ]
                let testBinary = try #require(Self.executablePath())
                let child = try ToolRun.spawn(
                    testBinary, ["--testing-library", "swift-testing", "--filter", "childFollowsUntilKilled"],
                    environment: environment, logPath: cluster.nodeDirectory("child.log"))
                var reaped = false
                defer { if !reaped { kill(child, SIGKILL) } }

                try await waitUntil("the child takes its snapshot") {
                    FileManager.default.fileExists(atPath: directory + "/follower.json")
                }
                func publish(_ sequences: ClosedRange<Int>) async throws {
                    for sequence in sequences {
                        _ = try await registry.publish(
                            UpdateBatch(sequence: UInt64(sequence), operations: [.delete(residents[sequence].idNumber)]))
                    }
                }
                // Killed while it works through the first batches; the rest are published while it is dead.
                try await publish(1...Self.killedBy)
                try await waitUntil("the child applies a few batches") { node.sequence >= 3 }
                kill(child, SIGKILL)
                let status = await ToolRun.reap(child)
                reaped = true
                #expect(status & 0x7f == SIGKILL, "the child ended by SIGKILL")
                let survived = node.sequence
                #expect((3...UInt64(Self.killedBy)).contains(survived))
                try await publish(Self.killedBy + 1...Self.batches)
                print("KillTests: the child was killed at sequence \(survived) of \(Self.killedBy) published")

                let follower = RegistryFollower(
                    source: cluster.source, directory: directory, options: FleetFixtures.followerOptions(),
                    logger: FleetFixtures.quietLogger)
                try await follower.prepare()
                #expect(follower.status.snapshots == 0, "the killed node's copy must be resumed, not rebuilt")
                #expect(follower.status.appliedSequence == survived)
                try await whileFollowing(follower) {
                    try await waitUntil("every batch applied") { follower.status.appliedSequence == UInt64(Self.batches) }
                }
                #expect(follower.status.refusedBatches == 0)
                #expect(follower.status.alarm == nil)
                #expect(try node.count() == residents.count - Self.batches)
                for index in 1...Self.batches {
                    #expect(try !node.contains(residents[index].idNumber))
                }
                #expect(try node.contains(residents[0].idNumber))
            }
        }

        /// This test binary (the child is the same binary running one test).
        static func executablePath() -> String? {
            var buffer = [CChar](repeating: 0, count: 4096)
            let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
            guard length > 0 else { return nil }
            return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
