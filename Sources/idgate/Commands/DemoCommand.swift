import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateFleet
import IDGateGateway
import IDGateStore
import IDGateWire

/// `idgate demo …`: a self-contained demo folder.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create demo data.",
        subcommands: [DemoInitCommand.self]
    )
}

/// `idgate demo init`: everything the demo needs in one folder (see the demo folder layout).
struct DemoInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a demo folder: registry, registry sample, test PKI and chip cards, TLS, clients, config.",
        discussion: "Then: idgate serve --demo DIR. Credentials of the demo clients: DIR/credentials.json."
    )

    @Option(help: "The demo folder (created if needed).")
    var dir: String

    @Option(help: "Number of generated residents.")
    var residents: Int = 100_000

    @Option(help: "Random seed for the generated data.")
    var seed: UInt64 = 1

    @Flag(help: """
        Also load the generated residents, documents, organizations and foreign residents into the registry of \
        record in PostgreSQL (replacing it; credentials from IDGATE_POSTGRES_URL, docs/FLEET.md), for nodes that \
        run `idgate serve --follow`.
        """)
    var postgres = false

    func validate() throws {
        guard residents > 0 else { throw ValidationError("--residents must be positive") }
    }

    func run() async throws {
        let display = ProgressDisplay(label: "demo registry")
        let summary = try RegistryDemo.buildRegistry(directory: dir, residents: residents, seed: seed) { display.update($0) }
        display.finish()
        let layout = DemoLayout(path: dir)
        print("registry: \(summary.imported) residents in \(layout.registry.path), sample in \(layout.sample.path)")
        try GatewayDemo.build(directory: layout.root)
        print("pki, cards, tls, clients: \(layout.pki.path), \(layout.url(DemoLayout.Relative.cards).path), \(layout.tls.path), \(layout.clients.path), \(layout.credentials.path)")
        if postgres {
            let registry = PostgresRegistry(source: try PostgresSource.fromEnvironment())
            let summary = try await registry.load(
                ResidentGenerator(seed: seed).prefix(residents), kinds: RegistryDemo.kinds(residents: residents, seed: seed),
                replace: true)
            print(
                "registry of record (PostgreSQL): \(summary.residents) residents, \(summary.kinds.documents) documents, "
                    + "\(summary.kinds.organizations) organizations, \(summary.kinds.foreigners) foreign residents "
                    + "(origin \(summary.origin))")
        }
        print("serve it: idgate serve --demo \(dir)")
    }
}
