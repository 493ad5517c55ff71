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

    @Option(help: "The kind of record: residents (default), documents, organizations or foreigners (NDJSON only).")
    var kind: String = "residents"

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard kind == "residents" || RegistrySampleKinds.all[kind] != nil else {
            throw ValidationError("--kind must be one of \(RegistrySampleKinds.names)")
        }
        guard kind == "residents" || format == .ndjson else { throw ValidationError("--kind \(kind) is printed as NDJSON only") }
    }

    func run() throws {
        let output = try OutputFile(path: "-")
        var buffer: [UInt8] = []
        if let sampler = RegistrySampleKinds.all[kind] {
            buffer = sampler(try RegistryStore.open(directory: db), count)
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
