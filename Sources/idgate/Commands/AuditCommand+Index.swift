import ArgumentParser
import Dispatch
import Foundation
import IDGateAudit
import Synchronization

extension AuditCommand {
    /// Brings an audit directory's subject index up to date with the gateway stopped: a missing or damaged index is
    /// rebuilt from the segments in key order (docs/AUDIT.md, "Rebuilt from the segments"), which is what the
    /// gateway would do at its next start, but timed and reported.
    struct Index: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "index",
            abstract: "Build or catch up the subject index of an audit directory (gateway stopped).")

        @Argument(help: "The audit directory.") var directory: String
        @Option(help: "The audit key file (its subject key hashes nothing here; it opens the log).") var keyFile: String

        func run() throws {
            let url = URL(fileURLWithPath: directory)
            var configuration = AuditLogConfiguration(
                directory: url, key: try AuditKey.load(from: URL(fileURLWithPath: keyFile)), minimumFreeBytes: 0)
            configuration.subjectIndex = true
            configuration.indexStartListener = { start in
                if let reason = start.rebuildReason {
                    print("rebuilt the subject index from the segments (\(start.recordCount) records): \(reason)")
                } else {
                    print("caught up the subject index: \(start.recordCount) records added")
                }
            }
            let started = ContinuousClock.now
            let log = try AuditLog(configuration: configuration)
            defer { log.close() }
            for problem in log.startupReport.problems { print("startup: \(problem)") }
            guard let history = log.history else { throw ValidationError("the subject index did not open") }
            let done = DispatchSemaphore(value: 0)
            let outcome = Mutex<Result<Void, AuditError>?>(nil)
            history.whenCurrent(through: log.head.sequence) { result in
                outcome.withLock { $0 = result }
                done.signal()
            }
            done.wait()
            try outcome.withLock { $0 }!.get()
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            let indexBytes = (try? FileManager.default.attributesOfItem(
                atPath: url.appendingPathComponent("subject-index/data.mdb").path)[.size] as? Int) ?? 0
            print("subject index current through sequence \(history.indexedSequence) after \(String(format: "%.1f", seconds)) s; data.mdb \(indexBytes) bytes")
        }
    }
}
