import ArgumentParser
import Foundation
import IDGateAudit
import IDGateStore

extension AuditCommand {
    /// Times access-history lookups on an audit directory's subject index (docs/AUDIT.md, "Subject index"): the
    /// first page, and the subject's whole history page by page, each repeated, with percentiles.
    struct HistoryBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history-bench", abstract: "Time access-history lookups on a subject index.", shouldDisplay: false)

        @Argument var directory: String
        @Option var keyFile: String
        @Option(help: "The subject whose history is read.") var subject: String = "001085012345"
        @Option(help: "Entries per page.") var limit: Int = 50
        @Option(help: "Lookups timed (each: one page, or the whole history with --all-pages).") var iterations: Int = 2000
        @Flag(help: "Time reading the whole history, page by page, instead of the first page.") var allPages = false

        func run() throws {
            let key = try AuditKey.load(from: URL(fileURLWithPath: keyFile))
            let history = try AuditHistory.open(directory: URL(fileURLWithPath: directory), key: key)
            let notBefore = Date().addingTimeInterval(-365 * 86_400)
            var samples: [Double] = []
            samples.reserveCapacity(iterations)
            var entries = 0
            for _ in 0..<iterations {
                let start = ContinuousClock.now
                var cursor: String? = nil
                entries = 0
                repeat {
                    guard case .success(let page) = history.page(idNumber: subject, cursor: cursor, limit: limit, notBefore: notBefore)
                    else { throw ValidationError("lookup failed") }
                    entries += page.entries.count
                    cursor = allPages ? page.cursor : nil
                } while cursor != nil
                let elapsed = ContinuousClock.now - start
                samples.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
            }
            samples.sort()
            func percentile(_ p: Double) -> String {
                String(format: "%.3f", samples[min(samples.count - 1, Int(Double(samples.count) * p))])
            }
            print("indexed through sequence \(history.indexedSequence); \(entries) entries per lookup (limit \(limit)\(allPages ? ", all pages" : ", first page"))")
            print("ms: p50 \(percentile(0.5)) p90 \(percentile(0.9)) p99 \(percentile(0.99)) max \(String(format: "%.3f", samples.last ?? 0)) over \(iterations) lookups")
        }
    }
}
