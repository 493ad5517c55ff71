import ArgumentParser
import IDGateStore

/// `idgate gen foreigners`: deterministic synthetic foreign residents as NDJSON (for `idgate import --foreigners`).
struct GenForeignersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "foreigners",
        abstract: "Generate synthetic foreign residents (NDJSON, deterministic for a seed)."
    )

    @Option(help: "Number of foreign residents.")
    var count: Int

    @Option(help: "Random seed: the same seed gives the same records.")
    var seed: UInt64 = 1

    @Option(help: "Output file ('-' for standard output).")
    var out: String

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must not be negative") }
    }

    func run() throws {
        let output = try OutputFile(path: out)
        var buffer: [UInt8] = []
        for record in ForeignerGenerator(seed: seed).prefix(count) {
            ForeignerCodec.appendNDJSON(record, to: &buffer)
            if buffer.count >= OutputFile.flushThreshold { try output.write(&buffer) }
        }
        try output.write(&buffer)
        try output.close()
    }
}
