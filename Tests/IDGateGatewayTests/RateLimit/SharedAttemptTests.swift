import Foundation
import IDGateCore
import Testing
@testable import IDGateGateway

/// The limiter's side of the fleet's shared counts (docs/CLIENTS.md, "In a fleet"): failures not yet shared are a
/// set of their own beside the journal's changes, given back when they could not be sent, and the fleet's counts
/// merge into the shards so a pair over its limit elsewhere is refused here.
@Suite struct SharedAttemptTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func unsharedFailuresAreTheirOwnSetBesideTheJournalsChanges() {
        let limiter = SubjectAttemptLimiter(windowSeconds: 100)
        let pair = SubjectAttemptCapTests.pair(1)
        limiter.recordFailure(pair, now: start)
        #expect(limiter.takeUnshared(now: start).isEmpty)  // sharing off: nothing kept for the fleet
        limiter.enableSharing()
        limiter.recordFailure(pair, now: start)
        limiter.recordFailure(pair, now: start)
        // The journal drains its changes; the fleet's deltas are still there, and the other way round.
        #expect(limiter.drainChanges().map(\.1.failures) == [3])
        let taken = limiter.takeUnshared(now: start)
        #expect(taken == [.init(pair: pair, windowEndsMillis: 1_800_000_100_000, failures: 2)])
        limiter.recordFailure(pair, now: start)
        #expect(limiter.takeUnshared(now: start).map(\.failures) == [1])
        #expect(limiter.drainChanges().map(\.1.failures) == [4])
        // Not sent (database down): given back, they add to what came since.
        limiter.returnUnshared(taken, now: start)
        limiter.recordFailure(pair, now: start)
        #expect(limiter.takeUnshared(now: start).map(\.failures) == [3])
        // Once the pair's window ended, nothing of it is kept or given back.
        limiter.returnUnshared(taken, now: start.addingTimeInterval(100))
        #expect(limiter.takeUnshared(now: start.addingTimeInterval(100)).isEmpty)
    }

    @Test func theFleetsCountIsMergedWithWhatIsNotSharedYet() {
        let limiter = SubjectAttemptLimiter(windowSeconds: 100)
        limiter.enableSharing()
        let here = SubjectAttemptCapTests.pair(1)
        let unseen = SubjectAttemptCapTests.pair(2)
        let fleetEnd: Int64 = 1_800_000_090_000  // another node's window, opened 10 s earlier
        limiter.recordFailure(here, now: start)
        _ = limiter.takeUnshared(now: start)
        limiter.recordFailure(here, now: start)  // not shared yet
        // The fleet has 4 (this node's first one included): 4 + the unshared 1, in the fleet's window.
        limiter.mergeShared(here, windowEndsMillis: fleetEnd, failures: 4, now: start)
        #expect(limiter.attempts(here, now: start) == .init(windowEndsMillis: fleetEnd, failures: 5))
        #expect(limiter.refusal(here, limit: 5, now: start) != nil)
        // A pair this node never saw is refused once the fleet reached the limit; a lower count never lowers one.
        limiter.mergeShared(unseen, windowEndsMillis: fleetEnd, failures: 5, now: start)
        #expect(limiter.refusal(unseen, limit: 5, now: start) != nil)
        limiter.mergeShared(unseen, windowEndsMillis: fleetEnd, failures: 2, now: start)
        #expect(limiter.attempts(unseen, now: start)?.failures == 5)
        // Merged counts reach the journal (a restart keeps them), not the fleet's deltas (they came from there).
        #expect(Set(limiter.drainChanges().map(\.0)) == [here, unseen])
        #expect(limiter.takeUnshared(now: start).map(\.failures) == [1])
        // A fleet count whose window ended is ignored.
        limiter.mergeShared(SubjectAttemptCapTests.pair(3), windowEndsMillis: fleetEnd, failures: 9, now: start.addingTimeInterval(95))
        #expect(limiter.attempts(SubjectAttemptCapTests.pair(3), now: start.addingTimeInterval(95)) == nil)
    }
}
