import Foundation
import IDGateAudit
import IDGateCore
import IDGateWire

/// One event loop's memory of the API keys it has recently authenticated, so a caller's repeated key costs a
/// byte comparison instead of a SHA-256 and a snapshot read per request; it also keeps the client registry snapshot
/// the loop last read, so certificate callers do not take the registry's lock (shared by all loops) per request.
///
/// Safe against the changes that matter: the cache empties whenever the client registry is replaced (a disabled
/// client, a rotated or removed key take effect on the next request), and a hit still checks the key's expiry.
/// Only successful authentications are kept; keys are compared in constant time. Used by one loop only.
final class APIKeyCache {
    private struct Entry {
        let key: [UInt8]
        let client: Client
        let expiresAt: Date?
    }

    static let capacity = 16
    private var entries: [Entry] = []
    private var generation: UInt64 = .max
    private var snapshot: ClientRegistrySnapshot?
    private var nextVictim = 0

    /// The registry's current snapshot: the loop's copy unless the registry was replaced since it was read.
    func currentSnapshot(of registry: ClientRegistry) -> ClientRegistrySnapshot {
        let current = registry.generation
        if current != generation || snapshot == nil {
            entries.removeAll(keepingCapacity: true)
            generation = current
            // Read after the generation: the snapshot is at least as new as the generation it is kept for.
            snapshot = registry.snapshot
        }
        return snapshot!
    }

    /// The client `key` belongs to, from the cache or else from `registry` (remembered when it succeeds).
    func authenticate(apiKey key: UnsafeRawBufferPointer, registry: ClientRegistry, now: Date) -> Result<Client, PolicyError> {
        let snapshot = currentSnapshot(of: registry)
        for entry in entries where entry.key.constantTimeEquals(key) {
            if let expiry = entry.expiresAt, expiry <= now { break }
            return .success(entry.client)
        }
        switch snapshot.resolve(apiKey: key, now: now) {
        case .success(let stored):
            remember(Entry(key: Array(key), client: stored.client, expiresAt: stored.expiresAt))
            return .success(stored.client)
        case .failure(let problem):
            return .failure(problem)
        }
    }

    private func remember(_ entry: Entry) {
        if entries.count < Self.capacity {
            entries.append(entry)
        } else {
            entries[nextVictim] = entry
            nextVictim = (nextVictim + 1) % Self.capacity
        }
    }
}
