import ArgumentParser
import Foundation
import IDGateStore

/// `idgate gen documents` / `idgate gen organizations`: deterministic documents or organizations for the residents
/// `idgate gen residents --count N --seed S` writes (same N and seed), as NDJSON for `idgate import --documents` /
/// `--organizations`.
struct GenDocumentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "documents",
        abstract: "Generate documents held by the residents `gen residents` writes for the same count and seed."
    )

    @Option(help: "Number of residents (as given to gen residents).")
    var residents: Int

    @Option(help: "Random seed (as given to gen residents).")
    var seed: UInt64 = 1

    @Option(help: "Output file ('-' for standard output).")
    var out: String

    func run() throws {
        var generator = KindGenerator(seed: seed)
        var buffer: [UInt8] = []
        for record in generator.documents(for: ResidentGenerator(seed: seed).prefix(residents)) {
            DocumentCodec.appendNDJSON(record, to: &buffer)
        }
        let output = try OutputFile(path: out)
        try output.write(&buffer)
        try output.close()
    }
}

struct GenOrganizationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organizations",
        abstract: "Generate organizations whose representatives are the residents `gen residents` writes."
    )

    @Option(help: "Number of organizations.")
    var count: Int

    @Option(help: "Number of residents (as given to gen residents).")
    var residents: Int

    @Option(help: "Random seed (as given to gen residents).")
    var seed: UInt64 = 1

    @Option(help: "Output file ('-' for standard output).")
    var out: String

    func run() throws {
        var generator = KindGenerator(seed: seed)
        // The document pass comes first in `demo init`; running it keeps both commands' streams identical to it.
        _ = generator.documents(for: ResidentGenerator(seed: seed).prefix(residents))
        var buffer: [UInt8] = []
        for record in generator.organizations(count: count, residents: ResidentGenerator(seed: seed).prefix(residents)) {
            OrganizationCodec.appendNDJSON(record, to: &buffer)
        }
        let output = try OutputFile(path: out)
        try output.write(&buffer)
        try output.close()
    }
}
