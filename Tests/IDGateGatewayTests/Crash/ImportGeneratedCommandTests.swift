import Foundation
import IDGateStore
import Testing

/// `idgate import --generated N --seed S`: the residents `idgate gen residents` would write, imported in process.
@Suite struct ImportGeneratedCommandTests {
    @Test func generatedImportHoldsWhatGenPlusImportHolds() throws {
        let scratch = try ScratchDirectory("idgate-import-generated")
        defer { scratch.remove() }
        let file = scratch.appending("residents.ndjson").path
        let generated = try IDGateCLI.run(["import", "--generated", "2500", "--seed", "7", "--db", scratch.appending("a").path])
        #expect(generated.status == 0, "\(generated.output)")
        #expect(generated.output.contains("imported 2500 residents"), "\(generated.output)")
        let gen = try IDGateCLI.run(["gen", "residents", "--count", "2500", "--seed", "7", "--out", file])
        #expect(gen.status == 0, "\(gen.output)")
        let imported = try IDGateCLI.run(["import", file, "--db", scratch.appending("b").path])
        #expect(imported.status == 0, "\(imported.output)")

        func records(_ name: String) throws -> [ResidentRecord] {
            var all: [ResidentRecord] = []
            try RegistryStore.open(directory: scratch.appending(name).path).makeReader().withTransaction { txn in
                txn.forEachResident { all.append($0.record()); return true }
            }
            return all
        }
        let fromFile = try records("b")
        #expect(fromFile.count == 2500)
        #expect(try records("a") == fromFile)
    }

    @Test func badCombinationsAreRefusedNamingTheOptions() throws {
        let scratch = try ScratchDirectory("idgate-import-generated")
        defer { scratch.remove() }
        let db = scratch.appending("db").path
        let cases: [([String], String)] = [
            (["import", "--db", db], "give a FILE to import, or --generated N"),
            (["import", "x.ndjson", "--generated", "5", "--db", db], "not both"),
            (["import", "--generated", "0", "--db", db], "--generated must be at least 1"),
            (["import", "--generated", "5", "--skip-invalid", "--db", db], "apply to a FILE, not to --generated"),
            (["import", "--generated", "many", "--db", db], "--generated"),
        ]
        for (arguments, message) in cases {
            let result = try IDGateCLI.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.output.contains(message), "\(arguments): \(result.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: db), "nothing written")
    }
}
