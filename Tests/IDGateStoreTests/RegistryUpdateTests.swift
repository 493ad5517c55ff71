import Foundation
import Testing
@testable import IDGateStore

@Suite struct RegistryUpdateTests {
    let records = [Fixtures.resident(), Fixtures.elderResident(), Fixtures.childResident()]

    func writableStore(_ directory: String) throws -> RegistryStore {
        _ = try Fixtures.store(records, in: directory)
        return try RegistryStore.open(directory: directory, readOnly: false)
    }

    func allRecords(_ store: RegistryStore) -> [ResidentRecord] {
        var stored: [ResidentRecord] = []
        store.makeReader().withTransaction { txn in txn.forEachResident { stored.append($0.record()); return true } }
        return stored
    }

    @Test func appliesEveryKindOfChange() throws {
        let temp = TemporaryDirectory()
        let store = try writableStore(temp.path)
        var moved = Fixtures.resident()
        moved.phoneNumbers = ["0356999888"]
        moved.legacyIdNumber = "987654321"
        let newcomer = Fixtures.resident(id: "001085000007", name: "Phạm Thu Hà", phones: ["0912345678"], legacy: nil)
        let batch = UpdateBatch(sequence: 2, operations: [
            .upsert(moved), .upsert(newcomer), .delete(IDNumber("048215000042")!),
            .setCardStatus(IDNumber("001085012345")!, .lost), .setRecordStatus(IDNumber("079150000001")!, .active),
        ])
        #expect(try store.apply(batch) == .applied(operations: 5, sequence: 2))
        #expect(store.sequence == 2)
        store.makeReader().withTransaction { txn in
            let updated = txn.resident(moved.idNumber)
            #expect(updated?.storedCardStatus == .lost)
            #expect(updated?.sequence == 2)
            #expect(updated?.phoneNumberCount == 1)
            #expect(txn.resident(IDNumber("048215000042")!) == nil)
            #expect(txn.resident(IDNumber("079150000001")!)?.recordStatus == .active)
            #expect(txn.resident(newcomer.idNumber)?.fullName.string == "Phạm Thu Hà")
            // Index entries follow the records: old phone and legacy number now point elsewhere or nowhere.
            #expect(txn.idNumbers(forPhone: "0912345678") == [newcomer.idNumber])
            #expect(txn.idNumbers(forPhone: "0987654321").isEmpty)
            #expect(txn.idNumbers(forPhone: "0356999888") == [moved.idNumber])
            #expect(txn.idNumbers(forPhone: "0356000111").isEmpty)
            #expect(txn.idNumber(forLegacyId: "012345678") == nil)
            #expect(txn.idNumber(forLegacyId: "987654321") == moved.idNumber)
        }
    }

    @Test func reapplyingAnAppliedBatchIsANoOp() throws {
        let temp = TemporaryDirectory()
        let store = try writableStore(temp.path)
        let batch = UpdateBatch(sequence: 2, operations: [.setCardStatus(IDNumber("001085012345")!, .revoked)])
        #expect(try store.apply(batch) == .applied(operations: 1, sequence: 2))
        let after = allRecords(store)
        #expect(try store.apply(batch) == .alreadyApplied(registrySequence: 2))
        let different = UpdateBatch(sequence: 1, operations: [.delete(IDNumber("001085012345")!)])
        #expect(try store.apply(different) == .alreadyApplied(registrySequence: 2))
        #expect(allRecords(store) == after)
    }

    @Test func aGapInSequenceNumbersIsRefused() throws {
        let temp = TemporaryDirectory()
        let store = try writableStore(temp.path)
        let before = allRecords(store)
        let batch = UpdateBatch(sequence: 3, operations: [.delete(IDNumber("001085012345")!)])
        #expect(throws: RegistryError.sequenceGap(current: 1, batch: 3)) { try store.apply(batch) }
        #expect(allRecords(store) == before)
        #expect(store.sequence == 1)
    }

    @Test func aFailingChangeLeavesTheWholeBatchUnapplied() throws {
        let temp = TemporaryDirectory()
        let store = try writableStore(temp.path)
        let before = allRecords(store)
        let batch = UpdateBatch(sequence: 2, operations: [
            .delete(IDNumber("001085012345")!),
            .setRecordStatus(IDNumber("079150000001")!, .active),
            .setCardStatus(IDNumber("048215000042")!, .lost),  // the child has no card
        ])
        #expect(throws: InputError(line: 4, field: "cardStatus", reason: "resident 048215000042 has no card")) {
            try store.apply(batch)
        }
        #expect(allRecords(store) == before)
        #expect(store.sequence == 1)
        store.makeReader().withTransaction { txn in
            #expect(txn.idNumbers(forPhone: "0912345678") == [IDNumber("001085012345")!])
        }
    }

    @Test func unknownResidentAndLegacyConflictsFailTheBatch() throws {
        let temp = TemporaryDirectory()
        let store = try writableStore(temp.path)
        #expect(throws: InputError.self) {
            try store.apply(UpdateBatch(sequence: 2, operations: [.delete(IDNumber("001085999999")!)]))
        }
        let thief = Fixtures.resident(id: "001085000007", phones: [], legacy: "012345678")
        #expect(throws: InputError.self) { try store.apply(UpdateBatch(sequence: 2, operations: [.upsert(thief)])) }
        #expect(store.sequence == 1)
    }

    @Test func readersKeepTheirSnapshotWhileABatchCommits() throws {
        let temp = TemporaryDirectory()
        let store = try writableStore(temp.path)
        let reader = try RegistryStore.open(directory: temp.path).makeReader()
        try reader.withTransaction { txn in
            let outcome = try store.apply(UpdateBatch(sequence: 2, operations: [.delete(IDNumber("001085012345")!)]))
            #expect(outcome == .applied(operations: 1, sequence: 2))
            #expect(txn.resident(IDNumber("001085012345")!) != nil, "snapshot unchanged inside the transaction")
        }
        reader.withTransaction { txn in #expect(txn.resident(IDNumber("001085012345")!) == nil) }
    }

    @Test func mapIsGrownForALargeBatchOrFailsClearlyAtTheLimit() throws {
        let temp = TemporaryDirectory()
        var options = ImportOptions()
        options.maximumMapSize = 256 << 10
        _ = try RegistryImporter(directory: temp.path, options: options).importRecords(records)
        let big = UpdateBatch(sequence: 2, operations: ResidentGenerator(seed: 5).prefix(3_000).map { .upsert($0) })

        let limited = try RegistryStore.open(directory: temp.path, readOnly: false, mapSize: 256 << 10)
        #expect(throws: RegistryError.mapFull(limitBytes: 512 << 10)) { try limited.apply(big, maximumMapSize: 512 << 10) }
        #expect(limited.sequence == 1)
        #expect(limited.stats().residents == 3)

        let growing = try RegistryStore.open(directory: temp.path, readOnly: false, mapSize: 256 << 10)
        #expect(try growing.apply(big, maximumMapSize: 64 << 20) == .applied(operations: 3_000, sequence: 2))
        #expect(growing.stats().residents == 3_003)
    }

    @Test func readOnlyStoreRefusesUpdates() throws {
        let temp = TemporaryDirectory()
        let store = try Fixtures.store(records, in: temp.path)
        #expect(throws: RegistryError.readOnly(directory: temp.path)) {
            try store.apply(UpdateBatch(sequence: 2, operations: []))
        }
    }

    @Test func batchFileRoundTripsAndAppliesUnderTheWriterLock() throws {
        let temp = TemporaryDirectory()
        _ = try Fixtures.store(records, in: temp.path + "/db")
        let batch = UpdateBatch(sequence: 2, operations: [
            .upsert(Fixtures.resident(id: "001085000007", phones: [], legacy: nil)), .delete(IDNumber("048215000042")!),
            .setCardStatus(IDNumber("001085012345")!, .revoked), .setRecordStatus(IDNumber("001085012345")!, .deceased),
        ])
        #expect(try UpdateBatch(ndjson: batch.ndjson()) == batch)
        let file = temp.file("batch.ndjson", contents: batch.ndjson())
        #expect(try RegistryStore.applyUpdate(file: file, directory: temp.path + "/db") == .applied(operations: 4, sequence: 2))
        #expect(try RegistryStore.applyUpdate(file: file, directory: temp.path + "/db") == .alreadyApplied(registrySequence: 2))
    }

    @Test func malformedBatchFilesAreRejectedWithTheirLine() {
        let cases: [(String, Int, String?)] = [
            ("", 1, nil),
            ("{\"sequence\": 0}\n", 1, "sequence"),
            ("{\"seq\": 2}\n", 1, "seq"),
            ("{\"sequence\": 2}\n{\"op\":\"explode\",\"idNumber\":\"001085012345\"}\n", 2, "op"),
            ("{\"sequence\": 2}\n{\"op\":\"delete\"}\n", 2, "idNumber"),
            ("{\"sequence\": 2}\n{\"op\":\"setCardStatus\",\"idNumber\":\"001085012345\",\"cardStatus\":\"shredded\"}\n", 2, "cardStatus"),
            ("{\"sequence\": 2}\n\n{\"op\":\"upsert\",\"record\":{\"idNumber\":\"1\"}}\n", 3, "idNumber"),
            ("{\"sequence\": 2}\n{\"op\":\"delete\",\"idNum", 2, nil),
        ]
        for (text, line, field) in cases {
            do {
                _ = try UpdateBatch(ndjson: text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.line == line, "\(error)")
                #expect(error.field == field, "\(error)")
            }
        }
    }

    @Test func updatingAMissingRegistryFailsClearly() throws {
        let temp = TemporaryDirectory()
        let file = temp.file("batch.ndjson", contents: "{\"sequence\": 1}\n")
        #expect(throws: RegistryError.notARegistry(directory: temp.path + "/none")) {
            try RegistryStore.applyUpdate(file: file, directory: temp.path + "/none")
        }
    }
}
