import Foundation
import IDGateStore
import Testing
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

@Suite struct AuditLogTests {
    @Test func recordsAreWrittenChainedAndQueryable() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let morning = Date(timeIntervalSince1970: 1_795_400_000)
        let log = try AuditLog(configuration: AuditFixture.configuration(directory.url))
        for index in 1...30 {
            let record = AuditFixture.record(index, client: index <= 20 ? "bank-a" : "telco-b", time: morning.addingTimeInterval(Double(index)))
            try AuditFixture.append(log, record).get()
        }
        #expect(log.head.sequence == 30)
        log.close()

        let report = try AuditVerifier.verify(directory: directory.url, key: AuditFixture.key)
        #expect(report.isIntact, "\(report.issues)")
        #expect(report.records == 30)
        #expect(report.head?.sequence == 30)

        let bySubject = try AuditQuery(subjectIDNumber: AuditFixture.subjects[1]).run(directory: directory.url, key: AuditFixture.key)
        #expect(bySubject.map(\.transactionID) == stride(from: 1, through: 30, by: 3).map { "tx-\($0)" })
        let telcoLate = try AuditQuery(clientID: "telco-b", from: morning.addingTimeInterval(25)).run(directory: directory.url, key: nil)
        #expect(telcoLate.map(\.transactionID) == (25...30).map { "tx-\($0)" })
        let first = try #require(bySubject.first)
        #expect(first.purpose == "account-opening")
        #expect(first.operation == .match)
        #expect(first.attributes == AttributeSet([.idNumber, .fullName, .dateOfBirth]))
        #expect(first.decision == .mismatch)
        #expect(first.status == 200)
        #expect(first.latencyMicros == 101)
        #expect(first.subjectHash == AuditFixture.key.subjectHash(AuditFixture.subjects[1]))
        #expect(abs(first.time.timeIntervalSince(morning.addingTimeInterval(1))) < 1e-5)
        #expect(throws: AuditError.self) { try AuditQuery(subjectIDNumber: "001085012345").run(directory: directory.url, key: nil) }
    }

    @Test func idNumbersNeverReachTheFiles() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try AuditFixture.makeLog(in: directory.url, count: 60)
        for url in try AuditDirectory.segmentURLs(in: directory.url) {
            let bytes = try Data(contentsOf: url)
            for subject in AuditFixture.subjects {
                #expect(bytes.range(of: Data(subject.utf8)) == nil, "\(subject) found in \(url.lastPathComponent)")
            }
        }
    }

    @Test func concurrentAppendsShareFsyncs() async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let log = try AuditLog(configuration: AuditFixture.configuration(directory.url, maxSegmentBytes: 16 << 10))
        let failures = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var failed = 0
                    for index in 0..<250 {
                        let result: Result<Void, AuditError> = await withCheckedContinuation { continuation in
                            log.append(AuditFixture.record(worker * 1000 + index)) { continuation.resume(returning: $0) }
                        }
                        if case .failure = result { failed += 1 }
                    }
                    return failed
                }
            }
            return await group.reduce(0, +)
        }
        log.close()
        #expect(failures == 0)
        let report = try AuditVerifier.verify(directory: directory.url, key: AuditFixture.key)
        #expect(report.isIntact, "\(report.issues)")
        #expect(report.records == 2000)
        #expect(report.segments > 1)
        let sequences = try AuditQuery().run(directory: directory.url, key: nil).map(\.sequence)
        #expect(sequences == Array(1...2000))
    }

    @Test func restartContinuesTheChainInANewSegment() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try AuditFixture.makeLog(in: directory.url, count: 5, maxSegmentBytes: 1 << 20)
        let log = try AuditLog(configuration: AuditFixture.configuration(directory.url))
        #expect(log.startupReport.problems.isEmpty)
        #expect(log.startupReport.newSegment == 2)
        #expect(log.head.sequence == 5)
        try AuditFixture.append(log, AuditFixture.record(6)).get()
        log.close()
        let report = try AuditVerifier.verify(directory: directory.url, key: AuditFixture.key)
        #expect(report.isIntact, "\(report.issues)")
        #expect(report.segments == 2)
        #expect(report.records == 6)
    }

    @Test func asyncDurabilityCompletesAtOnceAndStillWrites() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let log = try AuditLog(configuration: AuditFixture.configuration(directory.url, durability: .async))
        for index in 1...100 {
            let completed = AuditResultBox()
            log.append(AuditFixture.record(index)) { completed.set($0) }
            // The completion ran before `append` returned.
            #expect((try? completed.get().get()) != nil)
        }
        log.close()
        #expect(try AuditVerifier.verify(directory: directory.url).records == 100)
    }

    @Test func appendAfterCloseFails() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let log = try AuditLog(configuration: AuditFixture.configuration(directory.url))
        log.close()
        #expect(AuditFixture.append(log, AuditFixture.record(1)).failureValue == .closed)
    }

    @Test func retentionDeletesOldSegmentsOnly() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try AuditFixture.makeLog(in: directory.url, count: 40)
        let old = try AuditDirectory.segmentURLs(in: directory.url)
        #expect(old.count > 2)
        let longAgo = Date().addingTimeInterval(-40 * 86400)
        for url in old.prefix(2) { try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: url.path) }
        var configuration = AuditFixture.configuration(directory.url)
        configuration.retentionDays = 30
        let log = try AuditLog(configuration: configuration)
        try AuditFixture.append(log, AuditFixture.record(41)).get()
        // Retention runs on the writer's idle tick.
        let deadline = Date().addingTimeInterval(5)
        while FileManager.default.fileExists(atPath: old[1].path), Date() < deadline { usleep(20_000) }
        log.close()
        let remaining = try AuditDirectory.segmentURLs(in: directory.url)
        #expect(!remaining.contains(old[0]) && !remaining.contains(old[1]))
        #expect(remaining.contains(old[2]))
        let report = try AuditVerifier.verify(directory: directory.url, key: AuditFixture.key)
        #expect(report.isIntact, "\(report.issues)")
        #expect(report.issues.contains { $0.kind == .chainStartsLater })
    }
}
