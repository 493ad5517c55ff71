import ArgumentParser
import IDGateAudit
import IDGateDemo
import IDGateWire

/// `idgate chip ...`: offline chip-card checks (`idgate gen pki` / `idgate gen card` make test cards).
struct ChipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chip",
        abstract: "Chip-card (ICAO 9303) checks.",
        subcommands: [ChipVerifyCommand.self]
    )
}
