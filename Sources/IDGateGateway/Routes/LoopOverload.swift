import IDGateHTTP2
import NIOCore

/// Which requests one event loop refuses because it is behind: CoDel's rule (Nichols and Jacobson, "Controlling
/// Queue Delay", ACM Queue 2012) applied to the loop's read bursts (`LoopWait`).
///
/// Why time and not a count: a loop runs handlers as it reads, so its queue is the kernel's socket buffers plus the
/// work ahead of a request in the same read burst, and the cost of a request varies (a batch is 50 matches). What
/// a queued request loses is time. A burst that runs past `target` means bytes waited that long in the kernel
/// meanwhile; bursts that keep doing so for `interval` are a standing queue, not a burst the loop will absorb. Then
/// the requests that waited past `target` in their burst are refused at once (503 `overloaded`, a few microseconds,
/// no audit write), so each burst does at most `target` of admitted work: admitted requests wait about two targets,
/// refused ones are answered within a burst, and health checks and other connections are read at least that often.
///
/// Not Sendable: one per event loop (`LoopContext`), used only on it.
final class LoopOverload {
    let targetNanos: UInt64
    let intervalNanos: UInt64
    /// The burst the last request came from (its start identifies it).
    private var burstStartNanos: UInt64 = .max
    /// Since when every burst ran past the target; nil while the loop keeps up.
    private var behindSinceNanos: UInt64?
    /// How long an admitted request may take from its complete arrival to the end of its answer before it counts
    /// as late (`noteAnswered`).
    let answerTargetNanos: UInt64
    /// When answers late past `answerTargetNanos` will have lasted `interval`; nil while answers are on time.
    private var answersLateFromNanos: UInt64?
    /// Answers have been late for `interval`: each burst refuses what waited `lateAnswersBurstNanos` or more in it,
    /// until a short burst or an idle gap (`shedReason`).
    private(set) var answersAreLate = false
    /// While answers are late, how much of each burst is admitted: half the answer target (the other half is for
    /// the commit), at least the burst target.
    let lateAnswersBurstNanos: UInt64
    /// A gap between bursts this long ends the late state however long the last burst was: while answers wait for
    /// their commits, gaps last a commit (100-300 ms measured under a 30% CPU limit); one of a second is idleness.
    /// Never with an answer target of 0 (a drill: every answer late, and the state kept).
    let idleEndsLateAnswersNanos: UInt64

    init(targetNanos: UInt64, intervalNanos: UInt64, answerTargetNanos: UInt64 = .max) {
        self.targetNanos = targetNanos
        self.intervalNanos = intervalNanos
        self.answerTargetNanos = answerTargetNanos
        lateAnswersBurstNanos = max(targetNanos, answerTargetNanos / 2)
        idleEndsLateAnswersNanos = answerTargetNanos == 0 ? .max : 1_000_000_000
    }

    convenience init(_ settings: GatewayConfiguration.OverloadSettings) {
        self.init(
            targetNanos: UInt64(max(0, settings.queueDelayTargetMillis) * 1e6),
            intervalNanos: UInt64(max(0, settings.queueDelayIntervalMillis) * 1e6),
            answerTargetNanos: UInt64(min(max(0, settings.answerDelayTargetMillis) * 1e6, Double(UInt64.max / 2))))
    }

    /// Called for every answered request (not for 503s) with the time from its complete arrival to the end of its
    /// answer: CoDel's rule on the queue after the loop. With audit on, admitted answers wait for their records'
    /// commit; when the audit writer falls behind, clients with every stream waiting leave the loop idle between
    /// bursts, so the bursts never look behind (the gap rule) while answers take seconds (1.2x the peak offered
    /// open loop, audit on: no request refused, client p99 2.7 s; docs/RELIABILITY.md). Answers later than the target one after the
    /// other for `interval` are a standing queue (one late commit is absorbed): from then on the loop sheds by its
    /// bursts whatever the gaps between them, until a burst shorter than the target, or a second without bursts,
    /// shows it caught up.
    /// `now` (monotonic nanoseconds, the `NIODeadline` clock) is read only for a late answer; `isUpload` (a batch
    /// upload, which lasts as long as its client sends) only then, and such answers are not counted.
    func noteAnswered(
        durationNanos: UInt64, isUpload: @autoclosure () -> Bool = false,
        now: @autoclosure () -> UInt64 = NIODeadline.now().uptimeNanoseconds
    ) {
        guard durationNanos >= answerTargetNanos else {
            answersLateFromNanos = nil
            return
        }
        guard !isUpload() else { return }
        let now = now()
        guard let from = answersLateFromNanos else {
            answersLateFromNanos = now &+ intervalNanos
            if intervalNanos == 0 { answersAreLate = true }
            return
        }
        if now >= from { answersAreLate = true }
    }

    /// Why a request is refused.
    enum ShedReason {
        /// It waited the target in its burst while the loop's bursts have been behind for the interval.
        case queueDelay
        /// It waited `lateAnswersBurstNanos` in its burst while answers have been late (`noteAnswered`).
        case lateAnswers
    }

    /// True when `wait`'s request should be refused: it waited `target` or more in its burst, and the loop has
    /// been behind for at least `interval`: bursts ran past the target one after the other, with no more than
    /// `target` between them (a longer gap means the loop caught up). One long burst alone is a spike, absorbed
    /// (a thread the machine preempted looks like that too). Target and interval 0 refuse every request (drills,
    /// tests). Also true when the late-answers rule refuses it (`shedReason` says which).
    func shouldShed(_ wait: LoopWait) -> Bool { shedReason(wait) != nil }

    /// Why `wait`'s request should be refused (`shouldShed`, and the late-answers rule of `noteAnswered`); nil to
    /// admit it.
    func shedReason(_ wait: LoopWait) -> ShedReason? {
        if targetNanos == 0 && intervalNanos == 0 { return .queueDelay }
        if wait.burstStartNanos != burstStartNanos {
            burstStartNanos = wait.burstStartNanos
            // Caught up: a short burst, or a loop idle for longer than any audit commit takes.
            if wait.previousBurstNanos < targetNanos || wait.gapBeforeNanos >= idleEndsLateAnswersNanos {
                answersAreLate = false
            }
            if wait.previousBurstNanos >= targetNanos && wait.gapBeforeNanos < targetNanos {
                if behindSinceNanos == nil {
                    behindSinceNanos = wait.burstStartNanos &- min(
                        wait.previousBurstNanos &+ wait.gapBeforeNanos, wait.burstStartNanos)
                }
            } else {
                behindSinceNanos = nil
            }
        }
        guard wait.waitNanos >= targetNanos else { return nil }
        if let behindSince = behindSinceNanos, wait.burstStartNanos &+ wait.waitNanos &- behindSince >= intervalNanos {
            return .queueDelay
        }
        return answersAreLate && wait.waitNanos >= lateAnswersBurstNanos ? .lateAnswers : nil
    }
}
