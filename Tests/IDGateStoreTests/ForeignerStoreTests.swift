import Foundation
import CLMDB
import Testing
@testable import IDGateStore

/// Foreign residents in the registry: codes, codec, import beside residents, update batches, generator, old
/// generations.
@Suite struct ForeignerStoreTests {
    static func foreigner(_ passport: String = "M12345678", nationality: String = "KOR") -> ForeignerRecord {
        ForeignerRecord(
            key: ForeignerKey(nationality: Nationality(nationality)!, passportNumber: PassportNumber(passport)!),
            surname: "KIM", givenNames: "MIN-JUN", dateOfBirth: PartialDate(year: 1990, month: 2, day: 3)!, sex: .male,
            residenceCardNumber: "TT12345678", permittedFrom: PartialDate(year: 2025, month: 1, day: 1)!,
            permittedUntil: PartialDate(year: 2027, month: 1, day: 1)!)
    }

    @Test func nationalityTableHasISOAndICAOCodes() {
        #expect(Nationality.isoCodes.count == 249)
        for code in ["KOR", "CHN", "JPN", "USA", "FRA", "DEU", "RUS", "THA", "IND", "VNM", "XXA", "XXB", "XXC", "XXX", "UNO", "UNA", "UNK", "EUE", "GBD", "GBO", "XOM"] {
            #expect(Nationality(code) != nil, "\(code)")
        }
        #expect(Nationality("D")?.code == "DEU")
        for bad in ["", "KO", "kor", "ZZZ", "DE", "KORE", "D<<"] { #expect(Nationality(bad) == nil, "\(bad)") }
    }

    @Test func passportNumbers() {
        #expect(PassportNumber("m12345678")?.text == "M12345678")
        for bad in ["1234", "1234567890", "M1234 567", "M1234<567", "É1234567"] { #expect(PassportNumber(bad) == nil, "\(bad)") }
    }

    @Test func binaryRecordRoundTrips() throws {
        var record = Self.foreigner()
        record.surname = "O'CONNOR-MÜLLER"
        record.sequence = 9
        let bytes = try record.encoded()
        #expect(bytes[0] == ForeignerLayout.version)
        let view = try #require(bytes.withUnsafeBytes { ForeignerView(key: record.key, bytes: $0)?.record() })
        #expect(view == record)
        var otherVersion = bytes
        otherVersion[0] = 2
        #expect(otherVersion.withUnsafeBytes { ForeignerView(key: record.key, bytes: $0) } == nil)
        #expect(Array(bytes.prefix(10)).withUnsafeBytes { ForeignerView(key: record.key, bytes: $0) } == nil)
    }

    @Test func ndjsonRoundTripsAndNamesTheFieldAtFault() throws {
        let record = Self.foreigner()
        #expect(try ForeignerCodec.decodeNDJSON(ForeignerCodec.ndjson(record)) == record)
        let good = ForeignerCodec.ndjson(record)
        func fault(_ line: String) -> String? {
            do {
                _ = try ForeignerCodec.decodeNDJSON(line)
                return nil
            } catch {
                return error.field ?? "-"
            }
        }
        #expect(fault(good.replacingOccurrences(of: "\"KOR\"", with: "\"KOQ\"")) == "nationality")
        #expect(fault(good.replacingOccurrences(of: "M12345678", with: "M1")) == "passportNumber")
        #expect(fault(good.replacingOccurrences(of: "\"KIM\"", with: "\"金\"")) == "surname")
        #expect(fault(good.replacingOccurrences(of: "TT12345678", with: "12345678")) == "residenceCardNumber")
        #expect(fault(good.replacingOccurrences(of: "2027-01-01", with: "2024-01-01")) == "permittedUntil")
        #expect(fault(good.replacingOccurrences(of: "\"sex\"", with: "\"gender\"")) == "gender")
        #expect(fault("{") == "-")
    }

    @Test func importedBesideResidentsAndUpdatedByBatches() throws {
        let directory = TemporaryDirectory()
        var options = ImportOptions()
        options.kinds.foreigners = [Self.foreigner(), Self.foreigner("E12345678", nationality: "CHN")]
        _ = try RegistryImporter(directory: directory.path, options: options).importRecords([Fixtures.resident()])
        let store = try RegistryStore.open(directory: directory.path, readOnly: false)
        let reader = store.makeReader()
        #expect(reader.withTransaction { $0.foreigner(Self.foreigner().key)?.record().surname } == "KIM")
        #expect(reader.withTransaction { $0.foreignerCount } == 2)
        #expect(reader.withTransaction { $0.resident(IDNumber("001085012345")!) != nil })

        var changed = Self.foreigner()
        changed.surname = "LEE"
        let batch = UpdateBatch(sequence: store.sequence + 1, operations: [
            .upsertForeigner(changed), .deleteForeigner(Self.foreigner("E12345678", nationality: "CHN").key),
        ])
        let reparsed = try UpdateBatch(ndjson: batch.ndjson())
        #expect(reparsed == batch)
        _ = try store.apply(reparsed)
        #expect(reader.withTransaction { $0.foreigner(changed.key)?.record().surname } == "LEE")
        #expect(reader.withTransaction { $0.foreignerCount } == 1)
        let missing = UpdateBatch(sequence: store.sequence + 1, operations: [.deleteForeigner(Self.foreigner("E00000000", nationality: "CHN").key)])
        #expect(throws: InputError.self) { try store.apply(missing) }
        #expect(store.sampleForeigners(count: 5).map(\.surname) == ["LEE"])
    }

    @Test func generationWithoutForeignersStillOpens() throws {
        let directory = TemporaryDirectory()
        _ = try RegistryImporter(directory: directory.path).importRecords([Fixtures.resident()])
        // Drop the foreigners database, as a generation written before it existed, and let go of the environment.
        do {
            let store = try RegistryStore.open(directory: directory.path, readOnly: false)
            try store.dropForeignersDatabase()
        }
        let reopened = try RegistryStore.open(directory: directory.path, readOnly: true)
        let reader = reopened.makeReader()
        #expect(reader.withTransaction { $0.foreigner(Self.foreigner().key) } == nil)
        #expect(reader.withTransaction { $0.resident(IDNumber("001085012345")!) != nil })
    }

    @Test func generatorIsDeterministicAndValid() throws {
        let first = Array(ForeignerGenerator(seed: 7).prefix(500))
        #expect(first == Array(ForeignerGenerator(seed: 7).prefix(500)))
        #expect(Set(first.map(\.key)).count == 500)
        #expect(Set(first.map(\.nationality.code)).isSuperset(of: ["KOR", "CHN", "JPN", "USA"]))
        for record in first {
            #expect(try ForeignerCodec.decodeNDJSON(ForeignerCodec.ndjson(record)) == record)
        }
    }
}

extension RegistryStore {
    /// Deletes the `foreigners` database from this generation (what a generation of an older release looks like).
    fileprivate func dropForeignersDatabase() throws {
        var txn: OpaquePointer?
        try lmdbCheck(mdb_txn_begin(environment, nil, 0, &txn), "begin")
        try lmdbCheck(mdb_drop(txn, databases.kinds.foreigners!, 1), "drop")
        try lmdbCheck(mdb_txn_commit(txn), "commit")
    }
}
