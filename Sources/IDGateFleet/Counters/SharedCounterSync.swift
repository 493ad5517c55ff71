import Foundation
import IDGateCore
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// One (client, subject) pair's failed answers: a node's delta on the way to PostgreSQL, or the fleet's count on the
/// way back.
public struct SharedAttempts: Sendable, Equatable {
    public var clientID: String
    /// The subject's keyed hash (as the audit stores it).
    public var subject: SHA256Key
    /// End of the window the failures were counted in, milliseconds since the epoch.
    public var windowEndsMillis: Int64
    public var failures: UInt32

    public init(clientID: String, subject: SHA256Key, windowEndsMillis: Int64, failures: UInt32) {
        self.clientID = clientID
        self.subject = subject
        self.windowEndsMillis = windowEndsMillis
        self.failures = failures
    }
}

/// One client's requests on one Vietnam day: a node's delta, or the fleet's count.
public struct SharedQuota: Sendable, Equatable {
    public var clientID: String
    /// `VietnamCalendarDay.dayNumber` (the low 24 bits, as `DailyQuotaCounter` holds it).
    public var day: Int64
    public var used: UInt64

    public init(clientID: String, day: Int64, used: UInt64) {
        self.clientID = clientID
        self.day = day
        self.used = used
    }
}

/// What a node's counters give the sync and take back from it; the gateway's `PersistentCounters` is one. Every
/// call comes from the sync's task, one at a time, off the request path.
public protocol SharedCounterStore: Sendable {
    /// Failures counted on this node and not yet shared, forgotten once taken.
    func takeUnsharedAttempts(now: Date) -> [SharedAttempts]
    /// Gives back what `takeUnsharedAttempts` returned when it could not be shared.
    func returnUnsharedAttempts(_ attempts: [SharedAttempts], now: Date)
    /// The fleet's counts of pairs (every node's failures in the fleet's window).
    func mergeSharedAttempts(_ attempts: [SharedAttempts], now: Date)
    /// Requests served on this node and not yet shared, per client and day, forgotten once taken.
    func takeUnsharedQuotas(now: Date) -> [SharedQuota]
    func returnUnsharedQuotas(_ quotas: [SharedQuota], now: Date)
    /// The fleet's counts of clients' days (every node's requests, this node's sent ones included).
    func mergeSharedQuotas(_ quotas: [SharedQuota], now: Date)
}

/// How the shared-counter sync paces itself.
public struct SharedCounterSyncOptions: Sendable {
    /// Between two rounds (push the deltas, read back what changed): `state.flushIntervalSeconds` in `idgate serve`.
    public var interval: Duration = .seconds(1)
    /// A read starts this far before the previous one did, so a row whose upsert committed just after that read
    /// began is not missed (rows read twice merge to the same count).
    public var readOverlap: Duration = .seconds(3)
    /// How often rows of ended windows and past days are deleted.
    public var sweepInterval: Duration = .seconds(60)
    /// Rows per upsert statement (one round trip).
    public var batchSize = 1000
    /// Rows per read; a full page is followed by the next one in the same round.
    public var readPageSize = 10_000
    public var maximumBackoff: Duration = .seconds(10)

    public init() {}
}

/// How the sync fares: what /metrics reports.
public struct SharedCounterSyncStatus: Sendable, Equatable {
    public var isConnected: Bool
    /// Rounds that ended with every delta in PostgreSQL and the changes read back.
    public var completedRounds: Int
    /// Rounds that failed (PostgreSQL unreachable or erring): their deltas wait for the next round.
    public var failedRounds: Int
    /// Seconds since the last completed round began (since the sync started, before the first): how old the fleet's
    /// counts this node holds may be.
    public var ageSeconds: Double
    /// Pair deltas and quota deltas sent since the process started.
    public var sharedAttempts: Int
    public var sharedQuotas: Int
    public var lastError: String?
}

/// Shares a fleet node's guessing counts and daily quotas through the fleet's PostgreSQL, so a client spread over
/// `K` nodes gets `N` failed answers per subject per window in all, not `K × N` (docs/CLIENTS.md, "In a fleet").
///
/// Every round (`interval`): the failures and requests counted here since the last round are added to the shared
/// rows (`CounterSchema`, one atomic upsert per batch) whose answers (the fleet's counts of those pairs and days)
/// are merged back; then the rows any node changed since the previous read are merged too, so a pair at its limit
/// on another node is refused here from then on. Every `sweepInterval` the rows of ended windows and past days are
/// deleted. The request path never waits on PostgreSQL: it reads and counts in memory, as on a single node.
///
/// PostgreSQL down: the node keeps serving with its own counts (its limit still applies); the deltas stay with the
/// counters (one entry per pair or client at most: bounded by the counters' own caps) and are sent once it is back.
/// `status` says how long ago the last round completed and how many failed.
public final class SharedCounterSync: Service, Sendable {
    public let source: PostgresSource
    let options: SharedCounterSyncOptions
    let logger: Logger

    private struct State {
        var store: (any SharedCounterStore)?
        var connected = false
        var completedRounds = 0
        var failedRounds = 0
        var lastCompleted: ContinuousClock.Instant?
        var sharedAttempts = 0
        var sharedQuotas = 0
        var lastError: String?
    }

    private let state = Mutex(State())
    private let started = ContinuousClock.now
    private let stopping = Atomic<Bool>(false)
    private let napper = WakeableNap()

    public init(
        source: PostgresSource, options: SharedCounterSyncOptions = SharedCounterSyncOptions(),
        logger: Logger = Logger(label: "idgate.fleet.counters")
    ) {
        self.source = source
        self.options = options
        self.logger = logger
    }

    /// Connects the sync to the node's counters; nothing is shared before.
    public func bind(_ store: any SharedCounterStore) {
        state.withLock { $0.store = store }
    }

    public var status: SharedCounterSyncStatus {
        state.withLock { state in
            SharedCounterSyncStatus(
                isConnected: state.connected, completedRounds: state.completedRounds, failedRounds: state.failedRounds,
                ageSeconds: Self.seconds(ContinuousClock.now - (state.lastCompleted ?? started)),
                sharedAttempts: state.sharedAttempts, sharedQuotas: state.sharedQuotas, lastError: state.lastError)
        }
    }

    /// Waits until a round that began after this call completed; false if none did within `timeout`.
    public func whenSynced(timeout: Duration) async -> Bool {
        let target = state.withLock { $0.completedRounds } + 2
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.completedRounds }) < target {
            if ContinuousClock.now >= deadline || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Syncs every interval until cancelled; on a graceful shutdown, one last round shares what is left. Database
    /// trouble is reported in `status` and retried (with backoff), never thrown.
    public func run() async throws {
        await withGracefulShutdownHandler {
            var connection: PostgresConnection?
            var lastRead: Int64?
            var lastSweep: ContinuousClock.Instant?
            var backoff = options.interval
            while !Task.isCancelled && !stopping.load(ordering: .relaxed) {
                let ok = await round(connection: &connection, lastRead: &lastRead, lastSweep: &lastSweep)
                backoff = ok ? options.interval : min(backoff * 2, max(options.interval, options.maximumBackoff))
                // A graceful shutdown (or cancellation) ends the sleep early: the last round runs at once.
                await napper.nap(for: backoff)
            }
            if stopping.load(ordering: .relaxed) && !Task.isCancelled {
                _ = await round(connection: &connection, lastRead: &lastRead, lastSweep: &lastSweep)
            }
            if let connection { try? await connection.close() }
            state.withLock { $0.connected = false }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.napper.wake()
        }
    }

    /// One round; false when it failed (what was taken is given back, the connection dropped).
    private func round(
        connection: inout PostgresConnection?, lastRead: inout Int64?, lastSweep: inout ContinuousClock.Instant?
    ) async -> Bool {
        guard let store = state.withLock({ $0.store }) else { return true }
        let began = ContinuousClock.now
        let now = Date()
        var attempts = store.takeUnsharedAttempts(now: now)
        var quotas = store.takeUnsharedQuotas(now: now)
        // Rows are locked in one order on every node, so two nodes' batches never wait on each other in a cycle.
        attempts.sort {
            ($0.clientID, $0.subject.words.0, $0.subject.words.1, $0.subject.words.2, $0.subject.words.3)
                < ($1.clientID, $1.subject.words.0, $1.subject.words.1, $1.subject.words.2, $1.subject.words.3)
        }
        quotas.sort { ($0.clientID, $0.day) < ($1.clientID, $1.day) }
        // How many of each went into PostgreSQL (committed batches): the rest is given back on failure.
        var sentAttempts = 0
        var sentQuotas = 0
        var counted = false
        do {
            let open: PostgresConnection
            if let connection, !connection.isClosed {
                open = connection
            } else {
                open = try await PostgresConnection.connect(configuration: try source.configuration(), id: 3, logger: logger)
                connection = open
                try await CounterSchema.create(open, logger: logger)
            }
            while sentAttempts < attempts.count {
                let batch = Array(attempts[sentAttempts..<min(attempts.count, sentAttempts + options.batchSize)])
                let totals = try await upsert(batch, now: now, connection: open)
                sentAttempts += batch.count
                store.mergeSharedAttempts(totals, now: Date())
            }
            while sentQuotas < quotas.count {
                let batch = Array(quotas[sentQuotas..<min(quotas.count, sentQuotas + options.batchSize)])
                let totals = try await upsert(batch, connection: open)
                sentQuotas += batch.count
                store.mergeSharedQuotas(totals, now: Date())
            }
            state.withLock { state in
                state.sharedAttempts += sentAttempts
                state.sharedQuotas += sentQuotas
            }
            counted = true
            try await readChanges(since: &lastRead, store: store, connection: open)
            if lastSweep.map({ ContinuousClock.now - $0 >= options.sweepInterval }) ?? true {
                try await sweep(now: Date(), connection: open)
                lastSweep = ContinuousClock.now
            }
            let wasConnected = state.withLock { state in
                defer {
                    state.connected = true
                    state.completedRounds += 1
                    state.lastCompleted = began
                    state.lastError = nil
                }
                return state.connected
            }
            if !wasConnected { logger.info("shared counters: in sync with PostgreSQL") }
            return true
        } catch {
            // Whatever was not sent waits for the next round (a batch committed before the failure is not given back).
            store.returnUnsharedAttempts(Array(attempts[min(sentAttempts, attempts.count)...]), now: Date())
            store.returnUnsharedQuotas(Array(quotas[min(sentQuotas, quotas.count)...]), now: Date())
            if !counted {
                state.withLock { state in
                    state.sharedAttempts += sentAttempts
                    state.sharedQuotas += sentQuotas
                }
            }
            if let open = connection {
                connection = nil
                try? await open.close()
            }
            let reason = FleetError.describe(PostgresRegistry.unwrap(error, source: source))
            let wasConnected = state.withLock { state in
                defer {
                    state.connected = false
                    state.failedRounds += 1
                    state.lastError = reason
                }
                return state.connected || state.failedRounds == 0
            }
            if wasConnected {
                logger.warning(
                    "shared counters: PostgreSQL unreachable; counting on this node alone until it is back",
                    metadata: ["reason": "\(reason)"])
            }
            return false
        }
    }

    private func upsert(_ batch: [SharedAttempts], now: Date, connection: PostgresConnection) async throws -> [SharedAttempts] {
        var binds = PostgresBindings(capacity: 1 + batch.count * 4)
        binds.append(Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))
        for item in batch {
            binds.append(item.clientID)
            binds.append(ByteBuffer(bytes: item.subject.bytes))
            binds.append(item.windowEndsMillis)
            binds.append(Int64(item.failures))
        }
        let rows = try await connection.guardedRows(
            PostgresQuery(unsafeSQL: CounterSchema.upsertAttemptsSQL(rows: batch.count), binds: binds), logger: logger)
        return try rows.map(Self.attempts)
    }

    private func upsert(_ batch: [SharedQuota], connection: PostgresConnection) async throws -> [SharedQuota] {
        var binds = PostgresBindings(capacity: batch.count * 3)
        for item in batch {
            binds.append(item.clientID)
            binds.append(item.day)
            binds.append(Int64(clamping: item.used))
        }
        let rows = try await connection.guardedRows(
            PostgresQuery(unsafeSQL: CounterSchema.upsertQuotasSQL(rows: batch.count), binds: binds), logger: logger)
        return try rows.map(Self.quota)
    }

    /// Merges the rows any node changed since the previous read (all open ones at the first read).
    private func readChanges(since lastRead: inout Int64?, store: any SharedCounterStore, connection: PostgresConnection) async throws {
        let clock = try await connection.guardedRows("SELECT \(unescaped: CounterSchema.nowMicros)", logger: logger)
        let readStart = try clock[0].decode(Int64.self)
        let overlap = Int64(Self.seconds(options.readOverlap) * 1e6)
        var since = lastRead.map { $0 - overlap } ?? Int64.min
        let nowMillis = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        while true {
            let rows = try await connection.guardedRows(
                """
                SELECT client_id, subject_hash, window_end_ms, failures, updated_us FROM idgate_guessing_counters
                WHERE updated_us >= \(since) AND window_end_ms > \(nowMillis)
                ORDER BY updated_us LIMIT \(options.readPageSize)
                """, logger: logger)
            store.mergeSharedAttempts(try rows.map(Self.attempts), now: Date())
            guard rows.count == options.readPageSize, let row = rows.last else { break }
            let last = try row.makeRandomAccess()[4].decode(Int64.self)
            guard last > since else { break }
            since = last
        }
        since = lastRead.map { $0 - overlap } ?? Int64.min
        while true {
            let rows = try await connection.guardedRows(
                """
                SELECT client_id, day, used, updated_us FROM idgate_quota_counters
                WHERE updated_us >= \(since) ORDER BY updated_us LIMIT \(options.readPageSize)
                """, logger: logger)
            store.mergeSharedQuotas(try rows.map(Self.quota), now: Date())
            guard rows.count == options.readPageSize, let row = rows.last else { break }
            let last = try row.makeRandomAccess()[3].decode(Int64.self)
            guard last > since else { break }
            since = last
        }
        lastRead = readStart
    }

    /// Deletes the rows of windows that ended and of days before yesterday (any node may; deleting twice is a no-op).
    private func sweep(now: Date, connection: PostgresConnection) async throws {
        let nowMillis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        _ = try await connection.guardedRows(
            "DELETE FROM idgate_guessing_counters WHERE window_end_ms <= \(nowMillis)", logger: logger)
        let yesterday = VietnamCalendarDay.dayNumber(now.addingTimeInterval(-86_400)) & 0xFF_FFFF
        _ = try await connection.guardedRows(
            "DELETE FROM idgate_quota_counters WHERE day < \(Int64(yesterday))", logger: logger)
    }

    private static func attempts(_ row: PostgresRow) throws -> SharedAttempts {
        let columns = row.makeRandomAccess()
        let client = try columns[0].decode(String.self)
        let hash = try columns[1].decode(ByteBuffer.self)
        guard let subject = SHA256Key(bytes: hash.readableBytesView) else {
            throw FleetError.configuration("idgate_guessing_counters holds a subject hash that is not 32 bytes")
        }
        return SharedAttempts(
            clientID: client, subject: subject, windowEndsMillis: try columns[2].decode(Int64.self),
            failures: UInt32(clamping: try columns[3].decode(Int64.self)))
    }

    private static func quota(_ row: PostgresRow) throws -> SharedQuota {
        let columns = row.makeRandomAccess()
        return SharedQuota(
            clientID: try columns[0].decode(String.self), day: try columns[1].decode(Int64.self),
            used: UInt64(clamping: try columns[2].decode(Int64.self)))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
