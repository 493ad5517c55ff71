import Foundation
import Testing
@testable import IDGateStore

@Suite struct RegistryReaderTests {
    @Test func oneReaderServesManyTransactions() throws {
        let temp = TemporaryDirectory()
        let generated = Array(ResidentGenerator(seed: 1).prefix(1_000))
        let store = try Fixtures.store(generated, in: temp.path)
        let reader = store.makeReader()
        for _ in 0..<3 {
            for record in generated {
                let name = reader.withTransaction { $0.resident(record.idNumber)?.fullName.string }
                #expect(name == record.fullName)
            }
        }
    }

    @Test func readersOnManyThreadsShareOneStore() async throws {
        let temp = TemporaryDirectory()
        let generated = Array(ResidentGenerator(seed: 2).prefix(2_000))
        let store = try Fixtures.store(generated, in: temp.path)
        let found = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let reader = store.makeReader()
                    return generated.reduce(0) { count, record in
                        count + (reader.withTransaction { $0.resident(record.idNumber) != nil } ? 1 : 0)
                    }
                }
            }
            return await group.reduce(0, +)
        }
        #expect(found == 8 * 2_000)
    }

    @Test func sampleSpreadsOverTheStore() throws {
        let temp = TemporaryDirectory()
        let store = try Fixtures.store(Array(ResidentGenerator(seed: 4).prefix(1_000)), in: temp.path)
        let sample = store.sample(count: 10)
        #expect(sample.count == 10)
        #expect(sample == sample.sorted { $0.idNumber < $1.idNumber })
        #expect(Set(sample.map(\.idNumber)).count == 10)
        #expect(store.sample(count: 5_000).count == 1_000)
    }
}
