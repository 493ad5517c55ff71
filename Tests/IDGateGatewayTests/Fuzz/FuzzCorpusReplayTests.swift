import Foundation
@testable import IDGateFuzzAudit
@testable import IDGateFuzzChip
@testable import IDGateFuzzClients
@testable import IDGateFuzzStore
@testable import IDGateFuzzWire
import Testing

/// Every fuzz target (Fuzz/, docs/RELIABILITY.md) run on its committed corpus through the same one-input function
/// libFuzzer calls, so CI exercises each target without the sanitizer builds (FuzzClients alone takes half an hour).
/// Each input must return; the corpus must reach every parser a target's first byte can pick, with at least one
/// accepted and one refused input where the seeds say so; the inputs that once crashed are refused, not trapped.
@Suite struct FuzzCorpusReplayTests {
    /// Fuzz/Corpus/<target>: file name → bytes, in name order.
    static func corpus(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus/\(target)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        return try names.map { ($0, Array(try Data(contentsOf: folder.appendingPathComponent($0)))) }
    }

    /// Replays `target`'s corpus through `run`: seed name → outcome. Fails on an empty corpus.
    static func replay<Outcome>(_ target: String, _ run: (UnsafeRawBufferPointer) throws -> Outcome) throws
        -> [String: Outcome]
    {
        let seeds = try corpus(target)
        #expect(!seeds.isEmpty, "Fuzz/Corpus/\(target) has no seeds")
        var outcomes: [String: Outcome] = [:]
        for seed in seeds {
            outcomes[seed.name] = try seed.bytes.withUnsafeBytes { try run($0) }
        }
        return outcomes
    }

    @Test func wireCorpusReachesEveryRequestParser() throws {
        var target = WireFuzzTarget()
        let outcomes = try Self.replay("FuzzWire") { target.run($0) }
        let reached = Set(outcomes.values.compactMap { $0 })
        for parser in WireFuzzTarget.Parser.allCases {
            let accepted = reached.contains(WireFuzzTarget.Outcome(parser: parser, accepted: true))
            #expect(accepted, "no seed accepted by \(parser)")
        }
        #expect(outcomes["match-full"] == .init(parser: .match, accepted: true))
        #expect(outcomes["match-escapes"] == .init(parser: .match, accepted: true))
        #expect(outcomes["match-bad"] == .init(parser: .match, accepted: false))
        #expect(outcomes["document-full"] == .init(parser: .documentVerify, accepted: true))
        #expect(outcomes["document-bad"] == .init(parser: .documentVerify, accepted: false))
        #expect(outcomes["organization-full"] == .init(parser: .organizationMatch, accepted: true))
        #expect(outcomes["organization-bad"] == .init(parser: .organizationMatch, accepted: false))
        #expect(outcomes["organization-overlong-id-crash"] == .init(parser: .organizationMatch, accepted: false))
        #expect(outcomes["line-kind-document"] == .init(parser: .batchLineKind, accepted: true))
        #expect(outcomes["line-kind-unknown"] == .init(parser: .batchLineKind, accepted: false))
        // The parser is reused: a refused body leaves nothing that changes the next one's outcome.
        let again = try Self.replay("FuzzWire") { target.run($0) }
        #expect(again == outcomes)
    }

    @Test func storeCorpusReachesEveryRowReader() throws {
        let outcomes = try Self.replay("FuzzStore") { StoreFuzzTarget.run($0) }
        let reached = Set(outcomes.values.compactMap { $0 })
        for parser in StoreFuzzTarget.Parser.allCases {
            let accepted = reached.contains(StoreFuzzTarget.Outcome(parser: parser, accepted: true))
            #expect(accepted, "no seed accepted by \(parser)")
        }
        for seed in ["ndjson-0", "ndjson-1", "ndjson-2", "ndjson-3"] {
            #expect(outcomes[seed] == .init(parser: .ndjsonRow, accepted: true), "\(seed)")
        }
        for seed in ["csv-0", "csv-1", "csv-2", "csv-quoted"] {
            #expect(outcomes[seed] == .init(parser: .csvRow, accepted: true), "\(seed)")
        }
        #expect(outcomes["csv-header"] == .init(parser: .csvHeader, accepted: true))
        #expect(outcomes["csv-header-short"] == .init(parser: .csvHeader, accepted: false))
        #expect(outcomes["update-batch"] == .init(parser: .updateBatch, accepted: true))
        #expect(outcomes["update-truncated"] == .init(parser: .updateBatch, accepted: false))
        // FuzzStore's crash (a phone number of more than 19 digits trapped in IndexKey.phone): an input error now.
        #expect(outcomes["crash-overlong-phone"] == .init(parser: .csvRow, accepted: false))
    }

    /// The crash FuzzStore found, as each reader that takes a phone number sees it (FuzzRegressionTests checks the
    /// error names the field).
    @Test(arguments: [
        (UInt8(0), #"{"idNumber":"001031007275","fullName":"Cao Văn Vũ","dateOfBirth":"1931-10-21","sex":"male","placeOfOrigin":"Xã A","placeOfResidence":"Xã B","phoneNumbers":["085093428008201528500103100727"]}"#),
        (UInt8(1), "001031007275,Cao Văn Vũ,1931-10-21,male,,,Xã A,Xã B,,+84\(String(repeating: "9", count: 40)),,,,,"),
    ])
    func storeCrashInputsAreRefused(selector: UInt8, row: String) {
        let input = [selector] + Array(row.utf8)
        let outcome = input.withUnsafeBytes { StoreFuzzTarget.run($0) }
        #expect(outcome?.accepted == false)
        #expect(outcome?.parser == (selector == 0 ? .ndjsonRow : .csvRow))
    }

    @Test func chipCorpusReachesEveryStructure() throws {
        let outcomes = try Self.replay("FuzzChip") { ChipFuzzTarget.run($0) }
        for parser in ChipFuzzTarget.Parser.allCases {
            #expect(outcomes.values.contains(where: { $0?.parser == parser }), "no seed reaches \(parser)")
        }
        for seed in ["sod-0", "sod-1", "sod-3"] {
            #expect(outcomes[seed] == .init(parser: .sod, accepted: true), "\(seed): the signature of a real SOD")
        }
        // Negative documents: an SOD with a byte after its structure, the ICAO 9303 part 10 example MRZ (its
        // composite check digit is wrong).
        #expect(outcomes["sod-2"] == .init(parser: .sod, accepted: false))
        #expect(outcomes["dg1-0"] == .init(parser: .dg1, accepted: false))
        #expect(outcomes["dg1-1"] == .init(parser: .dg1, accepted: true))
        for seed in ["dg13-0", "dg13-1"] { #expect(outcomes[seed] == .init(parser: .dg13, accepted: true), "\(seed)") }
        // The BSI reference chip's DG15 with Active Authentication responses made with its key (SHA-1, SHA-256).
        for seed in ["dg15-2", "dg15-3"] { #expect(outcomes[seed] == .init(parser: .dg15, accepted: true), "\(seed)") }
    }

    @Test func auditCorpusReadsIntactAndDamagedSegments() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-fuzz-replay-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = try AuditFuzzTarget(directory: directory)
        let outcomes = try Self.replay("FuzzAudit") { try target.run($0) }
        #expect(outcomes["segment-5-records"] == .init(readableFrames: 5, damaged: false, unreadableTail: false))
        // Damage followed by intact frames is reported as damage; a torn last write as a tail, nothing damaged.
        #expect(outcomes["segment-damaged-length"]??.damaged == true)
        #expect(outcomes["segment-torn-tail"] == .init(readableFrames: 4, damaged: false, unreadableTail: true))
    }

    @Test func clientsCorpusReachesDecodeAndValidation() throws {
        let outcomes = try Self.replay("FuzzClients") { ClientsFuzzTarget.run($0) }
        #expect(Set(outcomes.values) == [.undecodable, .invalid, .valid])
        #expect(outcomes["demo-all"] == .valid)
        #expect(outcomes["duplicate-id"] == .invalid)
        #expect(outcomes["version-2"] == .undecodable)
    }

    /// The first byte alone (an empty body) picks the parser by its value modulo the parser count, for every byte;
    /// the empty input picks none. What libFuzzer's mutations rely on to reach every parser.
    @Test func firstBytePicksTheParser() throws {
        var wire = WireFuzzTarget()
        #expect([UInt8]().withUnsafeBytes { wire.run($0) } == nil)
        #expect([UInt8]().withUnsafeBytes { StoreFuzzTarget.run($0) } == nil)
        #expect([UInt8]().withUnsafeBytes { ChipFuzzTarget.run($0) } == nil)
        #expect([UInt8]().withUnsafeBytes { ClientsFuzzTarget.run($0) } == .undecodable)
        for byte in UInt8.min...UInt8.max {
            let input = [byte]
            let wireParsers = WireFuzzTarget.Parser.allCases, storeParsers = StoreFuzzTarget.Parser.allCases
            let chipParsers = ChipFuzzTarget.Parser.allCases
            #expect(input.withUnsafeBytes { wire.run($0) }?.parser == wireParsers[Int(byte) % wireParsers.count])
            #expect(input.withUnsafeBytes { StoreFuzzTarget.run($0) }?.parser == storeParsers[Int(byte) % storeParsers.count])
            #expect(input.withUnsafeBytes { ChipFuzzTarget.run($0) }?.parser == chipParsers[Int(byte) % chipParsers.count])
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-fuzz-replay-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let audit = try AuditFuzzTarget(directory: directory)
        #expect(try [UInt8]().withUnsafeBytes { try audit.run($0) } == .init(readableFrames: 0, damaged: false, unreadableTail: false))
    }
}
