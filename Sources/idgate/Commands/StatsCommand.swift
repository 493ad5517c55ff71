import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateStore
import IDGateWire

/// `idgate stats`: what a registry holds.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show a registry's counts per kind, sizes, sequence number and schema version."
    )

    @Option(help: "The registry directory.")
    var db: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let stats = try RegistryStore.open(directory: db).stats()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(stats), as: UTF8.self))
            return
        }
        func mebibytes(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        print("""
            registry          \(stats.directory) (\(stats.generation))
            schema version    \(stats.schemaVersion)
            sequence          \(stats.sequence)
            residents         \(stats.residents)
            documents         \(stats.documents)
            organizations     \(stats.organizations)
            foreign residents \(stats.foreigners)
            phone index       \(stats.phoneIndexEntries) entries
            legacy ID index   \(stats.legacyIndexEntries) entries
            data file         \(mebibytes(stats.dataFileBytes)) (\(mebibytes(stats.usedBytes)) in use)
            B-tree depth      \(stats.residentsTreeDepth), page size \(stats.pageSize)
            """)
    }
}
