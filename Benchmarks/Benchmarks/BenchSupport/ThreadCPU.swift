import Benchmark

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public extension BenchmarkMetric {
    /// CPU time of the benchmark's own thread during a measured iteration, in nanoseconds
    /// (`CLOCK_THREAD_CPUTIME_ID`). Unlike `wallClock` it leaves out the time the thread waited for a core, so other
    /// work on the machine moves it far less; unlike `cpuTotal` it is exact, not counted in 10 ms scheduler ticks.
    static var threadCPU: BenchmarkMetric { .custom("threadCPU") }
}

public extension Benchmark {
    /// Runs `body` (the iteration's operations) and records the CPU time the calling thread spent in it as
    /// `threadCPU`. For single-threaded benchmarks: work done on other threads is not counted.
    func measuringThreadCPU(_ body: () throws -> Void) rethrows {
        let start = threadCPUNanoseconds()
        try body()
        measurement(.threadCPU, threadCPUNanoseconds() - start)
    }
}

private func threadCPUNanoseconds() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Int(time.tv_sec) * 1_000_000_000 + Int(time.tv_nsec)
}
