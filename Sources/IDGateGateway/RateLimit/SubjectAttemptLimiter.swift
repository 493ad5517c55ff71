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
            }
            attempts.failures &+= 1
            shard.pairs[pair] = attempts
            shard.changed.insert(pair)
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
            }
        }
    }

    /// Pairs held (open windows and not yet removed expired ones).
    public var trackedPairs: Int {
        shards.reduce(0) { total, shard in total + shard.mutex.withLock { $0.pairs.count } }
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
}
