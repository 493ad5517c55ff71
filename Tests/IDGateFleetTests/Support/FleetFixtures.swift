import Foundation
import IDGateFleet
import IDGateStore
import Logging

/// Generated residents (the demo generator, fixed seed) and helpers for reading what a node holds.
enum FleetFixtures {
    static let residentCount = 300

    static func residents() -> [ResidentRecord] {
        Array(ResidentGenerator(seed: 16).prefix(residentCount))
    }

    /// A resident with a card (for setCardStatus batches).
    static func residentWithCard(_ residents: [ResidentRecord], index: Int = 0) -> ResidentRecord {
        residents.filter { $0.card != nil && $0.card?.status == .valid }[index]
    }

    /// A resident the generator did not make (a new ID in the same province as an existing one).
    static func newcomer(basedOn template: ResidentRecord, residents: [ResidentRecord]) -> ResidentRecord {
        let taken = Set(residents.map(\.idNumber.value))
        var candidate = template.idNumber.value + 1
        while taken.contains(candidate) || IDNumber(String(format: "%012llu", candidate)) == nil { candidate += 1 }
        var record = template
        record.idNumber = IDNumber(String(format: "%012llu", candidate))!
        record.legacyIdNumber = nil
        record.phoneNumbers = []
        return record
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "idgate.fleet.tests")
        logger.logLevel = .critical
        return logger
    }()

    static func followerOptions() -> FollowerOptions {
        var options = FollowerOptions()
        options.pollInterval = .milliseconds(200)
        options.initialBackoff = .milliseconds(50)
        options.maximumBackoff = .milliseconds(400)
        return options
    }
}

/// What a node's registry directory holds, read the way the server reads it.
struct NodeView {
    let directory: String

    var sequence: UInt64 { (try? RegistryStore.open(directory: directory).sequence) ?? 0 }
    var generation: String? { try? RegistryStore.open(directory: directory).generation }

    func contains(_ id: IDNumber) throws -> Bool {
        try RegistryStore.open(directory: directory).makeReader().withTransaction { $0.resident(id) != nil }
    }

    func cardStatus(_ id: IDNumber) throws -> StoredCardStatus? {
        try RegistryStore.open(directory: directory).makeReader().withTransaction { $0.resident(id)?.storedCardStatus }
    }

    func count() throws -> Int {
        try RegistryStore.open(directory: directory).makeReader().withTransaction { transaction in
            var count = 0
            transaction.forEachResident { _ in
                count += 1
                return true
            }
            return count
        }
    }
}

/// Runs `follower.run()` in a task for the duration of `body`, then cancels it and waits for it to end.
func whileFollowing<Result>(_ follower: RegistryFollower, _ body: () async throws -> Result) async throws -> Result {
    let task = Task { try await follower.run() }
    do {
        let result = try await body()
        task.cancel()
        _ = await task.result
        return result
    } catch {
        task.cancel()
        _ = await task.result
        throw error
    }
}
