import Foundation
import IDGateAudit
import IDGateCore
import IDGateWire
import Prometheus
import Synchronization

/// The relying parties the gateway knows, loaded from `clients.json` (docs/CLIENTS.md).
///
/// Requests read the current immutable snapshot; `reload()` validates the file and swaps the snapshot in one step,
/// so a request sees either the old or the new registry, never a mix. A file that fails validation leaves the old
/// snapshot in force.
public final class ClientRegistry: Sendable {
    public let fileURL: URL?
    /// Where each client's counters are registered (the gateway's `/metrics` registry).
    public let metricsRegistry: PrometheusCollectorRegistry
    private let current: Mutex<ClientRegistrySnapshot>
    private let replacements = Atomic<UInt64>(0)

    /// Changes whenever the snapshot is replaced: per-loop caches of resolved credentials compare it on every use.
    public var generation: UInt64 { replacements.load(ordering: .acquiring) }

    /// Loads `clients.json`.
    public convenience init(fileURL: URL, metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) throws {
        try self.init(file: ClientRegistryFile.load(from: fileURL), fileURL: fileURL, metricsRegistry: metricsRegistry)
    }

    /// A registry from an in-memory document; `reload()` needs `fileURL`.
    public init(
        file: ClientRegistryFile, fileURL: URL? = nil,
        metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) throws {
        self.fileURL = fileURL
        self.metricsRegistry = metricsRegistry
        self.current = Mutex(try ClientRegistrySnapshot(file: file, previous: nil, metricsRegistry: metricsRegistry))
    }

    public var snapshot: ClientRegistrySnapshot { current.withLock { $0 } }

    public func client(id: String) -> Client? { snapshot.clients[id] }

    /// Re-reads the file (SIGHUP / file change) and swaps the snapshot; throws, keeping the old one, if invalid.
    @discardableResult
    public func reload() throws -> ClientRegistrySnapshot {
        guard let fileURL else { throw ClientRegistryError.invalid("registry has no file to reload") }
        return try replace(with: ClientRegistryFile.load(from: fileURL))
    }

    /// Swaps in a new configuration (what `reload()` does after reading the file).
    @discardableResult
    public func replace(with file: ClientRegistryFile) throws -> ClientRegistrySnapshot {
        try current.withLock { snapshot in
            snapshot = try ClientRegistrySnapshot(file: file, previous: snapshot, metricsRegistry: metricsRegistry)
            replacements.add(1, ordering: .releasing)
            return snapshot
        }
    }
}
