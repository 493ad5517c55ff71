import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateGateway
import IDGateStore
import IDGateWire

extension ClientsCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a client; with --api-key a new key is printed once (only its hash is stored).")

        @OptionGroup var registry: FileOption
        @Option(help: "Client id ([A-Za-z0-9._-], at most 64).") var id: String
        @Option(help: "bank | telco | airline | agency | tester | citizen-portal.") var kind: ClientKind
        @Option(parsing: .upToNextOption, help: "Allowed operations (default: all but accessHistory): match batch chipVerify accessHistory.")
        var operations: [ClientOperation] = ClientOperation.allCases.filter { $0 != .accessHistory }
        @Option(parsing: .upToNextOption, help: "Allowed attributes by wire name (default: all).")
        var attributes: [String] = Attribute.allCases.map(\.wireName)
        @Option(parsing: .upToNextOption, help: "Allowed purposes (default: none required).")
        var purposes: [String] = []
        @Option(help: "Sustained requests per second.") var rate: Double = 100
        @Option(help: "Burst size (requests).") var burst: Int = 200
        @Option(help: "Requests per Vietnam calendar day (default: unlimited).") var dailyQuota: Int?
        @Flag(help: "Issue an API key.") var apiKey = false
        @Option(help: "SHA-256 fingerprint (hex) of an accepted client certificate.") var certificateFingerprint: [String] = []
        @Option(help: "PEM file of an accepted client certificate (its fingerprint is stored).") var certificate: [String] = []
        @Option(help: "Subject DN of an accepted client certificate, e.g. CN=bank,O=Bank,C=VN.") var certificateSubject: [String] = []

        func run() throws {
            var file = FileManager.default.fileExists(atPath: registry.file) ? try registry.load() : ClientRegistryFile()
            let fingerprints = try certificateFingerprint + certificate.map {
                try CertificateFingerprint.sha256(pemFile: URL(fileURLWithPath: $0)).hex
            }
            let client = ClientConfiguration(
                id: id, kind: kind, credentials: ClientCredentials(
                    certificateSubjects: certificateSubject, certificateFingerprints: fingerprints),
                operations: operations, attributes: attributes, purposes: purposes,
                rateLimit: RateLimitConfiguration(requestsPerSecond: rate, burst: burst), dailyQuota: dailyQuota)
            guard apiKey || !fingerprints.isEmpty || !certificateSubject.isEmpty else {
                throw ValidationError("give the client a credential: --api-key, --certificate, --certificate-fingerprint or --certificate-subject")
            }
            let key = try file.add(client, withAPIKey: apiKey)
            try file.save(to: registry.url)
            print("added client \(id)")
            if let key { print("API key (shown once, store it now): \(key)") }
        }
    }
}
