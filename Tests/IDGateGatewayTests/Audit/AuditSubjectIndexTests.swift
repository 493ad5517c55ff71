import Foundation
import Synchronization
import Testing
@testable import IDGateAudit
import IDGateCore
import IDGateStore
import IDGateWire

/// The subject index, the node id in segment headers and the notification outbox, on real directories.
@Suite struct AuditSubjectIndexTests {
    static func indexedConfiguration(_ directory: URL, nodeID: String? = "node-7", maxSegmentBytes: Int = 4096) -> AuditLogConfiguration {
        var configuration = AuditFixture.configuration(directory, maxSegmentBytes: maxSegmentBytes)
        configuration.subjectIndex = true
        configuration.nodeID = nodeID
        return configuration
    }

    /// Waits until the index holds the log's head (the follower's effect, not a clock).
    static func current(_ log: AuditLog) throws -> AuditHistory {
        let history = try #require(log.history)
        let done = DispatchSemaphore(value: 0)
        let box = AuditResultBox()
        history.whenCurrent(through: log.head.sequence) { result in
            box.set(result)
            done.signal()
        }
        done.wait()
        try box.get().get()
        return history
    }

    /// Every page of `subject`'s history, following cursors.
    static func allEntries(_ history: AuditHistory, _ subject: String, limit: Int) throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var cursor: String? = nil
        repeat {
            let page = try history.page(idNumber: subject, cursor: cursor, limit: limit, notBefore: .distantPast).get()
            #expect(page.entries.count <= limit)
            entries += page.entries
            cursor = page.cursor
        } while cursor != nil
        return entries
    }

    @Test func historyIsNewestFirstPagedAndBoundToItsSubject() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let log = try AuditLog(configuration: Self.indexedConfiguration(scratch.url))
        for index in 1...31 { try AuditFixture.append(log, AuditFixture.record(index)).get() }
        let history = try Self.current(log)
        // Records 1…31 go round-robin to three subjects: subjects[1] has 1, 4, …, 31 (11 records).
        let subject = AuditFixture.subjects[1]
        let entries = try Self.allEntries(history, subject, limit: 4)
        #expect(entries.map(\.transactionID) == stride(from: 31, through: 1, by: -3).map { "tx-\($0)" })
        #expect(entries.allSatisfy { $0.subjectHash == AuditFixture.key.subjectHash(subject) })

        let first = try history.page(idNumber: subject, cursor: nil, limit: 4, notBefore: .distantPast).get()
        let cursor = try #require(first.cursor)
        #expect(cursor.count == 32)
        // Another subject's cursor, an edited one and garbage are refused.
        #expect(throws: AuditHistoryError.invalidCursor) {
            try history.page(idNumber: AuditFixture.subjects[0], cursor: cursor, limit: 4, notBefore: .distantPast).get()
        }
        var edited = Array(cursor.utf8)
        edited[3] = edited[3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: AuditHistoryError.invalidCursor) {
            try history.page(idNumber: subject, cursor: String(decoding: edited, as: UTF8.self), limit: 4, notBefore: .distantPast).get()
        }
        #expect(throws: AuditHistoryError.invalidCursor) {
            try history.page(idNumber: subject, cursor: "not a cursor", limit: 4, notBefore: .distantPast).get()
        }
        // Nobody asked about this number: an empty page of the same shape.
        let unknown = try history.page(idNumber: "001099999999", cursor: nil, limit: 4, notBefore: .distantPast).get()
        #expect(unknown.entries.isEmpty && unknown.cursor == nil)
        // The window cuts older records.
        let recent = try history.page(idNumber: subject, cursor: nil, limit: 50, notBefore: Date().addingTimeInterval(3600)).get()
        #expect(recent.entries.isEmpty)
        log.close()
    }

    @Test func indexIsRebuiltFromTheSegmentsWhenDeletedOrBehind() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var log = try AuditLog(configuration: Self.indexedConfiguration(scratch.url))
        for index in 1...20 { try AuditFixture.append(log, AuditFixture.record(index)).get() }
        let before = try Self.allEntries(try Self.current(log), AuditFixture.subjects[2], limit: 3)
        log.close()
        #expect(before.count == 7)

        // Deleted: rebuilt from all segments.
        try FileManager.default.removeItem(at: scratch.appending("subject-index"))
        log = try AuditLog(configuration: Self.indexedConfiguration(scratch.url))
        #expect(try Self.allEntries(try Self.current(log), AuditFixture.subjects[2], limit: 3) == before)
        log.close()

        // Behind: records written without the index are caught up at the next start.
        log = try AuditLog(configuration: AuditFixture.configuration(scratch.url, maxSegmentBytes: 4096))
        for index in 21...26 { try AuditFixture.append(log, AuditFixture.record(index)).get() }
        log.close()
        log = try AuditLog(configuration: Self.indexedConfiguration(scratch.url))
        let after = try Self.allEntries(try Self.current(log), AuditFixture.subjects[2], limit: 3)
        #expect(after.map(\.transactionID) == ["tx-26", "tx-23"] + before.map(\.transactionID))
        log.close()

        // Another log's index (a position this log never had) is thrown away and rebuilt.
        let other = try ScratchDirectory()
        defer { other.remove() }
        let otherLog = try AuditLog(configuration: Self.indexedConfiguration(other.url))
        for index in 1...40 { try AuditFixture.append(otherLog, AuditFixture.record(index)).get() }
        _ = try Self.current(otherLog)
        otherLog.close()
        try FileManager.default.removeItem(at: scratch.appending("subject-index"))
        try FileManager.default.copyItem(at: other.appending("subject-index"), to: scratch.appending("subject-index"))
        log = try AuditLog(configuration: Self.indexedConfiguration(scratch.url))
        #expect(try Self.allEntries(try Self.current(log), AuditFixture.subjects[2], limit: 3) == after)
        log.close()
    }

    @Test func bulkRebuildInKeyOrderHoldsWhatTheIncrementalIndexHeld() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        // 40 subjects, every seventh record without one (an unauthenticated request), over many small segments.
        let subjects = (0..<40).map { String(format: "0010850%05d", $0 * 37) }
        var log = try AuditLog(configuration: Self.indexedConfiguration(scratch.url))
        for index in 1...400 {
            let record = AuditRecord(
                clientID: "bank-a", purpose: "account-opening", operation: .match, transactionID: "tx-\(index)",
                subjectIDNumber: index % 7 == 0 ? nil : subjects[(index * 13) % subjects.count],
                attributes: AttributeSet([.idNumber, .fullName]), decision: .match, status: 200, latencyMicros: 100)
            try AuditFixture.append(log, record).get()
        }
        var history = try Self.current(log)
        let before = try subjects.map { try Self.allEntries(history, $0, limit: 9) }
        let withSubject = 400 - 400 / 7
        let entryCount = before.reduce(0) { $0 + $1.count }
        #expect(entryCount == withSubject)
        log.close()
        // (LMDB must not have one environment open twice in a process: read it with the log closed.)
        let incremental = try { try AuditSubjectIndex(auditDirectory: scratch.url).position() }()
        #expect(incremental.sequence == 400)

        try FileManager.default.removeItem(at: scratch.appending("subject-index"))
        let outcome = try {
            let index = try AuditSubjectIndex(auditDirectory: scratch.url)
            // A tiny bucket size: the records spread over many buckets, each sorted and appended in turn.
            return try AuditSubjectIndexRebuild.build(into: index, directory: scratch.url, upTo: incremental, bucketBytes: 512)
        }()
        #expect(outcome.buckets > 8)
        #expect(outcome.recordsIndexed == withSubject)
        #expect(outcome.position == incremental)
        #expect(!FileManager.default.fileExists(atPath: scratch.appending(AuditSubjectIndexRebuild.spillDirectoryName).path))
        // The log continues from the built index (its position has the log's chain hash) and finds the same pages.
        log = try AuditLog(configuration: Self.indexedConfiguration(scratch.url))
        history = try Self.current(log)
        #expect(try subjects.map { try Self.allEntries(history, $0, limit: 9) } == before)
        log.close()

        // An interrupted build (entries appended, no position stored) is started over at the next start.
        try FileManager.default.removeItem(at: scratch.appending("subject-index"))
        try {
            let index = try AuditSubjectIndex(auditDirectory: scratch.url)
            var spilled = [UInt8](repeating: 0xFF, count: 40)
            spilled.appendLittleEndian(UInt32(3))
            spilled += [1, 2, 3]
            try index.appendSorted(spilled: spilled)
            #expect(try index.position() == .start)
        }()
        log = try AuditLog(configuration: Self.indexedConfiguration(scratch.url))
        history = try Self.current(log)
        #expect(try subjects.map { try Self.allEntries(history, $0, limit: 9) } == before)
        log.close()
    }

    /// Runs merged level by level, a few entries per commit (fan-in 2, three entries of work a round), the index
    /// reopened mid-merge: after every commit each subject's history, paged, is exactly its records newest first,
    /// once each, although records being merged sit in two levels at once.
    ///
    /// With `sharedPrefixes`, the subjects' hashes are made to share their first 8 bytes in groups (and two to differ
    /// only in the last byte): the merge compares those 8 bytes as an integer and the rest only when they are equal,
    /// so every comparison there takes the second path.
    @Test(arguments: [false, true])
    func runsMergedAFewEntriesPerCommitKeepEveryHistoryExact(sharedPrefixes: Bool) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let subjects = (0..<12).map { String(format: "0010850%05d", $0 * 41) }
        let hashes: [[UInt8]] = sharedPrefixes
            ? (0..<12).map { subject in
                var bytes = [UInt8](repeating: 0xA5, count: 8) + [UInt8](repeating: 0, count: 24)
                bytes[7] = UInt8(subject / 4)  // three groups of four with one prefix each
                bytes[31] = UInt8(subject)  // the rest differs in the last byte only
                if subject % 4 == 1 { bytes[8] = 0xFF }  // and in the first byte after the prefix
                return bytes
            }
            : subjects.map { AuditFixture.key.subjectHash($0) }
        let log = try AuditLog(configuration: AuditFixture.configuration(scratch.url, maxSegmentBytes: 4096))
        for index in 1...240 {
            let subject = index % 9 == 0 ? nil : (index * 7) % subjects.count
            var record = AuditRecord(
                clientID: "bank-a", purpose: "account-opening", operation: .match, transactionID: "tx-\(index)",
                subjectIDNumber: subject.map { subjects[$0] },
                attributes: AttributeSet([.idNumber]), decision: .match, status: 200, latencyMicros: 100)
            if sharedPrefixes, let subject { record.subjectHash = SHA256Key(bytes: hashes[subject])! }
            try AuditFixture.append(log, record).get()
        }
        log.close()
        // Commits of 1 to 4 frames each, in log order, as the follower makes them.
        var commits: [AuditFrameList] = []
        for url in try AuditDirectory.segmentURLs(in: scratch.url) {
            let bytes = try FileBytes.read(path: url.path)
            let frames = AuditFrameList(segment: bytes, scan: try AuditSegmentScan(url: url, contents: bytes))
            commits += frames.chunks(of: 1 + commits.count % 4)
        }
        var expected: [[UInt64]] = Array(repeating: [], count: subjects.count)
        let policy = AuditSubjectIndex.MergePolicy(fanIn: 2, minimumWork: 3, workPerRecord: 1)
        let indexDirectory = scratch.appending("index-test")
        try FileManager.default.createDirectory(at: indexDirectory, withIntermediateDirectories: true)
        var index: AuditSubjectIndex? = try AuditSubjectIndex(auditDirectory: indexDirectory, policy: policy)
        var deepest = 0
        for (number, commit) in commits.enumerated() {
            let last = try #require(commit.frames.last)
            try index!.add(commit, position: .init(sequence: last.sequence, hash: commit.chainHash(of: last)))
            for frame in commit.frames where frame.hasSubject {
                let start = frame.payload.lowerBound + AuditFrame.subjectHashRange.lowerBound
                let hash = Array(commit.bytes[start..<start + 32])
                expected[try #require(hashes.firstIndex(of: hash))].insert(frame.sequence, at: 0)
            }
            if number == commits.count / 2 {
                index = nil  // closed mid-merge: the next open resumes where the last commit left it
                index = try AuditSubjectIndex(auditDirectory: indexDirectory, policy: policy)
            }
            for (subject, hash) in hashes.enumerated() {
                var pages: [UInt64] = []
                var before: UInt64? = nil
                while true {
                    let (entries, more) = try index!.records(subjectHash: hash, before: before, notBefore: .distantPast, limit: 5)
                    pages += entries.map(\.sequence)
                    guard more, let oldest = entries.last else { break }
                    before = oldest.sequence
                }
                #expect(pages == expected[subject], "subject \(subject) after commit \(number)")
            }
            let counts = try index!.runCounts()
            deepest = max(deepest, counts.lastIndex { $0.reduce(0, +) > 0 } ?? 0)
            #expect(counts[0].reduce(0, +) <= 2 * policy.fanIn + 1, "level 0 stays short: \(counts)")
        }
        #expect(deepest >= 4, "records were merged through several levels")
        #expect(expected.joined().count == 240 - 240 / 9)
        #expect(try index!.position().sequence == 240)
    }

    /// An index whose merge state cannot be read fails its catch-up at the next start and is rebuilt from the
    /// segments: the history is whole again (before, the follower stopped and histories answered "unavailable").
    /// The start is reported with its reason (the gateway logs it): before, a failed catch-up was swallowed and
    /// the log only showed a long start.
    @Test func anIndexThatCannotTakeTheCatchUpIsRebuilt() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let starts = Mutex<[AuditIndexStart]>([])
        var configuration = Self.indexedConfiguration(scratch.url)
        configuration.indexStartListener = { start in starts.withLock { $0.append(start) } }
        var log = try AuditLog(configuration: configuration)
        for index in 1...20 { try AuditFixture.append(log, AuditFixture.record(index)).get() }
        let before = try Self.allEntries(try Self.current(log), AuditFixture.subjects[1], limit: 4)
        log.close()
        #expect(before.count == 7)
        // A clean reopen continues the stored index (nothing to add).
        log = try AuditLog(configuration: configuration)
        _ = try Self.current(log)
        log.close()
        try {
            let index = try AuditSubjectIndex(auditDirectory: scratch.url)
            try index.write { txn in try AuditSubjectIndex.put(txn, index.meta, Array("level".utf8) + [0], [7, 7, 7]) }
        }()
        // Records written while the index was closed, so the next start has a catch-up to do.
        log = try AuditLog(configuration: AuditFixture.configuration(scratch.url, maxSegmentBytes: 4096))
        for index in 21...25 { try AuditFixture.append(log, AuditFixture.record(index)).get() }
        log.close()
        log = try AuditLog(configuration: configuration)
        let after = try Self.allEntries(try Self.current(log), AuditFixture.subjects[1], limit: 4)
        #expect(after.map(\.transactionID) == ["tx-25", "tx-22"] + before.map(\.transactionID))
        log.close()
        let reported = starts.withLock { $0 }
        try #require(reported.count == 3)
        #expect(reported[0].rebuildReason?.contains("no index") == true && reported[0].recordCount == 0)
        #expect(reported[1] == AuditIndexStart(rebuildReason: nil, recordsFrom: 21, recordsThrough: 20))
        #expect(reported[2].rebuildReason?.contains("catching up from the segments failed") == true, "\(reported[2])")
        #expect(reported[2].recordCount == 25)
    }

    @Test func segmentsCarryTheNodeIDAndOldSegmentsStillVerify() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        // A version 1 log, then the same directory opened with a node id (an upgrade in place).
        try AuditFixture.makeLog(in: scratch.url, count: 10)
        let log = try AuditLog(configuration: Self.indexedConfiguration(scratch.url, nodeID: "node-7"))
        for index in 11...20 { try AuditFixture.append(log, AuditFixture.record(index)).get() }
        log.close()
        let report = try AuditVerifier.verify(directory: scratch.url, key: AuditFixture.key)
        #expect(report.isIntact, "\(report.failures)")
        #expect(report.records == 20)
        #expect(report.nodeIDs == ["node-7"])
        #expect(report.segmentsWithoutNodeID > 0)
        let newest = try #require(try AuditDirectory.segmentURLs(in: scratch.url).last)
        let header = try #require(try Data(contentsOf: newest).withUnsafeBytes { AuditSegmentHeader($0) })
        #expect(header.nodeID == "node-7")
        #expect(header.length == AuditFormat.headerLengthWithNodeID)
        // A damaged node id byte fails the header's CRC like any other header byte.
        var bytes = try Data(contentsOf: newest)
        bytes[82] ^= 0x01
        #expect(bytes.withUnsafeBytes { AuditSegmentHeader($0) } == nil)
        // Refused up front: a node id that cannot go into a header.
        var bad = AuditFixture.configuration(scratch.url)
        bad.nodeID = "node with spaces"
        #expect(throws: AuditError.self) { try AuditLog(configuration: bad) }
    }

    /// The index commits (an fsync each) at most once per commit interval while nobody waits for it, however many
    /// group commits the log makes; a history that waits is served at once with every record.
    @Test func indexCommitsAreHeldWhileNobodyWaitsAndAHistoryGetsEveryRecord() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var configuration = AuditFixture.configuration(scratch.appending("audit"))
        configuration.subjectIndex = true
        let log = try AuditLog(configuration: configuration)
        let start = ContinuousClock.now
        // One record per group commit: the writer hands each to the follower on its own.
        for index in 1...120 { try AuditFixture.append(log, AuditFixture.record(index)).get() }
        let elapsed = ContinuousClock.now - start
        let rounds = log.followerRounds
        let bound = Int(elapsed / AuditFollower.commitInterval) + 2
        #expect(rounds <= bound, "\(rounds) index rounds for 120 group commits in \(elapsed)")
        let history = try #require(log.history)
        let current = DispatchSemaphore(value: 0)
        history.whenCurrent(through: log.head.sequence) { _ in current.signal() }
        current.wait()
        guard case .success(let page) = history.page(
            idNumber: AuditFixture.subjects[0], cursor: nil, limit: 100, notBefore: Date(timeIntervalSince1970: 0))
        else {
            Issue.record("history refused")
            return
        }
        #expect(page.entries.count == 40, "every third record is subject 0's")
        log.close()
    }

    /// A follower that cannot hold what the writer hands over (here: no memory at all) drops it and reads the
    /// records back from the segments: the index and the outbox still get every record, in order.
    @Test func aFollowerOverItsMemoryReadsTheSegmentsAndMissesNothing() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var configuration = AuditFixture.configuration(scratch.appending("audit"), maxSegmentBytes: 4096)
        configuration.subjectIndex = true
        configuration.followerMemoryBytes = 1
        configuration.outbox = AuditOutboxConfiguration(file: scratch.appending("outbox/outbox.ndjson").path)
        let log = try AuditLog(configuration: configuration)
        for index in 1...60 { try AuditFixture.append(log, AuditFixture.record(index)).get() }
        let history = try #require(log.history)
        let current = DispatchSemaphore(value: 0)
        history.whenCurrent(through: log.head.sequence) { _ in current.signal() }
        current.wait()
        #expect(log.followerOverflows > 0)
        guard case .success(let page) = history.page(
            idNumber: AuditFixture.subjects[1], cursor: nil, limit: 100, notBefore: Date(timeIntervalSince1970: 0))
        else {
            Issue.record("history refused")
            return
        }
        #expect(page.entries.map(\.sequence) == stride(from: 58, through: 1, by: -3).map { UInt64($0) })
        log.close()
        let text = try String(contentsOf: scratch.appending("outbox/outbox.ndjson"), encoding: .utf8)
        let sequences: [Int] = try text.split(separator: "\n").map { line in
            let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return event["sequence"] as? Int ?? -1
        }
        #expect(sequences == Array(1...60), "every event once, in order")
    }

    @Test func outboxGetsOneLinePerRecordWithASubjectAndRotates() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var configuration = AuditFixture.configuration(scratch.appending("audit"))
        configuration.nodeID = "node-3"
        configuration.outbox = AuditOutboxConfiguration(file: scratch.appending("outbox/outbox.ndjson").path, maxFileBytes: 4096, maxFiles: 2)
        let log = try AuditLog(configuration: configuration)
        for index in 1...60 { try AuditFixture.append(log, AuditFixture.record(index)).get() }
        var noSubject = AuditFixture.record(61)
        noSubject.subjectIDNumber = nil
        try AuditFixture.append(log, noSubject).get()
        log.close()

        let outbox = scratch.appending("outbox/outbox.ndjson")
        let rotated = AuditOutbox.rotatedFiles(of: outbox)
        #expect(rotated.count == 2, "at most maxFiles rotated files are kept")
        var lines: [[String: Any]] = []
        for url in rotated.map(\.url) + [outbox] {
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.split(separator: "\n") {
                lines.append(try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]))
            }
        }
        let sequences = lines.compactMap { $0["sequence"] as? Int }
        #expect(sequences == sequences.sorted() && sequences.last == 60, "the newest events are kept, in order")
        #expect(lines.count < 60, "the oldest rotated files were dropped")
        let last = try #require(lines.last)
        #expect(last["subjectHash"] as? String == Hex.encode(AuditFixture.key.subjectHash(AuditFixture.subjects[0])))
        #expect(last["client"] as? String == "bank-a")
        #expect(last["purpose"] as? String == "account-opening")
        #expect(last["operation"] as? String == "match")
        #expect(last["decision"] as? String == "match")
        #expect(last["node"] as? String == "node-3")
        #expect(last["time"] as? String != nil)
        // Never an ID number.
        for url in rotated.map(\.url) + [outbox] {
            let text = try String(contentsOf: url, encoding: .utf8)
            for subject in AuditFixture.subjects { #expect(!text.contains(subject)) }
        }
    }
}

/// `idgate audit verify DIR…` names each directory's node.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: IDGateCLI.url.path), "needs the idgate executable (swift build)"))
struct AuditNodeIDCommandTests {
    @Test func verifyReportsTheNodeIDOfEachDirectory() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        for (name, nodeID) in [("a", "node-a"), ("b", nil as String?)] {
            let log = try AuditLog(configuration: AuditSubjectIndexTests.indexedConfiguration(scratch.appending(name), nodeID: nodeID))
            for index in 1...5 { try AuditFixture.append(log, AuditFixture.record(index)).get() }
            log.close()
        }
        let (status, output) = try IDGateCLI.run(["audit", "verify", scratch.appending("a").path, scratch.appending("b").path])
        #expect(status == 0, "\(output)")
        let sections = output.components(separatedBy: scratch.appending("b").path + ":")
        #expect(sections.count == 2)
        #expect(sections[0].contains("node id: node-a"))
        #expect(sections[1].contains("node id: none (version 1 segments)"))
    }
}
