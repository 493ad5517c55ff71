import Synchronization

/// The run's clock boundaries and its shared request budget, read by every worker.
final class LoadRunControl: Sendable {
    /// Monotonic start of the run (warm-up begins here).
    let startNanos: UInt64
    /// Requests started at or after this are measured.
    let measureStartNanos: UInt64
    /// No request starts at or after this (end of the measured phase, or the cap of a counted run).
    let measureEndNanos: UInt64
    /// After the measured phase, in-flight requests get this long before they are cancelled as timeouts.
    let drainNanos: UInt64
    /// Measured closed-loop requests allowed in total (`nil`: until `measureEndNanos`).
    let requestBudget: Int?
    private let issued = Atomic<Int>(0)
    private let finishedWorkers = Atomic<Int>(0)
    private let stopRequested = Atomic<Bool>(false)

    init(startNanos: UInt64, options: LoadOptions) {
        self.startNanos = startNanos
        measureStartNanos = startNanos + options.warmupNanos
        measureEndNanos = measureStartNanos + options.durationNanos
        drainNanos = options.timeoutNanos
        requestBudget = options.requestCount
    }

    /// The moment every worker must be done, whatever the target does.
    var hardDeadlineNanos: UInt64 { measureEndNanos + drainNanos + 1_000_000_000 }

    /// Claims one measured request from the budget; false once it is spent.
    func claimMeasuredRequest() -> Bool {
        guard let requestBudget else { return true }
        return issued.wrappingAdd(1, ordering: .relaxed).oldValue < requestBudget
    }

    var budgetSpent: Bool {
        guard let requestBudget else { return false }
        return issued.load(ordering: .relaxed) >= requestBudget
    }

    func workerFinished() { finishedWorkers.wrappingAdd(1, ordering: .releasing) }
    var finishedWorkerCount: Int { finishedWorkers.load(ordering: .acquiring) }

    /// Ends the run early (Ctrl-C in a soak): workers stop sending and drain as at the end of the measured phase.
    func requestStop() { stopRequested.store(true, ordering: .releasing) }
    var isStopRequested: Bool { stopRequested.load(ordering: .acquiring) }
}
