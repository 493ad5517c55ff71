import IDGateHTTP2

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

    init(targetNanos: UInt64, intervalNanos: UInt64) {
        self.targetNanos = targetNanos
        self.intervalNanos = intervalNanos
    }

    convenience init(_ settings: GatewayConfiguration.OverloadSettings) {
        self.init(
            targetNanos: UInt64(max(0, settings.queueDelayTargetMillis) * 1e6),
            intervalNanos: UInt64(max(0, settings.queueDelayIntervalMillis) * 1e6))
    }

    /// True when `wait`'s request should be refused: it waited `target` or more in its burst, and the loop has
    /// been behind for at least `interval`: bursts ran past the target one after the other, with no more than
    /// `target` between them (a longer gap means the loop caught up). One long burst alone is a spike, absorbed
    /// (a thread the machine preempted looks like that too). Target and interval 0 refuse every request (drills,
    /// tests).
    func shouldShed(_ wait: LoopWait) -> Bool {
        if targetNanos == 0 && intervalNanos == 0 { return true }
        if wait.burstStartNanos != burstStartNanos {
            burstStartNanos = wait.burstStartNanos
            if wait.previousBurstNanos >= targetNanos && wait.gapBeforeNanos < targetNanos {
                if behindSinceNanos == nil {
                    behindSinceNanos = wait.burstStartNanos &- min(
                        wait.previousBurstNanos &+ wait.gapBeforeNanos, wait.burstStartNanos)
                }
            } else {
                behindSinceNanos = nil
            }
        }
        guard wait.waitNanos >= targetNanos, let behindSince = behindSinceNanos else { return false }
        return wait.burstStartNanos &+ wait.waitNanos &- behindSince >= intervalNanos
    }
}
