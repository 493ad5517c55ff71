import Foundation
import IDGateCore
import IDGateMatching
import IDGateStore
import Synchronization

/// `idgate match FILE --db DIR --out FILE`: the batch matching of the API, run next to the registry for cleansing
/// jobs (millions of rows), with the same engine, parser and answers.
///
/// The input is memory-mapped and split into line-aligned shards, one per thread; each thread has its own registry
/// reader and responder and writes its answers to a shard file; the shards are concatenated in order, so the output
/// has one answer per input line in input order.
public struct OfflineMatcher: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case ndjson, csv

        /// By file extension: `.csv` is CSV, anything else NDJSON.
        public static func of(path: String) -> Format { path.lowercased().hasSuffix(".csv") ? .csv : .ndjson }
    }

    public var store: RegistryStore
    public var engine: MatchEngine
    public var threads: Int

    public init(store: RegistryStore, engine: MatchEngine = MatchEngine(), threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.store = store
        self.engine = engine
        self.threads = max(1, threads)
    }

    /// Counts by decision, by reason and by error code.
    public struct Summary: Sendable, Encodable {
        public var lines = 0
        public var decisions: [String: Int] = [:]
        public var reasons: [String: Int] = [:]
        public var errors: [String: Int] = [:]
        public var seconds = 0.0
        public var linesPerSecond: Double { seconds > 0 ? Double(lines) / seconds : 0 }

        mutating func merge(_ other: Summary) {
            lines += other.lines
            decisions.merge(other.decisions, uniquingKeysWith: +)
            reasons.merge(other.reasons, uniquingKeysWith: +)
            errors.merge(other.errors, uniquingKeysWith: +)
        }

        private enum CodingKeys: String, CodingKey { case lines, decisions, reasons, errors, seconds, linesPerSecond }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lines, forKey: .lines)
            try c.encode(decisions, forKey: .decisions)
            try c.encode(reasons, forKey: .reasons)
            try c.encode(errors, forKey: .errors)
            try c.encode(seconds, forKey: .seconds)
            try c.encode(linesPerSecond, forKey: .linesPerSecond)
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Matches every line of `input` into `output`. `progress` is called about once a second with lines done and
    /// the input's byte progress (0...1).
    public func run(
        input: String, inputFormat: Format, output: String, outputFormat: Format,
        progress: @escaping @Sendable (_ lines: Int, _ fraction: Double) -> Void = { _, _ in }
    ) throws -> Summary {
        let started = Date()
        let file: MappedFile
        do { file = try MappedFile(path: input) } catch { throw Failure(description: "\(error)") }
        var columns: [RequestField?] = []
        var bodyStart = 0
        if inputFormat == .csv {
            bodyStart = file.endOfFirstLine()
            columns = try Self.csvColumns(UnsafeRawBufferPointer(rebasing: file.bytes[0..<bodyStart]))
        }
        let shards = file.lineAlignedShards(from: bodyStart, count: threads)
        let shardPaths = shards.indices.map { "\(output).part\($0)" }
        let done = Atomic<Int>(0)
        let bytesDone = Atomic<Int>(0)
        let results = Mutex<[Int: Result<Summary, Failure>]>([:])
        let lineOffsets = Self.firstLineNumbers(file: file, shards: shards, bodyStart: bodyStart, csv: inputFormat == .csv)
        let group = DispatchGroup()
        for (index, shard) in shards.enumerated() {
            group.enter()
            let worker = ShardWorker(
                store: store, engine: engine, columns: columns, inputFormat: inputFormat, outputFormat: outputFormat)
            Thread.detachNewThread {
                let result = Result { () throws(Failure) -> Summary in
                    try worker.run(
                        file: file, range: shard, firstLine: lineOffsets[index], outputPath: shardPaths[index],
                        done: done, bytesDone: bytesDone)
                }
                results.withLock { $0[index] = result }
                group.leave()
            }
        }
        let total = max(1, file.bytes.count - bodyStart)
        while group.wait(timeout: .now() + 1) == .timedOut {
            progress(done.load(ordering: .relaxed), Double(bytesDone.load(ordering: .relaxed)) / Double(total))
        }
        progress(done.load(ordering: .relaxed), 1)
        var summary = Summary()
        for index in shards.indices {
            switch results.withLock({ $0[index] })! {
            case .success(let part): summary.merge(part)
            case .failure(let failure):
                shardPaths.forEach { try? FileManager.default.removeItem(atPath: $0) }
                throw failure
            }
        }
        try Self.concatenate(shardPaths, header: outputFormat == .csv ? CSVAnswer.header : nil, into: output)
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// The CSV header names → request fields; an unknown column is an error naming it.
    static func csvColumns(_ header: UnsafeRawBufferPointer) throws(Failure) -> [RequestField?] {
        var columns: [RequestField?] = []
        var unknown: String?
        var line = header
        while let last = line.last, last == 0x0A || last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        CSVLine.forEachField(line) { name in
            if let field = RequestField(wireName: name) {
                columns.append(field)
            } else if unknown == nil {
                unknown = String(decoding: name, as: UTF8.self)
            }
        }
        if let unknown { throw Failure(description: "unknown CSV column \(unknown) (expected match request attribute names)") }
        guard columns.contains(.idNumber) || (columns.contains(.passportNumber) && columns.contains(.nationality)) else {
            throw Failure(description: "the CSV header has no idNumber column (nor passportNumber and nationality)")
        }
        return columns
    }

    /// The 1-based input line number each shard starts at (counting the CSV header as line 1).
    static func firstLineNumbers(file: MappedFile, shards: [Range<Int>], bodyStart: Int, csv: Bool) -> [Int] {
        var numbers: [Int] = []
        var line = csv ? 2 : 1
        for shard in shards {
            numbers.append(line)
            var iterator = LineIterator(file.bytes, range: shard)
            while iterator.next() != nil { line += 1 }
        }
        return numbers
    }

    /// Appends the shard files to `output` in order with `sendfile` (the kernel moves the bytes), then
    /// removes them.
    static func concatenate(_ parts: [String], header: String?, into output: String) throws {
        guard FileManager.default.createFile(atPath: output, contents: header.map { Data($0.utf8) }) else {
            throw Failure(description: "cannot create \(output)")
        }
        let destination = open(output, O_WRONLY | O_CLOEXEC)
        guard destination >= 0, lseek(destination, 0, SEEK_END) >= 0 else {
            throw Failure(description: "cannot open \(output): \(String(cString: strerror(errno)))")
        }
        defer { close(destination) }
        for part in parts {
            let source = open(part, O_RDONLY | O_CLOEXEC)
            guard source >= 0 else { throw Failure(description: "cannot open \(part): \(String(cString: strerror(errno)))") }
            defer {
                close(source)
                unlink(part)
            }
            while true {
                let copied = sendfile(destination, source, nil, 1 << 30)
                if copied == 0 { break }
                guard copied > 0 else {
                    throw Failure(description: "cannot append \(part) to \(output): \(String(cString: strerror(errno)))")
                }
            }
        }
    }
}
