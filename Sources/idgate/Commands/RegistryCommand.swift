import ArgumentParser
import IDGateAudit
import IDGateDemo
import IDGateStore
import IDGateWire

/// `idgate registry …`: operator tools over a registry (never exposed over the network).
struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Operator tools for a registry.",
        subcommands: [RegistrySampleCommand.self]
    )
}

/// `idgate registry sample`: stored records in the import/match attribute names, for building test traffic.
struct RegistrySampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Print N stored records (spread over the registry) as NDJSON, in the attribute names import reads."
    )

    @Option(help: "The registry directory.")
    var db: String

    @Option(help: "Number of records.")
    var count: Int

    @Option(help: "ndjson or csv.")
    var format: ResidentFileFormat = .ndjson

    @Option(help: "What to sample: residents (default) or foreigners (NDJSON only).")
    var kind: RegistrySampleKind = .residents

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
    }

    func run() throws {
        let output = try OutputFile(path: "-")
        var buffer: [UInt8] = []
        if kind == .foreigners {
            guard format == .ndjson else { throw ValidationError("--kind foreigners prints NDJSON only") }
            for record in try RegistryStore.open(directory: db).sampleForeigners(count: count) {
                ForeignerCodec.appendNDJSON(record, to: &buffer)
            }
            try output.write(&buffer)
            return
        }
        if format == .csv { buffer.append(contentsOf: (ResidentCodec.csvHeader + "\n").utf8) }
        for record in try RegistryStore.open(directory: db).sample(count: count) {
            switch format {
            case .ndjson: ResidentCodec.appendNDJSON(record, to: &buffer)
            case .csv: ResidentCodec.appendCSV(record, to: &buffer)
            }
            if buffer.count >= OutputFile.flushThreshold { try output.write(&buffer) }
        }
        try output.write(&buffer)
    }
}

/// The kinds of record `idgate registry sample --kind` prints.
enum RegistrySampleKind: String, ExpressibleByArgument, CaseIterable {
    case residents, foreigners
}
