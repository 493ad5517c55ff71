import ArgumentParser
import Dispatch
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateGateway
import IDGateStore
import IDGateWire

extension AuditCommand {
    /// Appends synthetic records until killed, printing `acked N` once records 1…N are all acknowledged: the
    /// crash test SIGKILLs it and checks that every acknowledged record survived.
    struct AppendTest: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "append-test", shouldDisplay: false)

        @Argument var directory: String
        @Option var keyFile: String
        @Option var durability: String = "beforeResponse"
        @Option(help: "Records in flight per round.") var window: Int = 64
        @Option(help: "Stop after this many records (0: until killed).") var count: Int = 0
        @Option(help: "Subject ID number written (hashed) in every record.") var subject: String = "001085012345"
        @Option(help: "Pause between rounds, in microseconds (paces async mode below the writer's speed).")
        var pauseMicros: UInt32 = 0
        @Option(help: "Other subjects (0: every record is about --subject). With N > 0, records go to N generated subjects in turn, and every --subject-every-th record to --subject.")
        var otherSubjects: Int = 0
        @Option(help: "With --other-subjects: every this many records, one is about --subject.") var subjectEvery: Int = 1000
        @Flag(help: "Keep the subject index (DIR/subject-index) as the records are written.") var index = false
        @Option(help: "Node id written in the segments' headers (version 2).") var nodeId: String?
        @Option(help: "Rotate segments at this size.") var segmentBytes: Int = 256 << 10
        @Option(help: "Write the notification outbox to this file.") var outbox: String?

        func run() throws {
            guard let mode = AuditLogConfiguration.Durability(rawValue: durability) else {
                throw ValidationError("--durability beforeResponse|async")
            }
            let configuration = AuditLogConfiguration(
                directory: URL(fileURLWithPath: directory), key: try AuditKey.load(from: URL(fileURLWithPath: keyFile)),
                durability: mode, maxSegmentBytes: segmentBytes, minimumFreeBytes: 0)
            var adjusted = configuration
            adjusted.subjectIndex = index
            adjusted.nodeID = nodeId
            adjusted.outbox = outbox.map { AuditOutboxConfiguration(file: $0) }
            let log = try AuditLog(configuration: adjusted)
            let hotSubject = IDNumber(subject)
            let started = ContinuousClock.now
            for problem in log.startupReport.problems { print("startup: \(problem)") }
            var written = 0
            while count == 0 || written < count {
                let group = DispatchGroup()
                for offset in 1...window {
                    group.enter()
                    let number = written + offset
                    var record = AuditRecord(
                        clientID: "crash-test", purpose: "testing", operation: .match, transactionID: "t\(number)",
                        subjectIDNumber: subject, attributes: AttributeSet([.idNumber, .fullName]), decision: .match, status: 200, latencyMicros: 100)
                    if otherSubjects > 0, number % subjectEvery != 0 || hotSubject == nil {
                        // Province 001, then the record's subject number: distinct 12-digit numbers, hashed by the
                        // writer without a string made here.
                        record = AuditRecord(
                            clientID: "crash-test", purpose: "testing", operation: .match,
                            transaction: TransactionID(high: 0x0190_0000_0000_0000, low: UInt64(number)),
                            subject: IDNumber(unchecked: 1_000_000_000 + UInt64(number % otherSubjects)),
                            attributes: AttributeSet([.idNumber, .fullName]), decision: .match, status: 200, latencyMicros: 100)
                    }
                    log.append(record) { result in
                        if case .failure(let error) = result {
                            // In async mode the appends outrun the writer until its queue is full.
                            FileHandle.standardError.write(Data(
                                "append failed after \(number) records: \(error) (async mode outran the writer: pace it with --pause-micros)\n".utf8))
                            Foundation.exit(1)
                        }
                        group.leave()
                    }
                }
                group.wait()
                written += window
                print("acked \(written)")
                fflush(nil)
                if pauseMicros > 0 { usleep(pauseMicros) }
                // Let the index follow: its queue is in memory.
                while let history = log.history, log.head.sequence > history.indexedSequence + 2_000_000 { usleep(10_000) }
            }
            log.close()
            let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
                + Double((ContinuousClock.now - started).components.seconds)
            print("wrote \(written) records in \(String(format: "%.2f", seconds)) s (\(Int(Double(written) / seconds)) records/s, index \(index ? "on" : "off"))")
        }
    }
}
