import CLMDB
import Foundation
import Testing
@testable import IDGateStore

@Suite struct RegistryImportTests {
    let records = [Fixtures.resident(), Fixtures.elderResident(), Fixtures.childResident()]

    /// Everything the first import stored, read back, to show a failed import changed nothing.
    func snapshot(_ directory: String) throws -> (generation: String, sequence: UInt64, records: [ResidentRecord]) {
        let store = try RegistryStore.open(directory: directory)
        var stored: [ResidentRecord] = []
        store.makeReader().withTransaction { txn in
            txn.forEachResident { stored.append($0.record()); return true }
        }
        return (store.generation, store.sequence, stored)
    }

    @Test func importsNDJSONAndAnswersLookups() throws {
        let temp = TemporaryDirectory()
        let file = temp.file("residents.ndjson", contents: Fixtures.ndjson(records))
        let summary = try RegistryImporter(directory: temp.path + "/db").importFile(file)
        #expect(summary.imported == 3)
        #expect(summary.sequence == 1)
        let store = try RegistryStore.open(directory: temp.path + "/db")
        #expect(store.sequence == 1)
        #expect(store.schemaVersion == RegistryMeta.currentSchemaVersion)
        let reader = store.makeReader()
        reader.withTransaction { txn in
            for record in records {
                #expect(txn.resident(record.idNumber)?.record() == record.stored(sequence: 1))
            }
            #expect(txn.resident(IDNumber("001085999999")!) == nil)
            #expect(txn.idNumbers(forPhone: "0987654321") == [IDNumber("001085012345")!])
            #expect(txn.idNumbers(forPhone: "+84987654321") == [IDNumber("001085012345")!])
            #expect(txn.idNumbers(forPhone: "0900000000").isEmpty)
            #expect(txn.idNumber(forLegacyId: "012345678") == IDNumber("001085012345"))
            #expect(txn.idNumber(forLegacyId: "999999999") == nil)
        }
        let stats = store.stats()
        #expect(stats.residents == 3)
        #expect(stats.phoneIndexEntries == 3)
        #expect(stats.legacyIndexEntries == 1)
    }

    @Test func phoneSharedByTwoResidentsListsBoth() throws {
        let temp = TemporaryDirectory()
        let a = Fixtures.resident(id: "001085012345", phones: ["0912345678"], legacy: nil)
        let b = Fixtures.resident(id: "001085000001", phones: ["0912345678"], legacy: nil)
        let store = try Fixtures.store([a, b], in: temp.path)
        store.makeReader().withTransaction { txn in
            #expect(txn.idNumbers(forPhone: "0912345678") == [IDNumber("001085000001")!, IDNumber("001085012345")!])
        }
    }

    @Test func importsCSV() throws {
        let temp = TemporaryDirectory()
        var csv = Array((ResidentCodec.csvHeader + "\n").utf8)
        for record in records { ResidentCodec.appendCSV(record, to: &csv) }
        let file = temp.file("residents.csv", contents: String(decoding: csv, as: UTF8.self))
        #expect(try RegistryImporter(directory: temp.path + "/db").importFile(file).imported == 3)
        let expected = records.sorted { $0.idNumber < $1.idNumber }.map { $0.stored(sequence: 1) }
        #expect(try snapshot(temp.path + "/db").records == expected)
    }

    @Test func reimportSwapsGenerationAndOldStoreSeesItIsSuperseded() throws {
        let temp = TemporaryDirectory()
        let db = temp.path + "/db"
        let first = try Fixtures.store(records, in: db)
        let reader = first.makeReader()
        #expect(!first.isSuperseded)
        _ = try RegistryImporter(directory: db).importRecords([Fixtures.childResident()])
        #expect(first.isSuperseded)
        // The old generation's files are gone from the directory, but the open store still reads them.
        reader.withTransaction { txn in #expect(txn.resident(Fixtures.resident().idNumber) != nil) }
        let second = try RegistryStore.open(directory: db)
        #expect(second.generation != first.generation)
        #expect(second.sequence == 2)
        #expect(second.stats().residents == 1)
        #expect(StoreDirectory(path: db).generations() == [second.generation])
    }

    func expectFailedImport(
        _ contents: String, name: String = "bad.ndjson", options: ImportOptions = ImportOptions(),
        check: (Error) -> Void
    ) throws {
        let temp = TemporaryDirectory()
        let db = temp.path + "/db"
        _ = try Fixtures.store(records, in: db)
        let before = try snapshot(db)
        let file = temp.file(name, contents: contents)
        do {
            _ = try RegistryImporter(directory: db, options: options).importFile(file)
            Issue.record("import of bad input succeeded")
        } catch {
            check(error)
        }
        let after = try snapshot(db)
        #expect(after.generation == before.generation)
        #expect(after.sequence == before.sequence)
        #expect(after.records == before.records)
        #expect(StoreDirectory(path: db).generations() == [before.generation], "no half-built generation left")
    }

    @Test func duplicateIDsRejectTheImportNamingBothLines() throws {
        let line = ResidentCodec.ndjson(Fixtures.childResident())
        try expectFailedImport(Fixtures.ndjson([Fixtures.resident()]) + line + "\n" + ResidentCodec.ndjson(Fixtures.elderResident()) + "\n" + line + "\n") { error in
            let input = error as? InputError
            #expect(input?.line == 4)
            #expect(input?.reason.contains("first given on line 2") == true, "\(error)")
        }
    }

    @Test func duplicateLegacyNumbersRejectTheImport() throws {
        let a = Fixtures.resident(id: "001085012345", legacy: "111111111")
        let b = Fixtures.resident(id: "001085000001", phones: [], legacy: "111111111")
        try expectFailedImport(Fixtures.ndjson([a, b])) { error in
            #expect((error as? InputError)?.field == "legacyIdNumber")
        }
    }

    @Test func malformedRowRejectsTheWholeImportWithItsLine() throws {
        try expectFailedImport(Fixtures.ndjson([Fixtures.resident()]) + "{\"idNumber\": 5}\n") { error in
            #expect((error as? InputError)?.line == 2)
        }
    }

    @Test func wrongIDLayoutAndImpossibleDateAreRejected() throws {
        var wrong = Fixtures.ndjson([Fixtures.resident()])
        wrong = wrong.replacingOccurrences(of: "\"idNumber\":\"001085012345\"", with: "\"idNumber\":\"001185012345\"")
        try expectFailedImport(wrong) { error in #expect((error as? InputError)?.field == "idNumber") }
        let impossible = Fixtures.ndjson([Fixtures.resident()]).replacingOccurrences(of: "1985-03-14", with: "1985-02-29")
        try expectFailedImport(impossible) { error in #expect((error as? InputError)?.field == "dateOfBirth") }
    }

    @Test func unknownColumnsAreRejected() throws {
        let csv = "idNumber,fullName,dateOfBirth,sex,placeOfOrigin,placeOfResidence,shoeSize\n"
        try expectFailedImport(csv, name: "bad.csv") { error in
            #expect(error as? InputError == InputError(line: 1, field: "shoeSize", reason: "unknown column"))
        }
    }

    @Test func truncatedFileIsRejected() throws {
        let full = Array(Fixtures.ndjson(records).utf8)
        let truncated = String(decoding: full.dropLast(40), as: UTF8.self)
        try expectFailedImport(truncated) { error in
            let input = error as? InputError
            #expect(input?.line == 3)
            #expect(input?.reason.contains("truncated") == true, "\(error)")
        }
    }

    @Test func mapFullFailsClearlyAndKeepsTheOldStore() throws {
        var options = ImportOptions()
        options.maximumMapSize = 64 << 10
        let many = Array(ResidentGenerator(seed: 3).prefix(2_000))
        try expectFailedImport(Fixtures.ndjson(many), options: options) { error in
            #expect(error as? RegistryError == .mapFull(limitBytes: 64 << 10), "\(error)")
        }
    }

    @Test func skipInvalidImportsTheRestAndWritesRejects() throws {
        let temp = TemporaryDirectory()
        let rejects = temp.path + "/rejects.txt"
        let file = temp.file("mixed.ndjson", contents: Fixtures.ndjson([records[0]]) + "garbage\n" + Fixtures.ndjson([records[1]]))
        var options = ImportOptions()
        options.skipInvalid = true
        options.rejectsPath = rejects
        let summary = try RegistryImporter(directory: temp.path + "/db", options: options).importFile(file)
        #expect(summary.imported == 2)
        #expect(summary.rejected == 1)
        let report = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(report.hasPrefix("line 2: malformed JSON"))
    }

    @Test func nonWritableRegistryPathFailsClearly() throws {
        let temp = TemporaryDirectory()
        let file = temp.file("residents.ndjson", contents: Fixtures.ndjson(records))
        let locked = temp.path + "/locked"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        chmod(locked, 0o555)
        guard access(locked, W_OK) != 0 else { return }  // running as root: permissions are not enforced
        #expect(throws: RegistryError.self) { try RegistryImporter(directory: locked + "/db").importFile(file) }
        #expect(throws: RegistryError.notWritable(path: locked, reason: "permission denied")) {
            try RegistryImporter(directory: locked).importFile(file)
        }
    }

    @Test func pathThatIsAFileIsNotWritable() throws {
        let temp = TemporaryDirectory()
        let file = temp.file("residents.ndjson", contents: Fixtures.ndjson(records))
        let notADirectory = temp.file("plain-file", contents: "x")
        #expect(throws: RegistryError.notWritable(path: notADirectory, reason: "cannot create directory")) {
            try RegistryImporter(directory: notADirectory).importFile(file)
        }
    }

    @Test func missingInputFileFailsClearly() throws {
        let temp = TemporaryDirectory()
        #expect(throws: RegistryError.self) { try RegistryImporter(directory: temp.path + "/db").importFile(temp.path + "/nope.ndjson") }
    }

    @Test func parallelImportMatchesSingleThreadedImport() throws {
        let temp = TemporaryDirectory()
        let generated = Array(ResidentGenerator(seed: 11).prefix(3_000))
        let file = temp.file("many.ndjson", contents: Fixtures.ndjson(generated))
        for (name, threads) in [("one", 1), ("four", 4)] {
            var options = ImportOptions()
            options.parallelism = threads
            _ = try RegistryImporter(directory: temp.path + "/" + name, options: options).importFile(file)
        }
        let one = try snapshot(temp.path + "/one").records
        #expect(one.count == 3_000)
        #expect(one == (try snapshot(temp.path + "/four").records))
        #expect(one == generated.sorted { $0.idNumber < $1.idNumber }.map { $0.stored(sequence: 1) })
    }

    @Test func sequenceSpilledInSortedRunsMatchesOneRunInMemory() throws {
        let temp = TemporaryDirectory()
        let generated = Array(ResidentGenerator(seed: 12).prefix(5_500))
        for (name, perRun) in [("memory", 1_000_000), ("runs", 1_000)] {
            var options = ImportOptions()
            options.recordsPerRun = perRun
            _ = try RegistryImporter(directory: temp.path + "/" + name, options: options).importRecords(generated)
        }
        let inMemory = try snapshot(temp.path + "/memory").records
        #expect(inMemory == generated.sorted { $0.idNumber < $1.idNumber }.map { $0.stored(sequence: 1) })
        #expect((try snapshot(temp.path + "/runs").records) == inMemory, "6 runs (5 spilled) merged in ID order")
        // The indexes hold the same entries: every phone and legacy number of the input finds its resident.
        let spilled = try RegistryStore.open(directory: temp.path + "/runs")
        spilled.makeReader().withTransaction { txn in
            for record in generated {
                for phone in record.phoneNumbers { #expect(txn.idNumbers(forPhone: phone).contains(record.idNumber)) }
                if let legacy = record.legacyIdNumber { #expect(txn.idNumber(forLegacyId: legacy) == record.idNumber) }
            }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: temp.path + "/runs").filter { $0.hasPrefix(".import-run") }
        #expect(leftovers.isEmpty, "spilled runs are unlinked files")
    }

    @Test func duplicateAcrossSpilledRunsNamesBothPositions() throws {
        let temp = TemporaryDirectory()
        var records = Array(ResidentGenerator(seed: 13).prefix(2_500))
        records[2_100] = records[40]  // the same resident in the first run and the third
        var options = ImportOptions()
        options.recordsPerRun = 1_000
        let error = #expect(throws: InputError.self) {
            try RegistryImporter(directory: temp.path + "/db", options: options).importRecords(records)
        }
        #expect(error?.line == 2_101)
        #expect(error?.reason.contains("first given on line 41") == true, "\(String(describing: error))")
        #expect(StoreDirectory(path: temp.path + "/db").generations().isEmpty, "nothing half built is left")
    }

    @Test func openingSomethingThatIsNotARegistryFails() {
        let temp = TemporaryDirectory()
        #expect(throws: RegistryError.notARegistry(directory: temp.path)) { try RegistryStore.open(directory: temp.path) }
    }

    @Test func openingAnotherSchemaVersionFailsClearly() throws {
        let temp = TemporaryDirectory()
        let store = try Fixtures.store(records, in: temp.path)
        let path = StoreDirectory(path: temp.path).generationPath(store.generation)
        let environment = try RegistryEnvironment.open(path: path, readOnly: false)
        var txn: OpaquePointer?
        #expect(mdb_txn_begin(environment, nil, 0, &txn) == 0)
        let databases = try RegistryDatabases.open(in: txn!, create: false)
        try RegistryMeta.write(RegistryMeta.schemaVersionKey, 99, txn: txn!, dbi: databases.meta)
        #expect(mdb_txn_commit(txn) == 0)
        mdb_env_close(environment)
        #expect(throws: RegistryError.schemaMismatch(directory: temp.path, found: 99, expected: RegistryMeta.currentSchemaVersion)) {
            try RegistryStore.open(directory: temp.path)
        }
    }
}
