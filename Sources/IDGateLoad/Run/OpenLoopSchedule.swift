/// The intended send times of an open-loop run: request `k` is due at `start + k / rate`, the first `warmupCount`
/// are warm-up, and `total` requests are due in all. Worker `i` of `C` sends requests `i, i + C, i + 2C, ...`.
struct OpenLoopSchedule: Sendable {
    let startNanos: UInt64
    let nanosPerRequest: Double
    let warmupCount: Int
    let total: Int

    init(control: LoadRunControl, ratePerSecond: Double) {
        startNanos = control.startNanos
        nanosPerRequest = 1e9 / ratePerSecond
        let nanosPerRequest = nanosPerRequest
        let start = startNanos
        func due(_ index: Int) -> UInt64 { start + UInt64(Double(index) * nanosPerRequest) }
        func firstIndex(dueAtOrAfter time: UInt64) -> Int {
            var index = Int((Double(time - start) / nanosPerRequest).rounded(.up))
            while index > 0 && due(index - 1) >= time { index -= 1 }
            while due(index) < time { index += 1 }
            return index
        }
        let warmup = firstIndex(dueAtOrAfter: control.measureStartNanos)
        let untilEnd = firstIndex(dueAtOrAfter: control.measureEndNanos)
        warmupCount = warmup
        total = control.requestBudget.map { Swift.min(warmup + $0, untilEnd) } ?? untilEnd
    }

    @inline(__always)
    func dueNanos(_ index: Int) -> UInt64 { startNanos + UInt64(Double(index) * nanosPerRequest) }
}
