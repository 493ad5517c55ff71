import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateGateway
import IDGateWire

extension ClientsCommand {
    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a client: all its credentials are refused (401) after the next reload.")

        @OptionGroup var registry: FileOption
        @Option(help: "Client id.") var id: String
        @Flag(help: "Enable the client again instead.") var enable = false

        func run() throws {
            var file = try registry.load()
            try file.setEnabled(enable, clientID: id)
            try file.save(to: registry.url)
            print("\(enable ? "enabled" : "disabled") client \(id)")
        }
    }
}
