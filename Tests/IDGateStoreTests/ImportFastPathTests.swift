import Foundation
import Testing
@testable import IDGateStore

/// The import's fast paths (compact-NDJSON reader, one-pass text check, direct encoding, two-pass pipeline) give
/// the same records, bytes and errors as the general ones.
@Suite struct ImportFastPathTests {
    static let generated = Array(ResidentGenerator(seed: 21).prefix(400))

    /// A compact row re-spaced (and with escaped characters) so that only the general scanner reads it.
    static func spaced(_ line: String) -> String {
        line.replacingOccurrences(of: "\":", with: "\" : ").replacingOccurrences(of: ",\"", with: " , \"")
            .replacingOccurrences(of: "Việt", with: "Vi\\u1ec7t")
    }

    func decode(_ line: String, general: Bool = false) throws(InputError) -> ResidentRecord {
        let bytes = Array(line.utf8)
        var values = ResidentRowValues(line: 3)
        var result: Result<ResidentRecord, InputError>!
        bytes.withUnsafeBytes { raw in
            result = Result { () throws(InputError) -> ResidentRecord in
                if general { try ResidentCodec.decodeNDJSONGeneral(raw, into: &values) } else { try ResidentCodec.decodeNDJSON(raw, into: &values) }
                return try values.record()
            }
        }
        return try result.get()
    }

    @Test func compactAndSpacedRowsDecodeAlike() throws {
        for record in Self.generated {
            let line = ResidentCodec.ndjson(record)
            #expect(try decode(line) == record)
            #expect(try decode(line, general: true) == record)
            #expect(try decode(Self.spaced(line)) == record)
        }
    }

    @Test func keysInAnyOrderDecodeAlike() throws {
        let record = Fixtures.resident(phones: ["0912345678"])
        let compact = ResidentCodec.ndjson(record)
        let inner = compact.dropFirst().dropLast()
        // Split at the commas between members (no value of this fixture holds `,"`).
        let members = inner.components(separatedBy: ",\"").enumerated().map { $0.offset == 0 ? $0.element : "\"" + $0.element }
        let reversed = "{" + members.reversed().joined(separator: ",") + "}"
        #expect(try decode(reversed) == record)
    }

    @Test(arguments: ResidentCodecTests.badRows)
    func fastPathReportsWhatTheGeneralScannerReports(row: (line: String, field: String?, reasonFragment: String)) {
        func failure(_ general: Bool) -> InputError? {
            do {
                _ = try decode(row.line, general: general)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure(false) == failure(true))
        #expect(failure(false) != nil)
    }

    @Test func malformedUTF8IsRejectedNamingTheField() {
        let prefix = Array(#"{"idNumber":"001085012345","fullName":"A"#.utf8)
        let suffix = Array(#"","dateOfBirth":"1985","sex":"male","placeOfOrigin":"A","placeOfResidence":"B"}"#.utf8)
        let bad: [[UInt8]] = [[0xC3, 0x28], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE1, 0xBB], [0xFF]]
        for sequence in bad {
            let line = prefix + sequence + suffix
            var values = ResidentRowValues(line: 9)
            #expect(throws: InputError(line: 9, field: "fullName", reason: "not valid UTF-8")) {
                try line.withUnsafeBytes { raw in
                    try ResidentCodec.decodeNDJSON(raw, into: &values)
                    _ = try values.record()
                }
            }
        }
    }

    @Test func textScanMatchesTheStandardLibrary() {
        let samples = [
            "Nguyễn Văn An", "plain ascii text that is longer than eight bytes", "Đặng Quốc Khang, Tỉnh Bắc Giang",
            "e\u{0301}", "日本語", "emoji 🇻🇳", "tab\there", "del\u{7F}", "",
        ]
        for sample in samples {
            let bytes = Array(sample.utf8)
            let scan = bytes.withUnsafeBytes { UnicodeNormalization.scan($0) }
            #expect(scan.isValidUTF8)
            #expect(scan.hasControlCharacters == sample.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
            if scan.isStableNFC { #expect(UnicodeNormalization.nfc(sample) == sample) }
        }
        #expect(Array("Nguyễn".utf8).withUnsafeBytes { UnicodeNormalization.scan($0) }.isStableNFC)
        #expect(!Array("e\u{0301}".utf8).withUnsafeBytes { UnicodeNormalization.scan($0) }.isStableNFC)
    }

    @Test func rowsEncodeToTheSameBytesAsRecords() throws {
        for record in Self.generated {
            let line = Array(ResidentCodec.ndjson(record).utf8)
            var values = ResidentRowValues(line: 1)
            var direct: [UInt8] = []
            try line.withUnsafeBytes { raw in
                try ResidentCodec.decodeNDJSON(raw, into: &values)
                try values.encode(into: &direct, sequence: 5)
            }
            #expect(direct == (try record.stored(sequence: 5).encoded()))
        }
    }

    // MARK: The two-pass import

    func importFile(_ contents: String, name: String = "rows.ndjson", threads: Int, chunk: Int, skipInvalid: Bool = false)
        throws -> (summary: ImportSummary, records: [ResidentRecord], temp: TemporaryDirectory)
    {
        let temp = TemporaryDirectory()
        let file = temp.file(name, contents: contents)
        var options = ImportOptions()
        options.parallelism = threads
        options.rowsPerChunk = chunk
        options.skipInvalid = skipInvalid
        options.rejectsPath = skipInvalid ? temp.path + "/rejects.txt" : nil
        let summary = try RegistryImporter(directory: temp.path + "/db", options: options).importFile(file)
        let store = try RegistryStore.open(directory: temp.path + "/db")
        var stored: [ResidentRecord] = []
        store.makeReader().withTransaction { txn in txn.forEachResident { stored.append($0.record()); return true } }
        return (summary, stored, temp)
    }

    @Test func manySmallChunksImportLikeOne() throws {
        let generated = Array(ResidentGenerator(seed: 5).prefix(2_000))
        let expected = generated.sorted { $0.idNumber < $1.idNumber }.map { $0.stored(sequence: 1) }
        for (threads, chunk) in [(1, 100_000), (1, 7), (3, 64), (4, 1)] {
            let result = try importFile(Fixtures.ndjson(generated), threads: threads, chunk: chunk)
            #expect(result.summary.imported == 2_000)
            #expect(result.records == expected, "threads \(threads), chunk \(chunk)")
        }
    }

    @Test func emptyFilesImportNothing() throws {
        #expect(try importFile("", threads: 2, chunk: 10).summary.imported == 0)
        #expect(try importFile("\n  \n", threads: 1, chunk: 10).summary.imported == 0)
        #expect(try importFile(ResidentCodec.csvHeader + "\n", name: "rows.csv", threads: 2, chunk: 10).summary.imported == 0)
    }

    @Test func rowsNotLaidOutAsUsualImportToo() throws {
        // Spaced NDJSON (the quick ID look fails) and CSV whose ID column is not the first.
        let generated = Array(ResidentGenerator(seed: 6).prefix(300))
        let expected = generated.sorted { $0.idNumber < $1.idNumber }.map { $0.stored(sequence: 1) }
        let spaced = generated.map { " " + Self.spaced(ResidentCodec.ndjson($0)) + "\n" }.joined()
        #expect(try importFile(spaced, threads: 2, chunk: 50).records == expected)
        var csv = "fullName,idNumber,dateOfBirth,sex,nationality,ethnicity,placeOfOrigin,placeOfResidence,legacyIdNumber,"
            + "phoneNumbers,cardNumber,cardIssueDate,cardExpiryDate,cardStatus,recordStatus\n"
        for record in generated {
            var line: [UInt8] = []
            ResidentCodec.appendCSV(record, to: &line)
            let text = String(decoding: line, as: UTF8.self)
            // Swap the first two columns (generated names hold no comma or quote, the ID number never does).
            let columns = text.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
            csv += columns[1] + "," + columns[0] + "," + columns[2]
        }
        #expect(try importFile(csv, name: "rows.csv", threads: 2, chunk: 50).records == expected)
    }

    @Test func duplicateInAnotherShardNamesBothLines() throws {
        let generated = Array(ResidentGenerator(seed: 8).prefix(1_500))
        let contents = Fixtures.ndjson(generated) + ResidentCodec.ndjson(generated[9]) + "\n"
        do {
            _ = try importFile(contents, threads: 4, chunk: 64)
            Issue.record("duplicate accepted")
        } catch let error as InputError {
            #expect(error.line == 1_501)
            #expect(error.field == "idNumber")
            #expect(error.reason == "duplicate ID number \(generated[9].idNumber), first given on line 10")
        }
    }

    @Test func firstBadRowInFileOrderWinsOverLaterRowsAndDuplicates() throws {
        var lines = Array(ResidentGenerator(seed: 9).prefix(1_000)).map { ResidentCodec.ndjson($0) }
        lines.append(lines[3])  // a duplicate (line 1001)
        lines[700] = lines[700].replacingOccurrences(of: "\"sex\":\"male\"", with: "\"sex\":\"m\"")
            .replacingOccurrences(of: "\"sex\":\"female\"", with: "\"sex\":\"f\"")  // line 701
        lines[40] = "{\"idNumber\":\"001085012345\""  // line 41: malformed
        do {
            _ = try importFile(lines.joined(separator: "\n") + "\n", threads: 3, chunk: 50)
            Issue.record("bad rows accepted")
        } catch let error as InputError {
            #expect(error.line == 41)
            #expect(error.reason.hasPrefix("malformed JSON"), "\(error)")
        }
    }

    @Test func skipInvalidAcrossChunksListsEveryBadRowInLineOrder() throws {
        var lines = Array(ResidentGenerator(seed: 10).prefix(500)).map { ResidentCodec.ndjson($0) }
        for index in [450, 3, 200] { lines[index] = "garbage \(index)" }
        let result = try importFile(lines.joined(separator: "\n") + "\n", threads: 2, chunk: 16, skipInvalid: true)
        #expect(result.summary.imported == 497)
        #expect(result.summary.rejected == 3)
        let report = try String(contentsOfFile: result.temp.path + "/rejects.txt", encoding: .utf8)
        #expect(report.split(separator: "\n").map { $0.prefix(9) } == ["line 4: m", "line 201:", "line 451:"])
    }
}
