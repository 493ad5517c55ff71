import Foundation
import IDGateAudit
import IDGateCore
import IDGateWire
import Prometheus

/// One immutable generation of the client registry with its credential indexes (all O(1) dictionary lookups).
public struct ClientRegistrySnapshot: Sendable {
    /// A stored API key hash, resolved to its client.
    struct KeyEntry: Sendable {
        let client: Client
        let digest: SHA256Key
        let keyId: String
        let expiresAt: Date?
    }

    public let clients: [String: Client]
    /// The configuration this snapshot was built from.
    public let file: ClientRegistryFile
    let apiKeys: [SHA256Key: KeyEntry]
    let fingerprints: [SHA256Key: Client]
    let subjects: [String: Client]

    /// Validates `file`; counters of clients already in `previous` are carried over.
    init(file: ClientRegistryFile, previous: ClientRegistrySnapshot?, metricsRegistry: PrometheusCollectorRegistry) throws {
        var clients: [String: Client] = [:]
        var apiKeys: [SHA256Key: KeyEntry] = [:]
        var fingerprints: [SHA256Key: Client] = [:]
        var subjects: [String: Client] = [:]
        for configuration in file.clients {
            guard Self.isValidID(configuration.id) else {
                throw ClientRegistryError.invalid("client id \(configuration.id.debugDescription) must be 1-64 of [A-Za-z0-9._-]")
            }
            guard clients[configuration.id] == nil else {
                throw ClientRegistryError.invalid("duplicate client id \(configuration.id)")
            }
            let earlier = previous?.clients[configuration.id]
            let client = try Client(
                configuration: configuration,
                quota: earlier?.quota ?? DailyQuotaCounter(),
                metrics: earlier?.metrics
                    ?? ClientMetrics(clientID: configuration.id, kind: configuration.kind, registry: metricsRegistry),
                guessingWatch: earlier?.guessingWatch
                    ?? ClientGuessingWatch(clientID: configuration.id, registry: metricsRegistry)
            )
            clients[client.id] = client
            for key in configuration.credentials.apiKeys {
                guard let digest = SHA256Key(hex: key.sha256) else {
                    throw ClientRegistryError.invalid("client \(client.id): key \(key.keyId) has no valid sha256")
                }
                guard apiKeys[digest] == nil else {
                    throw ClientRegistryError.invalid("client \(client.id): key \(key.keyId) is used twice")
                }
                apiKeys[digest] = KeyEntry(client: client, digest: digest, keyId: key.keyId, expiresAt: key.expiresAt)
            }
            for hex in configuration.credentials.certificateFingerprints {
                guard let digest = SHA256Key(hex: hex) else {
                    throw ClientRegistryError.invalid("client \(client.id): bad certificate fingerprint \(hex)")
                }
                guard fingerprints.updateValue(client, forKey: digest) == nil else {
                    throw ClientRegistryError.invalid("client \(client.id): certificate fingerprint used twice")
                }
            }
            for subject in configuration.credentials.certificateSubjects {
                guard subjects.updateValue(client, forKey: Self.normalizedSubject(subject)) == nil else {
                    throw ClientRegistryError.invalid("client \(client.id): certificate subject \(subject) used twice")
                }
            }
        }
        self.clients = clients
        self.file = file
        self.apiKeys = apiKeys
        self.fingerprints = fingerprints
        self.subjects = subjects
    }

    /// RFC 4514 DN with the spaces around separators removed, so `CN=a, O=b` and `CN=a,O=b` match.
    public static func normalizedSubject(_ subject: String) -> String {
        subject.split(separator: ",").map { component in
            component.split(separator: "=", maxSplits: 1)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .joined(separator: "=")
        }.joined(separator: ",")
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64 && id.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}
