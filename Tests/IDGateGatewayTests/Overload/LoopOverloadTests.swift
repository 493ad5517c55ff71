import Foundation
@testable import IDGateGateway
import IDGateHTTP2
import Testing

/// The shedding rule on synthetic read bursts: every time is given, so each case is exact (no clock, no race).
@Suite struct LoopOverloadTests {
    static let ms: UInt64 = 1_000_000
    let overload = LoopOverload(targetNanos: 5 * ms, intervalNanos: 100 * ms)

    func wait(burst: UInt64, after: UInt64, previous: UInt64, gap: UInt64 = 0) -> LoopWait {
        LoopWait(
            burstStartNanos: burst * Self.ms, waitNanos: after * Self.ms, previousBurstNanos: previous * Self.ms,
            gapBeforeNanos: gap * Self.ms)
    }

    @Test func aLoopThatKeepsUpShedsNothing() {
        for burst in stride(from: UInt64(1_000), to: 2_000, by: 10) {
            for after in [0, 1, 4] as [UInt64] {
                #expect(!overload.shouldShed(wait(burst: burst, after: after, previous: 4)))
            }
        }
    }

    /// A single long burst (a spike) is absorbed: its late requests waited past the target, but the loop has not
    /// been behind for the interval.
    @Test func aBurstShorterThanTheIntervalIsAbsorbed() {
        #expect(!overload.shouldShed(wait(burst: 1_000, after: 0, previous: 1)))
        #expect(!overload.shouldShed(wait(burst: 1_000, after: 60, previous: 1)))
        #expect(!overload.shouldShed(wait(burst: 1_061, after: 30, previous: 61)))
    }

    /// Bursts past the target for the whole interval: from then on, in each burst, the requests that waited the
    /// target or more are refused and the earlier ones admitted.
    @Test func aStandingQueueShedsWhatWaitedPastTheTarget() {
        #expect(!overload.shouldShed(wait(burst: 1_000, after: 80, previous: 1)))
        // Behind since 1000 (the previous burst ran 81 ms past its start).
        #expect(!overload.shouldShed(wait(burst: 1_081, after: 4, previous: 81)))
        #expect(overload.shouldShed(wait(burst: 1_081, after: 20, previous: 81)))
        #expect(!overload.shouldShed(wait(burst: 1_110, after: 1, previous: 29)))
        #expect(overload.shouldShed(wait(burst: 1_110, after: 5, previous: 29)))
        #expect(overload.shouldShed(wait(burst: 1_110, after: 9, previous: 29)))
    }

    /// One long burst alone is absorbed, however long (a preempted thread looks the same).
    @Test func oneLongBurstAloneIsAbsorbed() {
        #expect(!overload.shouldShed(wait(burst: 1_000, after: 99, previous: 1)))
        #expect(!overload.shouldShed(wait(burst: 1_000, after: 300, previous: 1)))
    }

    /// Idle time between bursts means the loop caught up: an earlier long burst no longer counts.
    @Test func anIdleGapEndsTheBehindState() {
        #expect(!overload.shouldShed(wait(burst: 1_000, after: 80, previous: 1)))
        #expect(overload.shouldShed(wait(burst: 1_081, after: 20, previous: 81)))
        // The next burst starts 2 s after the previous one ended.
        #expect(!overload.shouldShed(wait(burst: 3_200, after: 20, previous: 110, gap: 2_000)))
        #expect(!overload.shouldShed(wait(burst: 3_200, after: 200, previous: 110, gap: 2_000)))
    }

    /// A burst within the target means the loop caught up: the next late request starts a new interval.
    @Test func catchingUpEndsShedding() {
        #expect(!overload.shouldShed(wait(burst: 1_000, after: 90, previous: 1)))
        #expect(overload.shouldShed(wait(burst: 1_091, after: 10, previous: 91)))
        #expect(!overload.shouldShed(wait(burst: 1_200, after: 1, previous: 3)))
        #expect(!overload.shouldShed(wait(burst: 1_200, after: 50, previous: 3)))
    }

    /// Answers late past their target for the interval (audit commits behind) make the loop shed the tail of each
    /// burst even when idle gaps separate the bursts (the clients' streams all wait on the loop's answers), and
    /// only past half the answer target: the other half is the commit's. A burst within the target ends it.
    @Test func lateAnswersShedTheTailOfBurstsDespiteGaps() {
        let loop = LoopOverload(targetNanos: 5 * Self.ms, intervalNanos: 100 * Self.ms, answerTargetNanos: 50 * Self.ms)
        #expect(loop.lateAnswersBurstNanos == 25 * Self.ms)
        // Long bursts with idle gaps between them: the burst rule alone never sheds.
        #expect(loop.shedReason(wait(burst: 1_000, after: 40, previous: 60, gap: 200)) == nil)
        // Late answers, one after the other: the first starts the interval, none yet sheds.
        loop.noteAnswered(durationNanos: 300 * Self.ms, now: 1_300 * Self.ms)
        loop.noteAnswered(durationNanos: 250 * Self.ms, now: 1_350 * Self.ms)
        #expect(loop.shedReason(wait(burst: 1_400, after: 40, previous: 60, gap: 200)) == nil)
        loop.noteAnswered(durationNanos: 260 * Self.ms, now: 1_401 * Self.ms)
        #expect(loop.answersAreLate)
        // Now each burst admits its first 25 ms and refuses the rest, gaps or not.
        #expect(loop.shedReason(wait(burst: 1_700, after: 10, previous: 60, gap: 200)) == nil)
        #expect(loop.shedReason(wait(burst: 1_700, after: 24, previous: 60, gap: 200)) == nil)
        #expect(loop.shedReason(wait(burst: 1_700, after: 25, previous: 60, gap: 200)) == .lateAnswers)
        #expect(loop.shedReason(wait(burst: 1_700, after: 90, previous: 60, gap: 200)) == .lateAnswers)
        // On-time answers do not end it while bursts stay long (that is the shedding working) ...
        loop.noteAnswered(durationNanos: 20 * Self.ms, now: 1_800 * Self.ms)
        #expect(loop.shedReason(wait(burst: 1_900, after: 30, previous: 40, gap: 100)) == .lateAnswers)
        // ... a burst shorter than the target does: the loop caught up with its input.
        #expect(loop.shedReason(wait(burst: 2_100, after: 30, previous: 3, gap: 100)) == nil)
        #expect(!loop.answersAreLate)
        // Late again; then the loop idles for a second (the load stopped): a long burst after that is not shed.
        loop.noteAnswered(durationNanos: 300 * Self.ms, now: 2_200 * Self.ms)
        loop.noteAnswered(durationNanos: 300 * Self.ms, now: 2_300 * Self.ms)
        #expect(loop.answersAreLate)
        #expect(loop.shedReason(wait(burst: 2_400, after: 30, previous: 60, gap: 300)) == .lateAnswers)
        #expect(loop.shedReason(wait(burst: 3_500, after: 30, previous: 60, gap: 1_000)) == nil)
        #expect(!loop.answersAreLate)
    }

    /// One late commit, or late answers separated by on-time ones, are absorbed.
    @Test func lateAnswersShorterThanTheIntervalAreAbsorbed() {
        let loop = LoopOverload(targetNanos: 5 * Self.ms, intervalNanos: 100 * Self.ms, answerTargetNanos: 50 * Self.ms)
        loop.noteAnswered(durationNanos: 400 * Self.ms, now: 1_000 * Self.ms)
        loop.noteAnswered(durationNanos: 400 * Self.ms, now: 1_090 * Self.ms)
        loop.noteAnswered(durationNanos: 2 * Self.ms, now: 1_095 * Self.ms)
        loop.noteAnswered(durationNanos: 400 * Self.ms, now: 1_150 * Self.ms)
        #expect(!loop.answersAreLate)
        #expect(loop.shedReason(wait(burst: 1_160, after: 80, previous: 90, gap: 50)) == nil)
        // Batch uploads last as long as their clients send: not answers that can be late.
        loop.noteAnswered(durationNanos: 9_000 * Self.ms, isUpload: true, now: 1_200 * Self.ms)
        loop.noteAnswered(durationNanos: 9_000 * Self.ms, isUpload: true, now: 1_400 * Self.ms)
        #expect(!loop.answersAreLate)
        // Without a target (the default) answers are never late.
        let untargeted = LoopOverload(targetNanos: 5 * Self.ms, intervalNanos: 100 * Self.ms)
        for second in 1...5 as ClosedRange<UInt64> {
            untargeted.noteAnswered(durationNanos: 10_000 * Self.ms, now: second * 1_000 * Self.ms)
        }
        #expect(!untargeted.answersAreLate)
    }

    @Test func targetAndIntervalZeroShedEverything() {
        let always = LoopOverload(targetNanos: 0, intervalNanos: 0)
        #expect(always.shouldShed(LoopWait(burstStartNanos: 7, waitNanos: 0, previousBurstNanos: 0)))
        #expect(always.shouldShed(LoopWait(burstStartNanos: 9, waitNanos: 3, previousBurstNanos: 0)))
    }

    @Test func settingsDecodeWithDefaultsAndRefuseNegativeValues() throws {
        let defaults = try JSONDecoder().decode(GatewayConfiguration.OverloadSettings.self, from: Data("{}".utf8))
        #expect(defaults.queueDelayTargetMillis == 5)
        #expect(defaults.queueDelayIntervalMillis == 100)
        #expect(defaults.answerDelayTargetMillis == 50)
        let given = try JSONDecoder().decode(
            GatewayConfiguration.OverloadSettings.self,
            from: Data(#"{"queueDelayTargetMillis":2.5,"queueDelayIntervalMillis":0}"#.utf8))
        #expect(given.queueDelayTargetMillis == 2.5 && given.queueDelayIntervalMillis == 0)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(
                GatewayConfiguration.OverloadSettings.self, from: Data(#"{"queueDelayTargetMillis":-1}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(
                GatewayConfiguration.OverloadSettings.self, from: Data(#"{"answerDelayTargetMillis":-1}"#.utf8))
        }
    }

    /// After a busy maintenance pass, the first quiet one gives memory back, once per burst.
    @Test func memoryIsTrimmedOnceAfterEachBurst() {
        let memory = MemoryAfterBursts()
        memory.check(peakInFlight: 10)
        #expect(memory.trims.load(ordering: .relaxed) == 0)
        memory.check(peakInFlight: MemoryAfterBursts.busyPeak)
        memory.check(peakInFlight: 300)
        #expect(memory.trims.load(ordering: .relaxed) == 0)
        memory.check(peakInFlight: 0)
        #expect(memory.trims.load(ordering: .relaxed) == 1)
        memory.check(peakInFlight: 0)
        #expect(memory.trims.load(ordering: .relaxed) == 1)
    }
}
