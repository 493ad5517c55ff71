import Foundation
import IDGateStore
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// How a follower paces itself.
public struct FollowerOptions: Sendable {
    /// How often the change log is read without a notification (the fallback when a NOTIFY is lost, e.g. sent
    /// while the node was reconnecting).
    public var pollInterval: Duration = .seconds(2)
    /// The first wait after a failed connection; doubled after each failure up to `maximumBackoff`.
    public var initialBackoff: Duration = .milliseconds(200)
    public var maximumBackoff: Duration = .seconds(10)
    /// Change-log rows read per query while catching up.
    public var batchesPerQuery = 256

    public init() {}
}

/// Keeps a node's LMDB registry a copy of the registry of record in PostgreSQL.
///
/// A node without a copy takes a snapshot: one REPEATABLE READ transaction reads the residents and the change-log
/// head they correspond to, the importer builds a NEW generation from them at that sequence, and `current` swaps
/// to it the way `idgate import` swaps (the server notices and reopens; readers never block). From then on the
/// follower applies the change log in order, each batch in one LMDB transaction that also records its sequence:
/// the sequence in the LMDB meta is the only cursor, so a node killed at any point resumes right after the last
/// batch it committed, never applying one twice or skipping one.
///
/// It wakes on LISTEN/NOTIFY and also polls (a notification sent while it was disconnected is lost). When
/// PostgreSQL is down it keeps serving what it has, reports the lag and reconnects with backoff. A gap in the log
/// or a batch it cannot apply stops it at the previous sequence with an alarm (`status.alarm`), nothing partly
/// applied; it keeps checking, so a repaired log lets it continue.
///
/// Wiring (`idgate serve --follow`): `try await follower.prepare()` before the server opens the registry (it
/// throws for a database that is not an idgate registry of this version), then run the follower beside the server
/// in the service group and read `follower.status` in /readyz and /metrics.
public final class RegistryFollower: Service, Sendable {
    public let directory: String
    public let source: PostgresSource
    let options: FollowerOptions
    let logger: Logger
    let state = Mutex(State())

    struct State: Sendable {
        var status = FollowerStatus.initial
        /// The writable store of the generation being followed.
        var store: RegistryStore?
        /// The registry of record the local copy came from.
        var origin: UUID?
        var lastContact: ContinuousClock.Instant?
        /// The age (by PostgreSQL's clock) of the oldest unapplied batch, when it was measured.
        var oldestUnapplied: (age: Double, measured: ContinuousClock.Instant)?
        /// The last batch refused, so a refusal repeated at every poll is counted once.
        var lastRefused: (sequence: UInt64, batch: String)?
    }

    public init(
        source: PostgresSource, directory: String, options: FollowerOptions = FollowerOptions(),
        logger: Logger = Logger(label: "idgate.fleet.follower")
    ) {
        self.source = source
        self.directory = directory
        self.options = options
        self.logger = logger
    }

    /// The follower's state now; cheap (one lock), safe from any thread.
    public var status: FollowerStatus {
        state.withLock { state in
            let now = ContinuousClock.now
            var status = state.status
            status.secondsSinceContact = state.lastContact.map { (now - $0).fleetSeconds }
            if let lag = status.lagBatches, lag > 0, let oldest = state.oldestUnapplied {
                status.lagSeconds = oldest.age + (now - oldest.measured).fleetSeconds
            } else {
                status.lagSeconds = 0
            }
            return status
        }
    }

    /// Opens the local copy if it came from this registry, else takes a snapshot; call before serving.
    ///
    /// Throws `FleetError.schemaMissing` / `.schemaVersionMismatch` for a database that is not an idgate registry
    /// of this version (a node must not start against it), and `.cannotBootstrap` when there is no local copy and
    /// PostgreSQL cannot be reached. With a local copy and PostgreSQL down it returns: the node serves its copy
    /// and `run()` catches up once the database is back.
    public func prepare() async throws {
        openLocalCopy()
        let connection: PostgresConnection
        do {
            connection = try await connect()
        } catch {
            let reason = FleetError.describe(error)
            recordDisconnect(reason)
            guard status.isBootstrapped else { throw FleetError.cannotBootstrap(directory: directory, reason: reason) }
            logger.warning("registry database unreachable; serving the local copy", metadata: ["reason": "\(reason)"])
            return
        }
        do {
            let marker = try await RegistrySchema.readMarker(connection, database: source.database, logger: logger)
            recordContact(head: marker.head)
            if needsSnapshot(origin: marker.origin) { try await takeSnapshot(connection) }
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw PostgresRegistry.unwrap(error, source: source)
        }
    }

    /// Follows the change log until cancelled or told to shut down gracefully; never throws for database trouble
    /// (that is reported in `status` and retried with backoff).
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var backoff = self.options.initialBackoff
            while !Task.isCancelled {
                var madeContact = false
                do {
                    try await self.followOneSession(madeContact: &madeContact)
                } catch {
                    if Task.isCancelled { break }
                    self.recordDisconnect(FleetError.describe(PostgresRegistry.unwrap(error, source: self.source)))
                }
                if madeContact { backoff = self.options.initialBackoff }
                do {
                    try await Task.sleep(for: backoff)
                } catch {
                    break
                }
                backoff = min(backoff * 2, self.options.maximumBackoff)
            }
            self.state.withLock { $0.status.isConnected = false }
        }
    }

    /// One connection's life: check the schema, take a snapshot when needed, then listen and catch up on every
    /// notification or poll tick until the connection fails.
    private func followOneSession(madeContact: inout Bool) async throws {
        let connection = try await connect()
        do {
            let marker: RegistrySchema.Marker
            do {
                marker = try await RegistrySchema.readMarker(connection, database: source.database, logger: logger)
            } catch let error as FleetError {
                raise(.incompatibleDatabase(error.description))
                throw error
            }
            madeContact = true
            recordContact(head: marker.head)
            clearAlarm { if case .incompatibleDatabase = $0 { true } else { false } }
            if needsSnapshot(origin: marker.origin) { try await takeSnapshot(connection) }
            try await connection.listen(on: RegistrySchema.channel) { notifications in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
                    group.addTask {
                        for try await _ in notifications { wake.yield() }
                        throw FleetError.database(source: self.source.description, reason: "notification stream ended")
                    }
                    group.addTask {
                        while true {
                            try await Task.sleep(for: self.options.pollInterval)
                            wake.yield()
                        }
                    }
                    group.addTask {
                        for await _ in wakes { try await self.catchUp(connection) }
                    }
                    wake.yield()
                    defer { wake.finish() }
                    try await group.next()
                    group.cancelAll()
                }
            }
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: try source.configuration(), id: 1, logger: logger)
    }

    // MARK: Status bookkeeping

    func recordContact(head: UInt64) {
        state.withLock { state in
            state.lastContact = .now
            state.status.isConnected = true
            state.status.connectionError = nil
            state.status.latestKnownSequence = head
        }
    }

    func recordDisconnect(_ reason: String) {
        let wasConnected = state.withLock { state in
            let was = state.status.isConnected || state.status.connectionError == nil
            state.status.isConnected = false
            state.status.connectionError = reason
            return was
        }
        if wasConnected { logger.warning("registry database unreachable", metadata: ["reason": "\(reason)"]) }
    }

    func raise(_ alarm: FollowerAlarm) {
        let isNew = state.withLock { state in
            let isNew = state.status.alarm != alarm
            state.status.alarm = alarm
            return isNew
        }
        if isNew { logger.error("registry follower alarm", metadata: ["alarm": "\(alarm)"]) }
    }

    func clearAlarm(where matches: (FollowerAlarm) -> Bool = { _ in true }) {
        let cleared = state.withLock { state -> FollowerAlarm? in
            guard let alarm = state.status.alarm, matches(alarm) else { return nil }
            state.status.alarm = nil
            return alarm
        }
        if let cleared { logger.notice("registry follower alarm cleared", metadata: ["alarm": "\(cleared)"]) }
    }
}

/// Runs blocking work (an import, an LMDB commit with its fsync) on its own thread, off the cooperative pool.
func runBlocking<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Swift.Result { try body() })
        }
    }
}
