import Foundation
import Testing
@testable import IDGateAudit
import IDGateCore

/// Damage followed by intact records is corruption, never a torn tail: every byte is kept, no sequence number is
/// reused, and verification keeps failing (naming segment and offset) until an operator acknowledges it.
@Suite struct AuditDamageTests {
    /// A closed one-segment log of `count` records; returns its segment and frames.
    static func makeSegment(_ directory: ScratchDirectory, count: Int) throws -> (URL, [AuditSegmentScan.Frame]) {
        try AuditFixture.makeLog(in: directory.url, count: count, maxSegmentBytes: 1 << 20)
        let segments = try AuditDirectory.segmentURLs(in: directory.url)
        try #require(segments.count == 1)
        return (segments[0], try AuditSegmentScan(url: segments[0]).frames)
    }

    static func reopenAndAppend(_ directory: ScratchDirectory, index: Int) throws -> AuditStartupReport {
        let log = try AuditLog(configuration: AuditFixture.configuration(directory.url))
        try AuditFixture.append(log, AuditFixture.record(index)).get()
        log.close()
        return log.startupReport
    }

    /// The issue-17 reproduction: record 100's length field set to 0xFFFFFF, then restart and append.
    @Test func damagedLengthFieldIsCorruptionNotATornTail() throws {
        let directory = try ScratchDirectory("idgate-damage")
        defer { directory.remove() }
        let (segment, frames) = try Self.makeSegment(directory, count: 300)
        let damagedFrame = frames[99]
        try #require(damagedFrame.entry?.sequence == 100)
        var data = try Data(contentsOf: segment)
        data.replaceSubrange(damagedFrame.offset..<damagedFrame.offset + 4, with: [0xFF, 0xFF, 0xFF, 0x00])
        try data.write(to: segment)

        let before = try AuditVerifier.verify(directory: directory.url, key: AuditFixture.key)
        #expect(!before.isIntact)
        #expect(before.failures.contains { $0.kind == .damagedBytes && $0.segment == 1 && $0.offset == damagedFrame.offset })
        #expect(before.records == 299)

        let startup = try Self.reopenAndAppend(directory, index: 301)
        #expect(startup.damage == [AuditDamage(segment: 1, offset: damagedFrame.offset, length: damagedFrame.length)])
        #expect(startup.problems.contains { $0.contains("damaged bytes at offset \(damagedFrame.offset)") }, "\(startup.problems)")
        #expect(try Data(contentsOf: segment) == data, "the damaged segment must be kept byte for byte")

        // Nothing erased, no number reused: 299 old records and the new one, which continues after 300.
        let entries = try AuditQuery().run(directory: directory.url, key: nil)
        #expect(entries.count == 300)
        #expect(entries.last?.sequence == 301)
        #expect(entries.last?.transactionID == "tx-301")
        #expect(Set(entries.map(\.sequence)).count == entries.count)

        let after = try AuditVerifier.verify(directory: directory.url, key: AuditFixture.key)
        #expect(!after.isIntact, "damage must keep failing verification until acknowledged")
        #expect(after.failures.map(\.kind) == [.damagedBytes], "\(after.issues)")
        #expect(after.failures.first?.description.contains("segment 1 offset \(damagedFrame.offset)") == true)
        #expect(!after.issues.contains { $0.kind == .recoveredTail })
        #expect(after.head?.sequence == 301)

        // A later start (the damaged segment no longer the newest) still reports it.
        #expect(try Self.reopenAndAppend(directory, index: 302).damage.count == 1)

        try AuditDamageFile(directory: directory.url).acknowledge(segment: 1, offset: damagedFrame.offset, note: "kept as evidence")
        let acknowledged = try AuditVerifier.verify(directory: directory.url, key: AuditFixture.key)
        #expect(acknowledged.isIntact, "\(acknowledged.issues)")
        #expect(acknowledged.issues.contains { $0.kind == .acknowledgedDamage && $0.offset == damagedFrame.offset })
        #expect(try Self.reopenAndAppend(directory, index: 303).damage.isEmpty)
        #expect(try Data(contentsOf: segment) == data)
    }

    /// A record whose CRC fails in the middle of the newest segment: also damage, the numbers after it kept.
    @Test func editedRecordInsideTheNewestSegmentIsDamage() throws {
        let directory = try ScratchDirectory("idgate-damage")
        defer { directory.remove() }
        let (segment, frames) = try Self.makeSegment(directory, count: 20)
        var data = try Data(contentsOf: segment)
        data[frames[5].offset + 40] ^= 0x10
        try data.write(to: segment)

        let startup = try Self.reopenAndAppend(directory, index: 21)
        #expect(startup.damage == [AuditDamage(segment: 1, offset: frames[5].offset, length: frames[5].length)])
        #expect(try AuditQuery().run(directory: directory.url, key: nil).last?.sequence == 21)
        let report = try AuditVerifier.verify(directory: directory.url, key: AuditFixture.key)
        #expect(report.failures.map(\.kind) == [.editedRecord], "\(report.issues)")
    }

    /// A crash mid-write (the last frame cut short) is still a torn tail: skipped, its number reused, verify OK.
    @Test func truncatedLastFrameIsStillATornTail() throws {
        let directory = try ScratchDirectory("idgate-damage")
        defer { directory.remove() }
        let (segment, frames) = try Self.makeSegment(directory, count: 30)
        var data = try Data(contentsOf: segment)
        data.removeLast(frames[29].length / 2)
        try data.write(to: segment)

        let startup = try Self.reopenAndAppend(directory, index: 31)
        #expect(startup.damage.isEmpty)
        #expect(startup.problems.count == 1)
        #expect(startup.problems.first?.contains("unreadable bytes after offset \(frames[29].offset)") == true, "\(startup.problems)")
        #expect(try Data(contentsOf: segment) == data)
        let entries = try AuditQuery().run(directory: directory.url, key: nil)
        #expect(entries.map(\.sequence) == Array(1...30))
        #expect(entries.last?.transactionID == "tx-31")
        let report = try AuditVerifier.verify(directory: directory.url, key: AuditFixture.key)
        #expect(report.isIntact, "\(report.issues)")
        #expect(report.issues.contains { $0.kind == .recoveredTail && $0.segment == 1 })
        #expect(!FileManager.default.fileExists(atPath: AuditDamageFile(directory: directory.url).url.path))
    }

    /// Garbage appended after the last record (no intact frame follows) is a tail, however it looks.
    @Test func scanFindsIntactFramesOnlyAtTheirOwnOffsets() throws {
        let directory = try ScratchDirectory("idgate-damage")
        defer { directory.remove() }
        let (segment, frames) = try Self.makeSegment(directory, count: 10)
        var data = try Data(contentsOf: segment)
        // Zero a whole record and a half of the next: the scan skips to the first intact frame after them.
        let start = frames[3].offset, end = frames[4].offset + frames[4].length / 2
        data.replaceSubrange(start..<end, with: [UInt8](repeating: 0, count: end - start))
        try data.write(to: segment)
        let scan = try AuditSegmentScan(url: segment)
        #expect(scan.skippedRanges == [start..<frames[5].offset])
        #expect(scan.frames.compactMap(\.entry?.sequence) == [1, 2, 3, 6, 7, 8, 9, 10])
        #expect(scan.readableLength == scan.fileLength)
        #expect(scan.damagedRanges == [start..<frames[5].offset])
    }
}

/// The operator's side: `idgate audit verify` names the damage, `acknowledge-damage` records the acknowledgement.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: IDGateCLI.url.path), "needs the idgate executable (swift build)"))
struct AuditDamageCommandTests {
    @Test func verifyFailsUntilTheDamageIsAcknowledged() throws {
        let directory = try ScratchDirectory("idgate-damage-cli")
        defer { directory.remove() }
        let (segment, frames) = try AuditDamageTests.makeSegment(directory, count: 50)
        var data = try Data(contentsOf: segment)
        data.replaceSubrange(frames[20].offset..<frames[20].offset + 4, with: [0xFF, 0xFF, 0xFF, 0x00])
        try data.write(to: segment)
        _ = try AuditDamageTests.reopenAndAppend(directory, index: 51)

        let failing = try IDGateCLI.run(["audit", "verify", directory.url.path])
        #expect(failing.status == 1)
        #expect(failing.output.contains("damagedBytes"), "\(failing.output)")
        #expect(failing.output.contains("segment 1 offset \(frames[20].offset)"), "\(failing.output)")

        let wrongPlace = try IDGateCLI.run([
            "audit", "acknowledge-damage", directory.url.path, "--segment", "1", "--offset", String(frames[20].offset + 1),
        ])
        #expect(wrongPlace.status != 0)
        #expect(wrongPlace.output.contains("segment 1 offset \(frames[20].offset)"), "\(wrongPlace.output)")

        let acknowledged = try IDGateCLI.run([
            "audit", "acknowledge-damage", directory.url.path, "--segment", segment.lastPathComponent,
            "--offset", String(frames[20].offset), "--note", "ticket 42",
        ])
        #expect(acknowledged.status == 0, "\(acknowledged.output)")
        let passing = try IDGateCLI.run(["audit", "verify", directory.url.path])
        #expect(passing.status == 0, "\(passing.output)")
        #expect(passing.output.contains("acknowledgedDamage"))
        #expect(try Data(contentsOf: segment) == data)
    }

    /// A fleet's logs in one call: each directory reported, the call fails when any log does.
    @Test func verifySeveralNodesLogsInOneCall() throws {
        let intact = try ScratchDirectory("idgate-node-a")
        let damaged = try ScratchDirectory("idgate-node-b")
        defer {
            intact.remove()
            damaged.remove()
        }
        _ = try AuditDamageTests.makeSegment(intact, count: 10)
        let (segment, frames) = try AuditDamageTests.makeSegment(damaged, count: 10)
        var data = try Data(contentsOf: segment)
        data.replaceSubrange(frames[3].offset..<frames[3].offset + 4, with: [0xFF, 0xFF, 0xFF, 0x00])
        try data.write(to: segment)

        let both = try IDGateCLI.run(["audit", "verify", intact.url.path, damaged.url.path])
        #expect(both.status == 1)
        #expect(both.output.contains("\(intact.url.path):"), "\(both.output)")
        #expect(both.output.contains("1 of 2 logs FAILED"), "\(both.output)")
        let intactOnly = try IDGateCLI.run(["audit", "verify", intact.url.path, intact.url.path])
        #expect(intactOnly.status == 0, "\(intactOnly.output)")
        #expect(intactOnly.output.contains("all 2 logs OK"), "\(intactOnly.output)")
    }
}
