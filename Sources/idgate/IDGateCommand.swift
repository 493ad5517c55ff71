import ArgumentParser
import IDGateAudit
import IDGateDemo
import IDGateWire

/// The `idgate` command: serving, data operations and offline checks, each a thin subcommand over the modules.
@main
struct IDGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idgate",
        abstract: "High-throughput identity verification gateway.",
        subcommands: [
            ServeCommand.self, DemoCommand.self, GenCommand.self, ImportCommand.self, UpdateCommand.self,
            StatsCommand.self, RegistryCommand.self, MatchCommand.self, ChipCommand.self, ClientsCommand.self,
            AuditCommand.self,
        ]
    )
}
