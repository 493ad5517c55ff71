import IDGateAudit
import IDGateCore
import IDGateStore
import IDGateWire
import Logging
import Synchronization

/// The registry the gateway currently serves, swapped when an import installs a new generation.
///
/// Each event loop keeps its own `RegistryReader`; it compares the holder's `version` (one relaxed atomic load per
/// request) with the version its reader was made for, and makes a new reader after a swap. The old store closes
/// when the last reader of it is released, so in-flight reads are never cut off.
public final class RegistryHolder: Sendable {
    public let directory: String
    private let current: Mutex<RegistryStore?>
    private let versionCounter = Atomic<Int>(0)
    private let logger: Logger
    /// Writable when a follower applies changes in this process: LMDB shares one environment per path and process,
    /// and a read-only one opened first would keep the follower from writing.
    private let readOnly: Bool
    private let readahead: RegistryReadahead

    public init(directory: String, logger: Logger, readOnly: Bool = true, readahead: RegistryReadahead = .auto) {
        self.directory = directory
        self.logger = logger
        self.readOnly = readOnly
        self.readahead = readahead
        current = Mutex(nil)
    }

    /// Opens the registry; the server is not ready until this succeeds.
    public func open() throws {
        let store = try RegistryStore.open(directory: directory, readOnly: readOnly, readahead: readahead)
        logger.info("registry opened", metadata: [
            "generation": "\(store.generation)", "sequence": "\(store.sequence)", "readahead": "\(store.readsAhead)",
        ])
        install(store)
    }

    /// Bumped on every swap.
    public var version: Int { versionCounter.load(ordering: .acquiring) }

    public var store: RegistryStore? { current.withLock { $0 } }

    /// Reopens when an import has swapped the `current` generation. Returns whether it swapped.
    @discardableResult
    public func reloadIfSuperseded() -> Bool {
        guard let store, store.isSuperseded else {
            if self.store == nil { try? open() }
            return false
        }
        do {
            let fresh = try RegistryStore.open(directory: directory, readOnly: readOnly, readahead: readahead)
            install(fresh)
            logger.info("registry generation swapped", metadata: [
                "generation": "\(fresh.generation)", "sequence": "\(fresh.sequence)", "readahead": "\(fresh.readsAhead)",
            ])
            return true
        } catch {
            logger.error("registry reload failed; still serving the previous generation", metadata: [
                "error": "\(error)",
            ])
            return false
        }
    }

    private func install(_ store: RegistryStore) {
        current.withLock { $0 = store }
        versionCounter.wrappingAdd(1, ordering: .releasing)
    }
}
