import ArgumentParser

/// `idgate-load`: the HTTP/2 load generator for certifying a gateway.
@main
struct IDGateLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "idgate-load", abstract: "HTTP/2 load generator.")
}
