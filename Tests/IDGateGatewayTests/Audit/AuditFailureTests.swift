import Foundation
import Testing
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

/// Storage failures: the log refuses records (the gateway answers 503) rather than lose them, and recovers.
@Suite struct AuditFailureTests {
    /// Polls until `condition` holds or 5 s pass.
    static func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while !condition() {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }

    @Test func corruptedTailAtStartupIsReportedAndLeftInPlace() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try AuditFixture.makeLog(in: directory.url, count: 5, maxSegmentBytes: 1 << 20)
        let segment = try #require(try AuditDirectory.segmentURLs(in: directory.url).last)
        let handle = try FileHandle(forWritingTo: segment)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x55, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7]))
        try handle.close()
        let damaged = try Data(contentsOf: segment)

        let log = try AuditLog(configuration: AuditFixture.configuration(directory.url))
        #expect(log.startupReport.problems.count == 1)
        #expect(log.startupReport.problems.first?.contains("11 unreadable bytes") == true)
        #expect(log.startupReport.newSegment == 2)
        try AuditFixture.append(log, AuditFixture.record(6)).get()
        log.close()

        #expect(try Data(contentsOf: segment) == damaged, "the damaged segment must not be rewritten")
        let report = try AuditVerifier.verify(directory: directory.url, key: AuditFixture.key)
        #expect(report.isIntact, "\(report.issues)")
        #expect(report.records == 6)
        #expect(report.issues.contains { $0.kind == .recoveredTail && $0.segment == 1 })
    }

    @Test func fullDiskRefusesRecordsThenRecovers() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let log = try AuditLog(configuration: AuditFixture.configuration(directory.url))
        try AuditFixture.append(log, AuditFixture.record(1)).get()

        log.setMinimumFreeBytes(Int64.max)  // less free space than the reserve: as good as a full disk
        guard case .failure(.diskFull) = AuditFixture.append(log, AuditFixture.record(2)) else {
            Issue.record("expected diskFull")
            return
        }
        #expect(!log.isHealthy)
        #expect(AuditFixture.append(log, AuditFixture.record(3)).failureValue != nil)

        log.setMinimumFreeBytes(0)  // space is back
        #expect(Self.eventually { log.isHealthy })
        try AuditFixture.append(log, AuditFixture.record(4)).get()
        log.close()
        let report = try AuditVerifier.verify(directory: directory.url, key: AuditFixture.key)
        #expect(report.isIntact, "\(report.issues)")
        #expect(try AuditQuery().run(directory: directory.url, key: nil).map(\.transactionID) == ["tx-1", "tx-4"])
    }

    @Test func unusableDirectoryRefusesRecordsThenRecovers() throws {
        let parent = try ScratchDirectory()
        defer { parent.remove() }
        let directory = parent.appending("audit")
        // Every batch starts a new segment, so each one needs the directory.
        let log = try AuditLog(configuration: AuditFixture.configuration(directory, maxSegmentBytes: 1))
        try AuditFixture.append(log, AuditFixture.record(1)).get()

        let aside = parent.appending("aside")
        try FileManager.default.moveItem(at: directory, to: aside)
        try Data().write(to: directory)  // a file where the directory was: segment creation fails
        #expect(AuditFixture.append(log, AuditFixture.record(2)).failureValue != nil)
        #expect(!log.isHealthy)

        try FileManager.default.removeItem(at: directory)
        try FileManager.default.moveItem(at: aside, to: directory)
        #expect(Self.eventually { log.isHealthy })
        try AuditFixture.append(log, AuditFixture.record(3)).get()
        log.close()
        let report = try AuditVerifier.verify(directory: directory, key: AuditFixture.key)
        #expect(report.isIntact, "\(report.issues)")
        #expect(try AuditQuery().run(directory: directory, key: nil).map(\.transactionID) == ["tx-1", "tx-3"])
    }

    @Test(.enabled(if: getuid() != 0, "root ignores directory permissions"))
    func readOnlyDirectoryRefusesRecordsThenRecovers() throws {
        let directory = try ScratchDirectory()
        defer {
            chmod(directory.url.path, 0o755)
            directory.remove()
        }
        let log = try AuditLog(configuration: AuditFixture.configuration(directory.url, maxSegmentBytes: 1))
        try AuditFixture.append(log, AuditFixture.record(1)).get()
        chmod(directory.url.path, 0o555)
        #expect(AuditFixture.append(log, AuditFixture.record(2)).failureValue != nil)
        chmod(directory.url.path, 0o755)
        #expect(Self.eventually { log.isHealthy })
        try AuditFixture.append(log, AuditFixture.record(3)).get()
        log.close()
        #expect(try AuditVerifier.verify(directory: directory.url, key: AuditFixture.key).isIntact)
    }

    @Test func queueLimitRefusesInsteadOfGrowing() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        var configuration = AuditFixture.configuration(directory.url)
        configuration.maxQueuedRecords = 4
        let log = try AuditLog(configuration: configuration)
        let refused = AuditResultBox()
        for index in 0..<10_000 {
            log.append(AuditFixture.record(index)) { result in if case .failure(.queueFull) = result { refused.set(result) } }
        }
        log.close()
        #expect(refused.get().failureValue == .queueFull)
        #expect(try AuditVerifier.verify(directory: directory.url).isIntact)
    }
}
