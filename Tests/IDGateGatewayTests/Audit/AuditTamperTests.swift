import Foundation
import Testing
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

/// Every kind of tampering is detected and located (segment + record index).
@Suite struct AuditTamperTests {
    /// A closed log of 40 records over 3 segments, plus helpers to edit its files.
    struct TamperedLog {
        let directory: ScratchDirectory
        let segments: [URL]

        init() throws {
            directory = try ScratchDirectory("idgate-tamper")
            try AuditFixture.makeLog(in: directory.url, count: 40)
            segments = try AuditDirectory.segmentURLs(in: directory.url)
            precondition(segments.count == 3, "fixture expects three segments, got \(segments.count)")
        }

        func frames(_ segment: Int) throws -> [AuditSegmentScan.Frame] { try AuditSegmentScan(url: segments[segment - 1]).frames }

        func edit(_ segment: Int, _ change: (inout Data) throws -> Void) throws {
            var data = try Data(contentsOf: segments[segment - 1])
            try change(&data)
            try data.write(to: segments[segment - 1])
        }

        func verify(withKey: Bool = false) throws -> AuditVerificationReport {
            try AuditVerifier.verify(directory: directory.url, key: withKey ? AuditFixture.key : nil)
        }
    }

    static func fixCRC(_ data: inout Data, frame: AuditSegmentScan.Frame) {
        let crcOffset = frame.offset + frame.length - 4
        let crc = data.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[frame.offset..<crcOffset])) }
        withUnsafeBytes(of: crc.littleEndian) { data.replaceSubrange(crcOffset..<crcOffset + 4, with: $0) }
    }

    static func expectFinding(_ report: AuditVerificationReport, _ kind: AuditIssue.Kind, segment: UInt64, record: Int?,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!report.isIntact, sourceLocation: sourceLocation)
        #expect(report.failures.contains { $0.kind == kind && $0.segment == segment && $0.recordIndex == record },
                "expected \(kind) at segment \(segment) record \(record.map(String.init) ?? "-"), got \(report.issues)",
                sourceLocation: sourceLocation)
    }

    @Test func untouchedLogIsIntact() throws {
        let log = try TamperedLog()
        defer { log.directory.remove() }
        let report = try log.verify(withKey: true)
        #expect(report.isIntact, "\(report.issues)")
        #expect(report.records == 40)
    }

    @Test func editedByteIsLocated() throws {
        let log = try TamperedLog()
        defer { log.directory.remove() }
        let frame = try log.frames(2)[3]
        try log.edit(2) { $0[frame.offset + 12] ^= 0x01 }
        Self.expectFinding(try log.verify(), .editedRecord, segment: 2, record: 3)
    }

    @Test func editWithRecomputedCRCBreaksTheChainAndTheTag() throws {
        let log = try TamperedLog()
        defer { log.directory.remove() }
        let frame = try log.frames(2)[3]
        try log.edit(2) { data in
            data[frame.offset + 4 + 20] = 0xF4  // status 200 → 500 (low byte)
            data[frame.offset + 4 + 21] = 0x01
            Self.fixCRC(&data, frame: frame)
        }
        Self.expectFinding(try log.verify(), .brokenChain, segment: 2, record: 4)
        Self.expectFinding(try log.verify(withKey: true), .forgedRecord, segment: 2, record: 3)
    }

    @Test func deletedRecordIsLocated() throws {
        let log = try TamperedLog()
        defer { log.directory.remove() }
        let frame = try log.frames(2)[5]
        try log.edit(2) { $0.removeSubrange(frame.offset..<frame.offset + frame.length) }
        Self.expectFinding(try log.verify(), .missingRecords, segment: 2, record: 5)
    }

    @Test func reorderedRecordsAreLocated() throws {
        let log = try TamperedLog()
        defer { log.directory.remove() }
        let frames = try log.frames(2)
        let (a, b) = (frames[2], frames[3])
        try #require(a.length == b.length)
        try log.edit(2) { data in
            let first = data.subdata(in: a.offset..<a.offset + a.length)
            let second = data.subdata(in: b.offset..<b.offset + b.length)
            data.replaceSubrange(a.offset..<a.offset + a.length, with: second)
            data.replaceSubrange(b.offset..<b.offset + b.length, with: first)
        }
        let report = try log.verify()
        Self.expectFinding(report, .missingRecords, segment: 2, record: 2)
        Self.expectFinding(report, .reorderedRecords, segment: 2, record: 3)
    }

    @Test func truncatedFinalSegmentIsLocated() throws {
        let log = try TamperedLog()
        defer { log.directory.remove() }
        let frames = try log.frames(3)
        try log.edit(3) { $0.removeLast(10) }
        Self.expectFinding(try log.verify(), .truncated, segment: 3, record: frames.count - 1)
    }

    @Test func truncatedEarlierSegmentIsLocated() throws {
        let log = try TamperedLog()
        defer { log.directory.remove() }
        let frames = try log.frames(1)
        // Cut exactly at a record boundary: each remaining record is whole, the next segment's header notices.
        try log.edit(1) { $0.removeLast(frames.last!.length) }
        Self.expectFinding(try log.verify(), .truncated, segment: 1, record: frames.count - 1)
    }

    @Test func deletedSegmentIsLocated() throws {
        let log = try TamperedLog()
        defer { log.directory.remove() }
        try FileManager.default.removeItem(at: log.segments[1])
        Self.expectFinding(try log.verify(), .missingSegment, segment: 3, record: nil)
    }

    @Test func replacedSegmentHeaderIsLocated() throws {
        let log = try TamperedLog()
        defer { log.directory.remove() }
        try log.edit(2) { $0[50] ^= 0xFF }
        Self.expectFinding(try log.verify(), .brokenSegmentHeader, segment: 2, record: nil)
    }
}
