import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateGateway
import IDGateMatching
import IDGateStore
import IDGateWire

/// `idgate match FILE --db DIR --out FILE`: offline batch matching for registry-side cleansing jobs.
struct MatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Match every line of an NDJSON or CSV file against the registry (offline cleansing).",
        discussion: """
            Input lines are match requests (API.md attribute names; CSV with those names as the header). The output \
            has one answer per input line, in order: the API's match response (NDJSON) or a CSV row \
            `line,ref,decision,error,<attribute>...,record,card` with cells `result:score:reasons`. A summary \
            (counts by decision, reason and error) is printed to standard error, and written as JSON with --summary.
            """)

    @Argument(help: "Input file (.csv for CSV, otherwise NDJSON).")
    var file: String

    @Option(name: .long, help: "Registry store directory.")
    var db: String

    @Option(name: .long, help: "Output file (.csv for CSV, otherwise NDJSON).")
    var out: String

    @Option(name: .long, help: "Write the summary as JSON to this file.")
    var summary: String?

    @Option(name: .long, help: "Worker threads (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        let store: RegistryStore
        do { store = try RegistryStore.open(directory: db) } catch { throw ValidationError("\(error)") }
        let matcher = OfflineMatcher(store: store, threads: threads)
        let isTerminal = isatty(STDERR_FILENO) == 1
        let result = try matcher.run(
            input: file, inputFormat: .of(path: file), output: out, outputFormat: .of(path: out)
        ) { lines, fraction in
            let line = "match: \(lines) lines, \(Int(fraction * 100))%"
            FileHandle.standardError.write(Data(((isTerminal ? "\r" : "") + line + (isTerminal ? "" : "\n")).utf8))
        }
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(result)
        FileHandle.standardError.write(json + Data("\n".utf8))
        if let summary { try json.write(to: URL(fileURLWithPath: summary)) }
    }
}
