import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateStore
import IDGateWire

/// `idgate gen residents`: deterministic synthetic Vietnamese residents as NDJSON or CSV.
struct GenResidentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "residents",
        abstract: "Generate realistic synthetic residents (deterministic for a seed)."
    )

    @Option(help: "Number of residents.")
    var count: Int

    @Option(help: "Random seed: the same seed gives the same residents.")
    var seed: UInt64 = 1

    @Option(help: "Output file ('-' for standard output).")
    var out: String

    @Option(help: "ndjson or csv (default: from the file extension, else ndjson).")
    var format: ResidentFileFormat?

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must not be negative") }
    }

    func run() throws {
        let format = format ?? (out.lowercased().hasSuffix(".csv") ? .csv : .ndjson)
        let output = try OutputFile(path: out)
        let display = ProgressDisplay(label: "gen")
        let started = ContinuousClock.now
        var buffer: [UInt8] = []
        buffer.reserveCapacity(OutputFile.flushThreshold + 4096)
        if format == .csv { buffer.append(contentsOf: (ResidentCodec.csvHeader + "\n").utf8) }
        var written = 0
        for record in ResidentGenerator(seed: seed).prefix(count) {
            switch format {
            case .ndjson: ResidentCodec.appendNDJSON(record, to: &buffer)
            case .csv: ResidentCodec.appendCSV(record, to: &buffer)
            }
            written += 1
            if buffer.count >= OutputFile.flushThreshold {
                try output.write(&buffer)
                let elapsed = ContinuousClock.now - started
                display.update(
                    phase: "writing", done: written, fraction: Double(written) / Double(count),
                    elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
        }
        try output.write(&buffer)
        try output.close()
        display.finish()
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        ProgressDisplay.write(
            "generated \(written) residents (\(format.rawValue)) in \(String(format: "%.1f", seconds)) s"
                + " (\(ProgressDisplay.count(Int(Double(written) / max(seconds, 0.001))))/s) → \(out)\n")
    }
}

extension ResidentFileFormat: ExpressibleByArgument {}
