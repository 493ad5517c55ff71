import ArgumentParser
import Foundation
import IDGateAudit
import IDGateChip
import IDGateDemo
import IDGateWire

/// `idgate chip verify`: passive authentication of an EF.SOD and data groups against a trust store, and captured
/// Active Authentication evidence (API.md). The checks live in IDGateChip; this command only reads its options.
struct ChipVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify EF.SOD and data groups (passive authentication) and Active Authentication evidence.",
        discussion: """
            Active Authentication is checked when --aa-challenge and --aa-signature are given, with the key from \
            --dg 15=FILE (tied to the SOD when --sod is given) or --aa-public-key. \
            Exit status: 0 when every check made is valid, 2 when one is invalid, 64 for bad arguments.
            """
    )

    @Option(help: "EF.SOD file (with its 0x77 wrapper); optional when only Active Authentication is checked.")
    var sod: String?

    @Option(name: .customLong("dg"), help: "A data group as N=FILE (the whole EF.DGn file); repeatable.")
    var dataGroups: [String] = []

    @Option(help: "Trust path: PEM bundle, DER certificate, CRL, directory, or ICAO master list (.ml); repeatable.")
    var trust: [String] = []

    @Option(help: "Judge certificate validity at this RFC 3339 time instead of now.")
    var at: String?

    @Option(name: .customLong("aa-public-key"), help: "Active Authentication public key: SubjectPublicKeyInfo DER file.")
    var aaPublicKey: String?

    @Option(name: .customLong("aa-challenge"), help: "The challenge the chip signed, hex.")
    var aaChallenge: String?

    @Option(name: .customLong("aa-signature"), help: "The chip's Active Authentication signature, hex.")
    var aaSignature: String?

    @Flag(help: "Print the passiveAuth JSON object (with sodDataGroupHashes, and activeAuth when checked).")
    var json = false

    func run() throws {
        var files: [Int: [UInt8]] = [:]
        for argument in dataGroups {
            let parts = argument.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let number = Int(parts[0]) else {
                throw ValidationError("--dg expects N=FILE, got \(argument)")
            }
            files[number] = try Self.read(String(parts[1]))
        }
        let check = OfflineChipCheck(
            sod: try sod.map(Self.read), dataGroups: files, activeAuthPublicKey: try aaPublicKey.map(Self.read),
            activeAuthResponse: try activeAuthInput())
        do {
            try check.validate()
        } catch {
            throw ValidationError(error.description)
        }
        var time: Date? = nil
        if let at {
            guard let parsed = Self.parseRFC3339(at) else { throw ValidationError("--at is not an RFC 3339 time: \(at)") }
            time = parsed
        }
        let trustStore: TrustStore
        do {
            trustStore = try TrustStore(paths: check.sod == nil ? [] : trust)
        } catch {
            throw ValidationError("\(error)")
        }
        let report: OfflineChipReport
        do {
            report = try check.run(trustStore: trustStore, at: time)
        } catch {
            throw ValidationError(error.description)
        }
        if json {
            print(report.jsonString())
        } else {
            if let passive = report.verification?.passiveAuth {
                print("passive authentication: \(passive.result.rawValue)")
                print("  signature: \(passive.signature.rawValue)   chain: \(passive.chain.rawValue)")
                if let signer = passive.documentSigner {
                    print("  document signer: \(signer.subject) (serial \(signer.serialNumber))")
                }
                for number in passive.dataGroups.keys.sorted() { print("  DG\(number): \(passive.dataGroups[number]!.rawValue)") }
                for error in passive.errors { print("  error: \(error)") }
                for warning in passive.warnings + trustStore.loadWarnings { print("  warning: \(warning)") }
            }
            if let active = report.activeAuth {
                print("active authentication: \(active.result.rawValue)" + (active.reason.map { " (\($0))" } ?? ""))
            }
        }
        if !report.isValid { throw ExitCode(2) }
    }

    /// The challenge and signature, when Active Authentication is to be checked.
    private func activeAuthInput() throws -> ActiveAuthInput? {
        switch (aaChallenge, aaSignature) {
        case (nil, nil): return nil
        case (let challenge?, let signature?):
            guard let input = ActiveAuthInput(challengeHex: challenge, signatureHex: signature) else {
                throw ValidationError("--aa-challenge and --aa-signature must be hex bytes")
            }
            return input
        default: throw ValidationError("--aa-challenge and --aa-signature go together")
        }
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        return [UInt8](data)
    }

    static func parseRFC3339(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
