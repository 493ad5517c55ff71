import IDGateCore
import Foundation
import IDGateAudit
import IDGateGateway
import IDGateStore

/// The demo relying parties written by `idgate demo init`: one of each kind, covering mTLS-only, API-key-only,
/// both, a restricted telco and a high-limit tester.
public enum DemoClients {
    /// A demo client: its policy, and which credentials it gets.
    public struct Definition: Sendable {
        public let configuration: ClientConfiguration
        public let usesCertificate: Bool
        public let usesAPIKey: Bool
    }

    /// Clients that need a TLS client certificate `tls/<id>.pem` (+ `<id>.key.pem`) before `write`.
    public static var certificateClientIDs: [String] { definitions.filter(\.usesCertificate).map(\.configuration.id) }

    public static let definitions: [Definition] = [
        Definition(
            configuration: ClientConfiguration(
                id: "demo-bank", kind: .bank, purposes: ["account-opening", "kyc-refresh", "loan-application"],
                rateLimit: RateLimitConfiguration(requestsPerSecond: 2000, burst: 4000), dailyQuota: 5_000_000),
            usesCertificate: true, usesAPIKey: false),
        Definition(
            configuration: ClientConfiguration(
                id: "demo-airline", kind: .airline, operations: [.match, .chipVerify],
                attributes: ["idNumber", "fullName", "dateOfBirth", "sex"], purposes: ["boarding-check"],
                rateLimit: RateLimitConfiguration(requestsPerSecond: 500, burst: 1000), dailyQuota: 1_000_000),
            usesCertificate: false, usesAPIKey: true),
        Definition(
            configuration: ClientConfiguration(
                id: "demo-telco", kind: .telco, operations: [.match, .batch],
                attributes: ["idNumber", "fullName", "dateOfBirth", "phoneNumber"], purposes: ["sim-registration"],
                rateLimit: RateLimitConfiguration(requestsPerSecond: 200, burst: 400), dailyQuota: 500_000),
            usesCertificate: false, usesAPIKey: true),
        Definition(
            configuration: ClientConfiguration(
                id: "demo-agency", kind: .agency,
                rateLimit: RateLimitConfiguration(requestsPerSecond: 1000, burst: 2000), dailyQuota: 2_000_000),
            usesCertificate: true, usesAPIKey: true),
        Definition(
            configuration: ClientConfiguration(
                id: "demo-tester", kind: .tester,
                rateLimit: RateLimitConfiguration(requestsPerSecond: 1_000_000, burst: 1_000_000), dailyQuota: nil,
                // Load tests repeat misses on a sample of subjects: counted (the limiter's cost is measured), never refused.
                guessing: ClientGuessingConfiguration(maxFailedAnswersPerSubject: 1_000_000_000)),
            usesCertificate: true, usesAPIKey: true),
        // The citizen's app backend: reads access histories, nothing else.
        Definition(
            configuration: ClientConfiguration(
                id: "demo-portal", kind: .citizenPortal, operations: [.accessHistory], attributes: [],
                rateLimit: RateLimitConfiguration(requestsPerSecond: 200, burst: 400), dailyQuota: 1_000_000,
                name: "Demo Citizen Portal"),
            usesCertificate: false, usesAPIKey: true),
    ]

    /// One entry of `credentials.json` (API.md): paths are absolute.
    public struct Credential: Codable, Sendable, Equatable {
        public var id: String
        public var kind: ClientKind
        public var apiKey: String?
        public var certificate: String?
        public var privateKey: String?
    }

    private struct CredentialsFile: Codable {
        var clients: [Credential]
    }

    /// Writes the layout's `clients.json` and `credentials.json` (mode 0600: it holds the API keys). Certificate
    /// clients are registered by the SHA-256 fingerprint of their certificate (`tls/<id>.pem`), which must exist.
    @discardableResult
    public static func write(layout: DemoLayout) throws -> [Credential] {
        let layout = DemoLayout(root: layout.root.standardizedFileURL)
        var configurations: [ClientConfiguration] = []
        var credentials: [Credential] = []
        for definition in definitions {
            var configuration = definition.configuration
            configuration.documentTypes = documentTypes[configuration.id]
            var credential = Credential(id: configuration.id, kind: configuration.kind)
            if definition.usesCertificate {
                let certificate = layout.url(DemoLayout.Relative.clientCertificate(configuration.id))
                let fingerprint = try CertificateFingerprint.sha256(pemFile: certificate)
                configuration.credentials.certificateFingerprints = [fingerprint.hex]
                credential.certificate = certificate.path
                credential.privateKey = layout.url(DemoLayout.Relative.clientKey(configuration.id)).path
            }
            if definition.usesAPIKey {
                let (key, record) = APIKey.generate()
                configuration.credentials.apiKeys = [record]
                credential.apiKey = key
            }
            configurations.append(configuration)
            credentials.append(credential)
        }
        try ClientRegistryFile(clients: configurations).save(to: layout.clients)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let credentialsURL = layout.credentials
        do {
            try OwnerOnlyFiles.write(try encoder.encode(CredentialsFile(clients: credentials)), toPath: credentialsURL.path)
        } catch {
            throw ClientRegistryError.invalid("cannot write \(credentialsURL.path): \(error)")
        }
        return credentials
    }
}

/// SHA-256 fingerprints of certificates, as `clients.json` stores them.
public enum CertificateFingerprint {
    /// The fingerprint of the first certificate in a PEM file (SHA-256 of its DER).
    public static func sha256(pemFile url: URL) throws -> SHA256Key {
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let begin = text.range(of: "-----BEGIN CERTIFICATE-----"),
              let end = text.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<text.endIndex),
              let der = Data(base64Encoded: String(text[begin.upperBound..<end.lowerBound]), options: .ignoreUnknownCharacters)
        else { throw ClientRegistryError.invalid("\(url.path) holds no PEM certificate") }
        return SHA256Key.hashing(der)
    }
}
