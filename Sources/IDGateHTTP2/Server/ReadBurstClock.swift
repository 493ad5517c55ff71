import NIOCore

/// How long a request waited on its event loop before its handler ran: the overload signal of the gateway's
/// admission (docs/RELIABILITY.md).
///
/// Why this and not a count of requests in flight: handlers run on the loop as their bytes are read, so a saturated
/// loop queues requests in the kernel's socket buffers and in its own read burst, where no counter sees them; what
/// every queued request shares is time. A loop's *read burst* is one pass over its ready connections: it begins with
/// the first read of the pass and ends when the loop turns to its queued tasks. A request read in a burst waited at
/// least `waitNanos` behind the burst's earlier work, and, when the loop went straight from the previous burst into
/// this one, up to `previousBurstNanos` more in the kernel while the loop was busy with that burst.
public struct LoopWait: Sendable, Equatable {
    /// When the loop began the read burst that delivered the request (monotonic, `NIODeadline` clock): identifies
    /// the burst.
    public let burstStartNanos: UInt64
    /// From the burst's start to the request's header block: the work the loop did for others first.
    public let waitNanos: UInt64
    /// How long the loop's previous read burst took, start to end.
    public let previousBurstNanos: UInt64
    /// From the end of the previous burst to the start of this one: the loop ran its tasks or was idle. A long gap
    /// means the loop caught up with its input.
    public let gapBeforeNanos: UInt64

    public init(burstStartNanos: UInt64, waitNanos: UInt64, previousBurstNanos: UInt64, gapBeforeNanos: UInt64 = 0) {
        self.burstStartNanos = burstStartNanos
        self.waitNanos = waitNanos
        self.previousBurstNanos = previousBurstNanos
        self.gapBeforeNanos = gapBeforeNanos
    }
}

/// Stamps the read bursts of one event loop (`LoopWait`). Confined to its loop: every connection on the loop shares
/// it; `@unchecked Sendable` only because the server makes it before the loop runs.
final class ReadBurstClock: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private(set) var startNanos: UInt64 = 0
    private(set) var previousBurstNanos: UInt64 = 0
    private var previousEndNanos: UInt64 = 0
    private var gapBeforeNanos: UInt64 = 0
    private var isOpen = false
    /// Made once: scheduling a stored closure allocates nothing per burst.
    private var closeBurst: (@Sendable () -> Void)!

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        let unretained = UnownedTransfer(self)
        closeBurst = { unretained.value.close() }
    }

    /// Called for every read with its time: the first read of a pass opens a burst, closed by a task that runs once
    /// the loop has processed this pass's reads.
    @inline(__always)
    func noteRead(nowNanos: UInt64) {
        guard !isOpen else { return }
        isOpen = true
        startNanos = nowNanos
        gapBeforeNanos = previousEndNanos == 0 || nowNanos < previousEndNanos ? 0 : nowNanos &- previousEndNanos
        eventLoop.execute(closeBurst)
    }

    private func close() {
        isOpen = false
        previousEndNanos = NIODeadline.now().uptimeNanoseconds
        previousBurstNanos = previousEndNanos &- startNanos
    }

    /// The wait of a request whose header block completed at `nowNanos` in the current burst.
    func wait(at nowNanos: UInt64) -> LoopWait {
        LoopWait(
            burstStartNanos: startNanos, waitNanos: nowNanos >= startNanos ? nowNanos &- startNanos : 0,
            previousBurstNanos: previousBurstNanos, gapBeforeNanos: gapBeforeNanos)
    }
}

/// An unretained reference for a closure the referenced object itself keeps (no cycle).
private struct UnownedTransfer<Value: AnyObject>: @unchecked Sendable {
    unowned(unsafe) let value: Value
    init(_ value: Value) { self.value = value }
}
