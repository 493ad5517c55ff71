import Foundation
import IDGateCore
import IDGateWire

/// What a supervisor (the regulator, the data protection officer) asks of the audit log for a period: per client,
/// operation and purpose, how many requests, their decisions, the share of not_found answers, how many distinct
/// people were asked about, and how many requests were refused and why.
///
/// Built by reading the segments once, in log order, keeping only counters and the set of distinct subject hashes
/// per row (16 bytes each): memory grows with distinct subjects, not with records. No personal data: subjects are
/// counted by their keyed hash, never named.
///
/// Refusals are counted by HTTP status, as the record stores it (docs/AUDIT.md): 429 covers both `rate_limited` and
/// `subject_attempts_exceeded`, 403 both `forbidden` and `client_suspended`; the gateway's per-client metrics count
/// them by code.
public struct AuditReport: Sendable {
    /// One row's grouping.
    public struct Key: Hashable, Comparable, Sendable {
        public var client: String
        public var operation: String
        /// Empty when requests declared none.
        public var purpose: String

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.client, lhs.operation, lhs.purpose) < (rhs.client, rhs.operation, rhs.purpose)
        }
    }

    /// The counts of one (client, operation, purpose).
    public struct Row: Sendable {
        public var key: Key
        public var requests = 0
        /// Answers by decision name (`match`, `partial`, `mismatch`, `not_found`, `valid`, `invalid`).
        public var decisions: [String: Int] = [:]
        /// Requests about a subject with distinct keyed hashes.
        public var distinctSubjects = 0
        /// Refused requests (status other than 200) by status.
        public var refusals: [Int: Int] = [:]

        /// Answers with a match decision (match, partial, mismatch, not_found).
        public var matchAnswers: Int {
            ["match", "partial", "mismatch", "not_found"].reduce(0) { $0 + (decisions[$1] ?? 0) }
        }
        /// not_found among match answers, 0...1 (0 when there were none).
        public var notFoundRate: Double {
            matchAnswers == 0 ? 0 : Double(decisions["not_found"] ?? 0) / Double(matchAnswers)
        }
        public var refused: Int { refusals.values.reduce(0, +) }
    }

    /// The decision names reported, in column order.
    public static let decisionNames = ["match", "partial", "mismatch", "not_found", "valid", "invalid"]

    public var from: Date
    public var to: Date
    public var client: String?
    /// Sorted by client, operation, purpose.
    public var rows: [Row]
    /// Records read in the period (all clients when `client` is set: the report's own filter is counted after).
    public var recordsInPeriod: Int

    /// Reads every segment of `directory` and counts the records of [`from`, `to`] (of `client` when given).
    public static func build(directory: URL, from: Date, to: Date, client: String? = nil) throws -> AuditReport {
        guard from <= to else { throw AuditReportError("the period's start (\(AuditTime.format(from))) is after its end (\(AuditTime.format(to)))") }
        struct Accumulator {
            var row: Row
            var subjects: Set<SubjectPrefix> = []
        }
        var accumulators: [Key: Accumulator] = [:]
        var inPeriod = 0
        for url in try AuditDirectory.segmentURLs(in: directory) {
            for frame in try AuditSegmentScan(url: url).frames {
                guard let entry = frame.entry, entry.time >= from, entry.time <= to else { continue }
                inPeriod += 1
                if let client, entry.clientID != client { continue }
                let key = Key(
                    client: entry.clientID, operation: entry.operation?.rawValue ?? "unknown", purpose: entry.purpose ?? "")
                var accumulator = accumulators[key] ?? Accumulator(row: Row(key: key))
                accumulator.row.requests += 1
                if let decision = entry.decision, decision != .none {
                    accumulator.row.decisions[decision.name, default: 0] += 1
                }
                if entry.status != 200 { accumulator.row.refusals[Int(entry.status), default: 0] += 1 }
                if let hash = entry.subjectHash { accumulator.subjects.insert(SubjectPrefix(hash)) }
                accumulators[key] = accumulator
            }
        }
        let rows = accumulators.values.map { accumulator -> Row in
            var row = accumulator.row
            row.distinctSubjects = accumulator.subjects.count
            return row
        }.sorted { $0.key < $1.key }
        return AuditReport(from: from, to: to, client: client, rows: rows, recordsInPeriod: inPeriod)
    }

    /// The first 16 bytes of a subject's keyed hash: enough to tell subjects apart (collisions at 2^64), half the
    /// memory of the whole hash.
    private struct SubjectPrefix: Hashable {
        let high: UInt64
        let low: UInt64

        init(_ hash: [UInt8]) {
            var high: UInt64 = 0
            var low: UInt64 = 0
            for index in 0..<8 { high = high << 8 | UInt64(hash[index]) }
            for index in 8..<16 { low = low << 8 | UInt64(hash[index]) }
            self.high = high
            self.low = low
        }
    }

    /// Rows summed per client (operation and purpose `*`); distinct subjects are not summed (a subject asked about
    /// under two purposes would count twice) and are left out.
    public var clientTotals: [Row] {
        var totals: [String: Row] = [:]
        for row in rows {
            var total = totals[row.key.client] ?? Row(key: Key(client: row.key.client, operation: "*", purpose: "*"))
            total.requests += row.requests
            for (name, count) in row.decisions { total.decisions[name, default: 0] += count }
            for (status, count) in row.refusals { total.refusals[status, default: 0] += count }
            totals[row.key.client] = total
        }
        return totals.values.sorted { $0.key < $1.key }
    }

    /// `401:2;429:7`: refusals by status, ascending.
    static func refusalText(_ refusals: [Int: Int]) -> String {
        refusals.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ";")
    }

    /// The rate with four decimals (`0.1250`): reports compare as text.
    static func rateText(_ rate: Double) -> String { String(format: "%.4f", rate) }
}

/// A report that cannot be made as asked (e.g. a period ending before it starts).
public struct AuditReportError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
