import Foundation
import IDGateAudit
import IDGateCore
import IDGateMatching
import IDGateWire
import Synchronization

/// Failed answers per (client, subject): after `limit` within a window, the client's further requests about that
/// subject get 429 `subject_attempts_exceeded` until the window ends.
///
/// Why: an answer per field is an oracle. Trying every date of birth for one ID number finds it in at most ~36,525
/// tries; with this limit a client learns at most `limit` wrong guesses per subject per window.
///
/// A window opens at the pair's first counted failure and lasts `window` seconds; a later failure in it adds to the
/// count, a success does not reset it (else one known-good request between guesses would undo the limit).
///
/// Keyed by the subject's keyed hash (`AuditKey.subjectKey`, the one the audit record stores: computed once per
/// request and handed to the audit writer), never by the number. 64 shards, each behind its own lock, chosen by the
/// hash's low bits: requests of different loops rarely meet on a lock, and no lock is global. A dictionary lookup
/// under a shard lock per request; a second, for failed answers only, to count.
///
/// Memory is capped (`maxPairs`, split evenly over the shards): a new pair in a full shard first drops the shard's
/// expired pairs, then, if still full, the pair whose window ends soonest (`evictedPairs` counts them). To push a
/// pair out, a client must fail on as many other subjects of its shard first (`maxPairs / 64` failed answers), which
/// its failure-rate alert and daily quota see long before.
public final class SubjectAttemptLimiter: Sendable {
    /// One (client, subject) pair.
    public struct Pair: Hashable, Sendable {
        public var subject: SHA256Key
        public var clientID: String

        public init(subject: SHA256Key, clientID: String) {
            self.subject = subject
            self.clientID = clientID
        }
    }

    /// A pair's count in its current window.
    public struct Attempts: Sendable, Equatable {
        /// End of the window, milliseconds since the epoch.
        public var windowEndsMillis: Int64
        public var failures: UInt32

        public init(windowEndsMillis: Int64, failures: UInt32) {
            self.windowEndsMillis = windowEndsMillis
            self.failures = failures
        }
    }

    private struct Shard {
        var pairs: [Pair: Attempts] = [:]
        /// Pairs changed since the last `drainChanges` (what the state journal appends).
        var changed: Set<Pair> = []
        /// Failures counted here in each pair's current window and not yet added to the fleet's shared count
        /// (`takeUnshared`; only while sharing is on). Separate from `changed`: the journal and the fleet sync
        /// each take their own changes.
        var unshared: [Pair: UInt32] = [:]
    }

    /// A shard's lock in a class, so an array can hold them (a `Mutex` is not copyable).
    private final class ShardBox: Sendable {
        let mutex = Mutex(Shard())
    }

    private static let shardCount = 64
    private let shards: [ShardBox]
    /// Window length in milliseconds.
    public let windowMillis: Int64
    /// Pairs one shard holds at most.
    private let pairsPerShard: Int
    private let evictions = Atomic<Int>(0)
    /// Whether failures are also kept for the fleet's shared counts (`enableSharing`).
    private let sharing = Atomic<Bool>(false)

    /// - Parameter maxPairs: pairs held at most across the shards (rounded up to a multiple of 64).
    public init(windowSeconds: Double, maxPairs: Int = 4_000_000) {
        windowMillis = Int64(windowSeconds * 1000)
        pairsPerShard = max(1, (maxPairs + Self.shardCount - 1) / Self.shardCount)
        shards = (0..<Self.shardCount).map { _ in ShardBox() }
    }

    /// Pairs pushed out by the cap (their window still open) since the process started.
    public var evictedPairs: Int { evictions.load(ordering: .relaxed) }

    private func shard(_ subject: SHA256Key) -> ShardBox {
        shards[Int(truncatingIfNeeded: subject.words.0) & (Self.shardCount - 1)]
    }

    /// Seconds until the pair may ask again when it used up `limit` failures in its window; nil when it may ask.
    public func refusal(_ pair: Pair, limit: Int, now: Date) -> Int? {
        let nowMillis = Self.millis(now)
        let windowEnds: Int64? = shard(pair.subject).mutex.withLock { shard in
            guard let attempts = shard.pairs[pair], attempts.windowEndsMillis > nowMillis,
                attempts.failures >= UInt32(clamping: limit)
            else { return nil }
            return attempts.windowEndsMillis
        }
        guard let windowEnds else { return nil }
        return max(1, Int(((Double(windowEnds - nowMillis)) / 1000).rounded(.up)))
    }

    /// Counts a failed answer; returns the pair's failures in its window (equal to `limit` the first time it is
    /// used up: the moment worth a log line).
    @discardableResult
    public func recordFailure(_ pair: Pair, now: Date) -> UInt32 {
        let nowMillis = Self.millis(now)
        return shard(pair.subject).mutex.withLock { shard in
            var attempts = shard.pairs[pair] ?? Attempts(windowEndsMillis: 0, failures: 0)
            if attempts.failures == 0, shard.pairs.count >= pairsPerShard { makeRoom(in: &shard, nowMillis: nowMillis) }
            if attempts.windowEndsMillis <= nowMillis {
                attempts = Attempts(windowEndsMillis: nowMillis + windowMillis, failures: 0)
                // What was not shared yet belongs to the window that ended.
                if !shard.unshared.isEmpty { shard.unshared[pair] = nil }
            }
            attempts.failures &+= 1
            shard.pairs[pair] = attempts
            shard.changed.insert(pair)
            if sharing.load(ordering: .relaxed) { shard.unshared[pair, default: 0] &+= 1 }
            return attempts.failures
        }
    }

    /// Drops a full shard's expired pairs, or else the pair whose window ends soonest.
    private func makeRoom(in shard: inout Shard, nowMillis: Int64) {
        shard.pairs = shard.pairs.filter { $0.value.windowEndsMillis > nowMillis }
        guard shard.pairs.count >= pairsPerShard,
              let soonest = shard.pairs.min(by: { $0.value.windowEndsMillis < $1.value.windowEndsMillis })?.key
        else { return }
        shard.pairs[soonest] = nil
        shard.changed.remove(soonest)
        shard.unshared[soonest] = nil
        evictions.add(1, ordering: .relaxed)
    }

    /// Whether an answer with `decision` counts as a failed guess: not_found and mismatch, and partial too (a
    /// partial answer still says which submitted field is wrong, which is all a guesser needs).
    public static func counts(_ decision: MatchDecision) -> Bool {
        switch decision {
        case .match: false
        case .partial, .mismatch, .notFound: true
        }
    }

    // MARK: Persistence and upkeep (off the request path)

    /// The pairs changed since the last call, with their current counts (expired ones included: they drop out at
    /// the next load).
    public func drainChanges() -> [(Pair, Attempts)] {
        var changes: [(Pair, Attempts)] = []
        for shard in shards {
            shard.mutex.withLock { shard in
                for pair in shard.changed {
                    if let attempts = shard.pairs[pair] { changes.append((pair, attempts)) }
                }
                shard.changed.removeAll(keepingCapacity: true)
            }
        }
        return changes
    }

    /// Marks a pair changed again (its append failed: the next flush writes it).
    func markChanged(_ pair: Pair) {
        shard(pair.subject).mutex.withLock { _ = $0.changed.insert(pair) }
    }

    /// Every pair whose window is still open at `now` (what a compacted journal holds).
    public func openWindows(now: Date) -> [(Pair, Attempts)] {
        let nowMillis = Self.millis(now)
        var open: [(Pair, Attempts)] = []
        for shard in shards {
            shard.mutex.withLock { shard in
                for (pair, attempts) in shard.pairs where attempts.windowEndsMillis > nowMillis {
                    open.append((pair, attempts))
                }
            }
        }
        return open
    }

    /// Puts back a pair read from the journal (a later window end wins).
    public func restore(_ pair: Pair, _ attempts: Attempts) {
        shard(pair.subject).mutex.withLock { shard in
            if let existing = shard.pairs[pair], existing.windowEndsMillis > attempts.windowEndsMillis { return }
            if shard.pairs[pair] == nil, shard.pairs.count >= pairsPerShard {
                makeRoom(in: &shard, nowMillis: Self.millis(Date()))
            }
            shard.pairs[pair] = attempts
        }
    }

    /// Forgets pairs whose window ended (memory stays bounded by the pairs with an open window).
    public func removeExpired(now: Date) {
        let nowMillis = Self.millis(now)
        for shard in shards {
            shard.mutex.withLock { shard in
                shard.pairs = shard.pairs.filter { $0.value.windowEndsMillis > nowMillis }
                if !shard.unshared.isEmpty {
                    let held = shard.pairs
                    shard.unshared = shard.unshared.filter { held[$0.key] != nil }
                }
            }
        }
    }

    // MARK: Counts shared across a fleet (docs/CLIENTS.md, "In a fleet"; the syncer runs off the request path)

    /// Failures counted here and not yet added to the fleet's count: one pair's, in its current window.
    public struct Unshared: Sendable, Equatable {
        public var pair: Pair
        public var windowEndsMillis: Int64
        public var failures: UInt32

        public init(pair: Pair, windowEndsMillis: Int64, failures: UInt32) {
            self.pair = pair
            self.windowEndsMillis = windowEndsMillis
            self.failures = failures
        }
    }

    /// From now on every counted failure is also kept for the fleet's shared count until `takeUnshared`.
    public func enableSharing() { sharing.store(true, ordering: .relaxed) }

    /// Failures not yet shared, per pair with an open window, and forgets them (give them back with
    /// `returnUnshared` when they could not be shared). Memory: one entry per pair held, at most.
    public func takeUnshared(now: Date) -> [Unshared] {
        let nowMillis = Self.millis(now)
        var taken: [Unshared] = []
        for shard in shards {
            shard.mutex.withLock { shard in
                guard !shard.unshared.isEmpty else { return }
                for (pair, failures) in shard.unshared {
                    if let attempts = shard.pairs[pair], attempts.windowEndsMillis > nowMillis {
                        taken.append(Unshared(pair: pair, windowEndsMillis: attempts.windowEndsMillis, failures: failures))
                    }
                }
                shard.unshared.removeAll(keepingCapacity: true)
            }
        }
        return taken
    }

    /// Puts back failures `takeUnshared` gave that could not be shared (the fleet's database was down): they are
    /// shared with the next ones, unless their pair's window ended meanwhile.
    public func returnUnshared(_ unshared: [Unshared], now: Date) {
        let nowMillis = Self.millis(now)
        for item in unshared where item.windowEndsMillis > nowMillis {
            shard(item.pair.subject).mutex.withLock { shard in
                guard let attempts = shard.pairs[item.pair], attempts.windowEndsMillis > nowMillis else { return }
                shard.unshared[item.pair, default: 0] &+= item.failures
            }
        }
    }

    /// Takes in the fleet's count of a pair (every node's failures in the fleet's window for it, ending at
    /// `windowEndsMillis`): the pair's window becomes the fleet's, its count the fleet's plus what this node
    /// counted since and has not shared yet (never lower than the count held). A pair over its limit on other
    /// nodes is refused here from then on. Ignored when that window has ended.
    public func mergeShared(_ pair: Pair, windowEndsMillis: Int64, failures: UInt32, now: Date) {
        let nowMillis = Self.millis(now)
        guard windowEndsMillis > nowMillis, failures > 0 else { return }
        shard(pair.subject).mutex.withLock { shard in
            let fleet = failures.addingReportingOverflow(shard.unshared[pair] ?? 0)
            let total = fleet.overflow ? UInt32.max : fleet.partialValue
            if let held = shard.pairs[pair], held.windowEndsMillis > nowMillis {
                let merged = Attempts(windowEndsMillis: windowEndsMillis, failures: max(held.failures, total))
                guard merged != held else { return }
                shard.pairs[pair] = merged
            } else {
                if shard.pairs[pair] == nil, shard.pairs.count >= pairsPerShard { makeRoom(in: &shard, nowMillis: nowMillis) }
                shard.pairs[pair] = Attempts(windowEndsMillis: windowEndsMillis, failures: total)
            }
            shard.changed.insert(pair)
        }
    }

    /// The count held for a pair; nil when none or its window ended.
    public func attempts(_ pair: Pair, now: Date) -> Attempts? {
        let nowMillis = Self.millis(now)
        return shard(pair.subject).mutex.withLock { shard in
            shard.pairs[pair].flatMap { $0.windowEndsMillis > nowMillis ? $0 : nil }
        }
    }

    /// Pairs held (open windows and not yet removed expired ones).
    public var trackedPairs: Int {
        shards.reduce(0) { total, shard in total + shard.mutex.withLock { $0.pairs.count } }
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
}
