import Prometheus
import Foundation
import IDGateAudit
import IDGateCore
import IDGateWire

/// The edits behind `idgate clients add|rotate-key|disable`: each validates the result before it is saved.
extension ClientRegistryFile {
    /// Adds `client`; with `withAPIKey` it gets a new key, returned once (only its hash is stored).
    public mutating func add(_ client: ClientConfiguration, withAPIKey: Bool, now: Date = Date()) throws -> String? {
        guard index(of: client.id) == nil else { throw ClientRegistryError.invalid("client \(client.id) already exists") }
        var client = client
        var newKey: String? = nil
        if withAPIKey {
            let (key, record) = APIKey.generate(createdAt: now)
            client.credentials.apiKeys.append(record)
            newKey = key
        }
        clients.append(client)
        try validate()
        return newKey
    }

    /// Issues a new API key. Keys already present stay valid for `grace` (zero: revoked at once) and are removed
    /// once expired; returns the new key, shown once.
    public mutating func rotateKey(clientID: String, grace: TimeInterval, now: Date = Date()) throws -> String {
        guard let position = index(of: clientID) else { throw ClientRegistryError.invalid("no client \(clientID)") }
        var keys = clients[position].credentials.apiKeys.filter { $0.expiresAt.map { $0 > now } ?? true }
        if grace <= 0 {
            keys.removeAll()
        } else {
            let deadline = APIKey.wholeSeconds(now.addingTimeInterval(grace))
            for index in keys.indices where (keys[index].expiresAt ?? .distantFuture) > deadline {
                keys[index].expiresAt = deadline
            }
        }
        let (key, record) = APIKey.generate(createdAt: now)
        keys.append(record)
        clients[position].credentials.apiKeys = keys
        try validate()
        return key
    }

    /// Disables (or re-enables) a client: its credentials stop authenticating at the next reload.
    public mutating func setEnabled(_ enabled: Bool, clientID: String) throws {
        guard let position = index(of: clientID) else { throw ClientRegistryError.invalid("no client \(clientID)") }
        clients[position].enabled = enabled
    }

    /// Throws what `ClientRegistry` would refuse.
    public func validate() throws {
        _ = try ClientRegistrySnapshot(file: self, previous: nil, metricsRegistry: PrometheusCollectorRegistry())
    }
}
