import ArgumentParser

/// `idgate chip ...`: offline chip-card checks. Until the `gen` group exists, the test PKI and card generators are
/// registered here too (`idgate chip pki`, `idgate chip card`); the integrator moves them under `idgate gen`.
struct ChipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chip",
        abstract: "Chip-card (ICAO 9303) checks.",
        subcommands: [ChipVerifyCommand.self, GenPKICommand.self, GenCardCommand.self]
    )
}
