import Foundation
import Testing
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

/// Crash and command-line tests: these run the real `idgate` executable.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: IDGateCLI.url.path), "needs the idgate executable (swift build)"))
struct AuditCrashTests {
    /// Starts `idgate audit append-test`, waits for `acked N` with N ≥ `atLeast`, SIGKILLs it; returns the last N.
    static func appendUntilKilled(
        directory: URL, keyFile: URL, subject: String, durability: String, atLeast: Int, pauseMicros: Int = 0
    ) throws -> Int {
        let process = Process()
        process.executableURL = IDGateCLI.url
        process.arguments = [
            "audit", "append-test", directory.path, "--key-file", keyFile.path, "--subject", subject, "--durability", durability,
            "--pause-micros", String(pauseMicros),
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var acknowledged = 0
        var pending = ""
        while acknowledged < atLeast {
            let chunk = pipe.fileHandleForReading.availableData
            try #require(!chunk.isEmpty, "append-test exited early")
            pending += String(decoding: chunk, as: UTF8.self)
            let lines = pending.split(separator: "\n", omittingEmptySubsequences: false)
            pending = String(lines.last ?? "")
            for line in lines.dropLast() where line.hasPrefix("acked ") {
                acknowledged = Int(line.dropFirst(6)) ?? acknowledged
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        return acknowledged
    }

    /// What a restarted gateway does: open the log (recovering any torn tail); then verify everything and return
    /// the transaction numbers of the last run, in log order.
    static func recoverAndVerify(directory: URL, keyFile: URL, subject: String) throws -> [Int] {
        let key = try AuditKey.load(from: keyFile)
        let reopened = try AuditLog(configuration: AuditLogConfiguration(directory: directory, key: key, minimumFreeBytes: 0))
        reopened.close()
        let report = try AuditVerifier.verify(directory: directory, key: key)
        #expect(report.isIntact, "\(report.failures)")
        for url in try AuditDirectory.segmentURLs(in: directory) {
            #expect(try Data(contentsOf: url).range(of: Data(subject.utf8)) == nil)
        }
        // Each run numbers its transactions from t1.
        let entries = try AuditQuery().run(directory: directory, key: nil)
        let runStart = try #require(entries.lastIndex { $0.transactionID == "t1" })
        return entries[runStart...].map { Int($0.transactionID.dropFirst())! }
    }

    @Test func killDuringAppendsKeepsEveryAcknowledgedRecord() throws {
        let directory = try ScratchDirectory("idgate-crash")
        defer { directory.remove() }
        let keyFile = directory.appending("audit.key")
        try AuditKey.generate(at: keyFile)
        let auditDirectory = directory.appending("audit")
        let subject = "079203001122"
        for round in 1...2 {
            let acknowledged = try Self.appendUntilKilled(
                directory: auditDirectory, keyFile: keyFile, subject: subject, durability: "beforeResponse", atLeast: 3000 * round)
            let present = Set(try Self.recoverAndVerify(directory: auditDirectory, keyFile: keyFile, subject: subject))
            let missing = (1...acknowledged).filter { !present.contains($0) }
            #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(10))")
        }
    }

    @Test func killInAsyncModeLosesOnlyATail() throws {
        let directory = try ScratchDirectory("idgate-crash-async")
        defer { directory.remove() }
        let keyFile = directory.appending("audit.key")
        try AuditKey.generate(at: keyFile)
        let auditDirectory = directory.appending("audit")
        let subject = "001085012345"
        _ = try Self.appendUntilKilled(
            directory: auditDirectory, keyFile: keyFile, subject: subject, durability: "async", atLeast: 5000, pauseMicros: 2000)
        let present = try Self.recoverAndVerify(directory: auditDirectory, keyFile: keyFile, subject: subject)
        // Whatever was lost is the newest records only: the survivors are exactly t1…tN, in order.
        #expect(!present.isEmpty)
        #expect(present == Array(1...present.count))
    }

    @Test func verifyCommandNamesTheTamperedRecordAndFails() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try AuditFixture.makeLog(in: directory.url, count: 40)
        let clean = try IDGateCLI.run(["audit", "verify", directory.url.path])
        #expect(clean.status == 0, "\(clean.output)")
        #expect(clean.output.contains("40 record(s)"))

        let segment = try AuditDirectory.segmentURLs(in: directory.url)[1]
        let frame = try AuditSegmentScan(url: segment).frames[3]
        var data = try Data(contentsOf: segment)
        data[frame.offset + 30] ^= 0x40
        try data.write(to: segment)
        let tampered = try IDGateCLI.run(["audit", "verify", directory.url.path])
        #expect(tampered.status == 1)
        #expect(tampered.output.contains("segment 2 record 3: editedRecord"), "\(tampered.output)")
    }

    @Test func queryCommandFindsBySubjectWithoutPrintingIt() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let keyFile = directory.appending("audit.key")
        try Data(Data(repeating: 7, count: 32).base64EncodedString().utf8).write(to: keyFile)
        let auditDirectory = directory.appending("audit")
        try AuditFixture.makeLog(in: auditDirectory, count: 9)
        let result = try IDGateCLI.run([
            "audit", "query", auditDirectory.path, "--key-file", keyFile.path, "--subject", AuditFixture.subjects[0],
            "--client", "bank-a",
        ])
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.contains(#""transactionId":"tx-"#) })
        #expect(!result.output.contains(AuditFixture.subjects[0]))
    }
}
