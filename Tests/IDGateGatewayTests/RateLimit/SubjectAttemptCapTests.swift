import Foundation
import IDGateCore
import Testing
@testable import IDGateGateway

/// `guessing.maxTrackedPairs`: the limiter's memory stays bounded; expired pairs go first, then the one whose window
/// ends soonest, and pairs of other shards are untouched.
@Suite struct SubjectAttemptCapTests {
    /// A pair in shard `shard` (the subject hash's low bits choose it).
    static func pair(_ index: UInt64, shard: UInt64 = 0, client: String = "bank-a") -> SubjectAttemptLimiter.Pair {
        SubjectAttemptLimiter.Pair(subject: SHA256Key(words: (index << 6 | shard, index, 0, 0)), clientID: client)
    }

    @Test func aFullShardDropsExpiredPairsThenTheOneEndingSoonest() {
        let limiter = SubjectAttemptLimiter(windowSeconds: 100, maxPairs: 128)  // 2 pairs per shard
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let (a, b, c, d) = (Self.pair(1), Self.pair(2), Self.pair(3), Self.pair(4))
        let elsewhere = Self.pair(5, shard: 7)
        for _ in 0..<5 { limiter.recordFailure(a, now: start) }
        limiter.recordFailure(elsewhere, now: start)
        #expect(limiter.refusal(a, limit: 5, now: start.addingTimeInterval(1)) != nil)
        limiter.recordFailure(b, now: start.addingTimeInterval(10))
        // Shard 0 is full (a, b): c pushes out a, whose window ends first.
        limiter.recordFailure(c, now: start.addingTimeInterval(20))
        #expect(limiter.evictedPairs == 1)
        #expect(limiter.refusal(a, limit: 5, now: start.addingTimeInterval(21)) == nil)
        #expect(limiter.trackedPairs == 3)
        // Later b's and c's windows have ended: d takes the room of expired pairs, nothing is evicted.
        limiter.recordFailure(d, now: start.addingTimeInterval(150))
        #expect(limiter.evictedPairs == 1)
        #expect(limiter.trackedPairs == 2)  // d, and the pair of shard 7 (expired, swept later)
        // A pair already held counts on without making room.
        limiter.recordFailure(d, now: start.addingTimeInterval(151))
        #expect(limiter.trackedPairs == 2 && limiter.evictedPairs == 1)
    }
}
