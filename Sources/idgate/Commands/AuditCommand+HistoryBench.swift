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
        @Flag(help: "Cold lookups: before each, the index is closed and its file's pages dropped from the page cache (posix_fadvise DONTNEED), so every page the lookup touches, branch pages included, is read from disk.")
        var cold = false

        func run() throws {
            let key = try AuditKey.load(from: URL(fileURLWithPath: keyFile))
            let url = URL(fileURLWithPath: directory)
            var history: AuditHistory! = try AuditHistory.open(directory: url, key: key)
            let notBefore = Date().addingTimeInterval(-365 * 86_400)
            var samples: [Double] = []
            samples.reserveCapacity(iterations)
            var entries = 0
            for _ in 0..<iterations {
                if cold {
                    // The environment's map is gone before the drop: mapped pages would stay.
                    history = nil
                    try Self.dropFromPageCache(url.appendingPathComponent("subject-index/data.mdb").path)
                    history = try AuditHistory.open(directory: url, key: key)
                }
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
            print("indexed through sequence \(history.indexedSequence); \(entries) entries per lookup (limit \(limit)\(allPages ? ", all pages" : ", first page")\(cold ? ", cold" : ""))")
            print("ms: p50 \(percentile(0.5)) p90 \(percentile(0.9)) p99 \(percentile(0.99)) max \(String(format: "%.3f", samples.last ?? 0)) over \(iterations) lookups")
        }

        private static func dropFromPageCache(_ path: String) throws {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw ValidationError("cannot open \(path)") }
            defer { close(descriptor) }
            guard posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED) == 0 else { throw ValidationError("posix_fadvise failed on \(path)") }
        }
    }
}
