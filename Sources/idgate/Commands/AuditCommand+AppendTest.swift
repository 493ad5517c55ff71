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

        func run() throws {
            guard let mode = AuditLogConfiguration.Durability(rawValue: durability) else {
                throw ValidationError("--durability beforeResponse|async")
            }
            let configuration = AuditLogConfiguration(
                directory: URL(fileURLWithPath: directory), key: try AuditKey.load(from: URL(fileURLWithPath: keyFile)),
                durability: mode, maxSegmentBytes: 256 << 10, minimumFreeBytes: 0)
            let log = try AuditLog(configuration: configuration)
            for problem in log.startupReport.problems { print("startup: \(problem)") }
            var written = 0
            while count == 0 || written < count {
                let group = DispatchGroup()
                for offset in 1...window {
                    group.enter()
                    let record = AuditRecord(
                        clientID: "crash-test", purpose: "testing", operation: .match, transactionID: "t\(written + offset)",
                        subjectIDNumber: subject, attributes: AttributeSet([.idNumber, .fullName]), decision: .match, status: 200, latencyMicros: 100)
                    log.append(record) { result in
                        if case .failure(let error) = result { fatalError("append failed: \(error)") }
                        group.leave()
                    }
                }
                group.wait()
                written += window
                print("acked \(written)")
                fflush(nil)
                if pauseMicros > 0 { usleep(pauseMicros) }
            }
            log.close()
        }
    }
}
