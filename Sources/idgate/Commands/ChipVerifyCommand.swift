import ArgumentParser
import Foundation
import IDGateAudit
import IDGateChip
import IDGateDemo
import IDGateWire

/// `idgate chip verify`: passive authentication of an EF.SOD and data groups against a trust store (API.md).
struct ChipVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify EF.SOD and data groups (passive authentication).",
        discussion: "Exit status: 0 when passive authentication is valid, 2 when invalid, 64 for bad arguments."
    )

    @Option(help: "EF.SOD file (with its 0x77 wrapper).")
    var sod: String

    @Option(name: .customLong("dg"), help: "A data group as N=FILE (the whole EF.DGn file); repeatable.")
    var dataGroups: [String] = []

    @Option(help: "Trust path: PEM bundle, DER certificate, CRL, directory, or ICAO master list (.ml); repeatable.")
    var trust: [String] = []

    @Option(help: "Judge certificate validity at this RFC 3339 time instead of now.")
    var at: String?

    @Flag(help: "Print the passiveAuth JSON object (with sodDataGroupHashes).")
    var json = false

    func run() throws {
        let sodBytes = try Self.read(sod)
        var files: [Int: [UInt8]] = [:]
        for argument in dataGroups {
            let parts = argument.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let number = Int(parts[0]) else {
                throw ValidationError("--dg expects N=FILE, got \(argument)")
            }
            files[number] = try Self.read(String(parts[1]))
        }
        var time: Date? = nil
        if let at {
            guard let parsed = Self.parseRFC3339(at) else { throw ValidationError("--at is not an RFC 3339 time: \(at)") }
            time = parsed
        }
        let trustStore: TrustStore
        do {
            trustStore = try TrustStore(paths: trust)
        } catch {
            throw ValidationError("\(error)")
        }
        let result = ChipVerifier(trustStore: trustStore, cacheCapacity: 1)
            .verify(sod: sodBytes, dataGroups: files, at: time)
        let passive = result.passiveAuth
        if json {
            print(passive.jsonString(sodDataGroupHashes: result.sodDataGroupHashes))
        } else {
            print("passive authentication: \(passive.result.rawValue)")
            print("  signature: \(passive.signature.rawValue)   chain: \(passive.chain.rawValue)")
            if let signer = passive.documentSigner {
                print("  document signer: \(signer.subject) (serial \(signer.serialNumber))")
            }
            for number in passive.dataGroups.keys.sorted() { print("  DG\(number): \(passive.dataGroups[number]!.rawValue)") }
            for error in passive.errors { print("  error: \(error)") }
            for warning in passive.warnings + trustStore.loadWarnings { print("  warning: \(warning)") }
        }
        if passive.result != .valid { throw ExitCode(2) }
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
