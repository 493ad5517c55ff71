import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateGateway
import IDGateWire

extension ClientsCommand {
    struct RotateKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Issue a new API key; old keys stay valid for --grace (0 revokes them now).")

        @OptionGroup var registry: FileOption
        @Option(help: "Client id.") var id: String
        @Option(help: "How long existing keys stay valid: 30m, 24h, 7d, 0.") var grace: DurationArgument = DurationArgument(argument: "24h")!

        func run() throws {
            var file = try registry.load()
            let key = try file.rotateKey(clientID: id, grace: grace.seconds)
            try file.save(to: registry.url)
            print("new API key for \(id) (shown once, store it now): \(key)")
        }
    }
}
