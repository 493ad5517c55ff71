import Foundation
import IDGateDemo
import IDGateStore
import Testing

@Suite struct RegistryDemoTests {
    @Test func demoBuildsARegistryAndASampleThatImportsAgain() throws {
        let temp = NSTemporaryDirectory() + "idgate-demo-tests-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let summary = try RegistryDemo.buildRegistry(directory: temp, residents: 2_000, seed: 9)
        #expect(summary.imported == 2_000)
        let store = try RegistryStore.open(directory: temp + "/registry")
        let stats = store.stats()
        #expect(stats.residents == 2_000)
        // Every kind is counted, by the import and by `idgate stats`.
        let kinds = RegistryDemo.kinds(residents: 2_000, seed: 9)
        #expect(!kinds.documents.isEmpty && !kinds.organizations.isEmpty && !kinds.foreigners.isEmpty)
        #expect(summary.kinds == KindImportInput.Counts(
            documents: kinds.documents.count, organizations: kinds.organizations.count, foreigners: kinds.foreigners.count))
        #expect(stats.documents == kinds.documents.count)
        #expect(stats.organizations == kinds.organizations.count)
        #expect(stats.foreigners == kinds.foreigners.count)
        let sample = try String(contentsOfFile: temp + "/sample.ndjson", encoding: .utf8)
        let lines = sample.split(separator: "\n")
        #expect(lines.count == 2_000)
        let reader = store.makeReader()
        for (index, line) in lines.enumerated() {
            let record = try ResidentCodec.decodeNDJSON(String(line), lineNumber: index + 1)
            reader.withTransaction { txn in
                var expected = record
                expected.sequence = 1
                #expect(txn.resident(record.idNumber)?.record() == expected)
            }
        }
    }
}
