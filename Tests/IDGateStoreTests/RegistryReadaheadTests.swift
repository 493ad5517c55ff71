import CLMDB
import Foundation
import Testing
@testable import IDGateStore

@Suite struct RegistryReadaheadTests {
    @Test func autoReadsAheadOnlyWhileTheDataFileFitsInHalfOfMemory() {
        let gib = 1 << 30
        #expect(RegistryReadahead.auto.isEnabled(dataFileBytes: 3 * gib, memoryBytes: 23 * gib))
        #expect(RegistryReadahead.auto.isEnabled(dataFileBytes: 11 * gib, memoryBytes: 23 * gib))
        #expect(!RegistryReadahead.auto.isEnabled(dataFileBytes: 28 * gib, memoryBytes: 23 * gib), "100 M residents")
        #expect(!RegistryReadahead.auto.isEnabled(dataFileBytes: 12 * gib, memoryBytes: 23 * gib))
        #expect(RegistryReadahead.on.isEnabled(dataFileBytes: 28 * gib, memoryBytes: 23 * gib))
        #expect(!RegistryReadahead.off.isEnabled(dataFileBytes: 1, memoryBytes: 23 * gib))
        #expect(RegistryReadahead.auto.isEnabled(dataFileBytes: 28 * gib, memoryBytes: 0), "memory unknown: LMDB's default")
        #expect(RegistryReadahead.physicalMemoryBytes > 0)
    }

    @Test func theChoiceReachesTheEnvironment() throws {
        let temp = TemporaryDirectory()
        for (name, readahead, expected) in [("on", RegistryReadahead.on, true), ("off", .off, false), ("auto", .auto, true)] {
            let directory = temp.path + "/" + name
            _ = try RegistryImporter(directory: directory).importRecords([Fixtures.resident()])
            let store = try RegistryStore.open(directory: directory, readahead: readahead)
            #expect(store.readsAhead == expected, "\(name): a small registry in a machine's memory")
            #expect(store.makeReader().withTransaction { $0.resident(Fixtures.resident().idNumber) != nil })
        }
    }
}
