import ArgumentParser
import IDGateAudit
import IDGateDemo
import IDGateWire

/// `idgate gen …`: synthetic data for demos, tests and benchmarks.
struct GenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen",
        abstract: "Generate synthetic data.",
        subcommands: [
            GenResidentsCommand.self, GenPKICommand.self, GenCardCommand.self, GenCardsCommand.self, GenDocumentsCommand.self,
            GenOrganizationsCommand.self, GenForeignersCommand.self,
        ]
    )
}
