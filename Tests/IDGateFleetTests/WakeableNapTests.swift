import Testing
@testable import IDGateFleet

/// The fleet services' sleep (`WakeableNap`): a wake ends a nap at once, whether it comes during the nap or before.
/// Naps here last an hour, so only a wake can end them; the time limit turns a lost wake into a failure. It is
/// generous because it counts from the test's start, and a full `swift test` on a busy 2-core machine stalls every
/// test for over a minute at times (this suite's one-line tests took 83-102 s in such a run and failed at 1 minute).
@Suite(.timeLimit(.minutes(10))) struct WakeableNapTests {
    @Test func aWakeBeforeTheNapIsKept() async {
        let napper = WakeableNap()
        napper.wake()
        await napper.nap(for: .seconds(3600))
    }

    @Test func aWakeDuringTheNapEndsIt() async {
        let napper = WakeableNap()
        let napping = Task { await napper.nap(for: .seconds(3600)) }
        napper.wake()  // before or during the nap: either ends it
        await napping.value
        // The wake was used up: a second wake is needed for the next nap.
        let next = Task { await napper.nap(for: .seconds(3600)) }
        napper.wake()
        await next.value
    }

    @Test func cancellationEndsTheNap() async {
        let napper = WakeableNap()
        let napping = Task { await napper.nap(for: .seconds(3600)) }
        napping.cancel()
        await napping.value
    }

    @Test func aNapWithoutWakeLastsItsDuration() async {
        let napper = WakeableNap()
        let start = ContinuousClock.now
        await napper.nap(for: .milliseconds(50))
        #expect(ContinuousClock.now - start >= .milliseconds(50))
    }
}
