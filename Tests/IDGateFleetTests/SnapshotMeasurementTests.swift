import Foundation
import IDGateFleet
import IDGateStore
import Testing

extension FleetTests {
    /// Load and snapshot figures for docs/FLEET.md at a chosen size: `IDGATE_FLEET_MEASURE=200000 swift test --filter
    /// SnapshotMeasurement`. Off by default (it takes minutes at useful sizes); Swift Testing lists it as skipped with
    /// this reason. It still checks its outcome: every resident arrives.
    @Suite struct SnapshotMeasurementTests {
        static let residents = ProcessInfo.processInfo.environment["IDGATE_FLEET_MEASURE"].flatMap(Int.init)

        @Test(.enabled(if: residents != nil, "set IDGATE_FLEET_MEASURE=N to measure loading and snapshotting N residents"))
        func measureLoadAndSnapshot() async throws {
            let count = try #require(Self.residents)
            try await PostgresCluster.with { cluster in
                let registry = PostgresRegistry(source: cluster.source, logger: FleetFixtures.quietLogger)
                let loaded = try await registry.load(ResidentGenerator(seed: 16).prefix(count))
                #expect(loaded.residents == count)
                let directory = cluster.nodeDirectory("node")
                let follower = RegistryFollower(source: cluster.source, directory: directory, logger: FleetFixtures.quietLogger)
                let started = ContinuousClock.now
                try await follower.prepare()
                let snapshotSeconds = (ContinuousClock.now - started).components.seconds
                let elapsed = Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double(snapshotSeconds)
                #expect(try NodeView(directory: directory).count() == count)
                print(
                    "fleet measurement: load \(count) residents in \(String(format: "%.2f", loaded.elapsedSeconds)) s "
                        + "(\(Int(Double(count) / loaded.elapsedSeconds)) rows/s); snapshot (dump + import) in "
                        + "\(String(format: "%.2f", elapsed)) s (\(Int(Double(count) / elapsed)) rows/s)")
            }
        }
    }
}
