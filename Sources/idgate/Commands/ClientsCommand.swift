import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateGateway
import IDGateWire

/// `idgate clients`: manage the client registry file (docs/CLIENTS.md). A running gateway picks up changes on
/// SIGHUP or when the file changes.
struct ClientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients",
        abstract: "Manage relying parties in clients.json.",
        subcommands: [Add.self, List.self, RotateKey.self, Disable.self]
    )

    /// The registry file every subcommand works on.
    struct FileOption: ParsableArguments {
        @Option(name: .long, help: "The client registry file (clients.json).")
        var file: String

        var url: URL { URL(fileURLWithPath: file) }

        func load() throws -> ClientRegistryFile { try ClientRegistryFile.load(from: url) }
    }
}

/// Durations like `90`, `30s`, `15m`, `24h`, `7d` (seconds when no unit).
struct DurationArgument: ExpressibleByArgument {
    let seconds: TimeInterval

    init?(argument: String) {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let last = argument.last, let unit = units[last], let value = TimeInterval(argument.dropLast()) {
            seconds = value * unit
        } else if let value = TimeInterval(argument) {
            seconds = value
        } else {
            return nil
        }
        guard seconds >= 0, seconds.isFinite else { return nil }
    }
}

extension ClientOperation: ExpressibleByArgument {}
extension ClientKind: ExpressibleByArgument {}
