import Foundation
import IDGateHTTP2
import NIOCore
import NIOPosix
import Synchronization

/// Runs one load test: spreads the workers over event loops, samples every second (progress line, timeline, soak
/// rows), stops by the hard deadline whatever the target does, and returns the summary.
public final class LoadRunner: Sendable {
    public let options: LoadOptions
    let plan: TrafficPlan
    /// Extra headers for the `/metrics` probe (the same credentials as the traffic).
    let probeHeaders: [(name: String, value: String)]

    private let stopSignal = Atomic<Bool>(false)

    public init(options: LoadOptions, plan: TrafficPlan, probeHeaders: [(name: String, value: String)] = []) throws {
        try options.validate()
        self.options = options
        self.plan = plan
        self.probeHeaders = probeHeaders
    }

    /// Stops a running test early (e.g. on Ctrl-C): in-flight requests drain, and the summary covers the time run.
    public func stop() { stopSignal.store(true, ordering: .releasing) }

    /// - Parameter progress: receives the live line once a second (`nil` for quiet runs).
    public func run(progress: (@Sendable (String) -> Void)? = nil) async throws -> LoadSummary {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
        defer { group.shutdownGracefully { _ in } }
        let client = try clientConfiguration()
        let control = LoadRunControl(startNanos: H2ClientClock.nowNanos(), options: options)
        let schedule: OpenLoopSchedule? =
            if case .openLoop(let rate) = options.pacing { OpenLoopSchedule(control: control, ratePerSecond: rate) } else { nil }

        let loops = Array(group.makeIterator())
        let recorders = loops.map { _ in LoadRecorder() }
        for index in 0..<options.connections {
            let loop = loops[index % loops.count]
            let recorder = recorders[index % loops.count]
            let (plan, workers, timeout) = (plan, options.connections, options.timeoutNanos)
            loop.flatSubmit {
                LoadWorker(
                    index: index, workerCount: workers, eventLoop: loop, clientConfiguration: client, plan: plan,
                    recorder: recorder, control: control, schedule: schedule, timeoutNanos: timeout
                ).run()
            }.whenComplete { _ in control.workerFinished() }
        }

        var timeline: [TimelineRow] = []
        var soak = SoakTracker()
        var soakInterval = IntervalStatistics()
        var soakStartNanos = control.measureStartNanos
        var nextSampleNanos = control.startNanos + 1_000_000_000
        var lastEndNanos = control.startNanos
        var stoppedAtNanos = UInt64.max
        while true {
            let allDone = control.finishedWorkerCount == options.connections
            let now = H2ClientClock.nowNanos()
            if stopSignal.load(ordering: .acquiring) && !control.isStopRequested {
                control.requestStop()
                stoppedAtNanos = now
            }
            let stopDeadline = stoppedAtNanos == .max ? UInt64.max : stoppedAtNanos + control.drainNanos + 1_000_000_000
            let finishing = allDone || now >= Swift.min(control.hardDeadlineNanos, stopDeadline)
            // Every second boundary that has passed is sampled, also when this task wakes late (a busy machine) or
            // the run has just ended: a late wake-up used to end the run without the seconds it overslept, leaving a
            // soak run of 2.2 measured seconds with no row. Boundaries after the measured phase are not sampled.
            while now >= nextSampleNanos && (!finishing || nextSampleNanos <= control.measureEndNanos) {
                let second = Int((nextSampleNanos - control.startNanos) / 1_000_000_000)
                var interval = IntervalStatistics()
                for recorder in recorders { interval.add(recorder.takeInterval()) }
                let measured = nextSampleNanos > control.measureStartNanos
                timeline.append(TimelineRow(
                    second: second, measured: measured, requests: interval.requests, errors: interval.errors,
                    p50: interval.latency.micros(atPercentile: 50), p99: interval.latency.micros(atPercentile: 99)))
                if let line = progressLine(second: second, interval: interval, warmup: !measured) { progress?(line) }
                if measured, let soakIntervalNanos = options.soakIntervalNanos {
                    soakInterval.add(interval)
                    if nextSampleNanos - soakStartNanos >= soakIntervalNanos {
                        let metrics = await TargetMetrics.fetch(
                            configuration: client, target: options.target, headers: probeHeaders, on: loops[0], timeout: .seconds(2))
                        let row = soak.append(
                            endSecond: second, interval: soakInterval,
                            seconds: Double(nextSampleNanos - soakStartNanos) / 1e9, metrics: metrics)
                        progress?(Self.describe(row))
                        soakInterval = IntervalStatistics()
                        soakStartNanos = nextSampleNanos
                    }
                }
                nextSampleNanos += 1_000_000_000
            }
            if finishing {
                lastEndNanos = Swift.min(now, stoppedAtNanos)
                break
            }
            let untilNext = Swift.min(nextSampleNanos, control.hardDeadlineNanos) &- H2ClientClock.nowNanos()
            try? await Task.sleep(nanoseconds: Swift.min(Swift.max(untilNext, 1_000_000), 20_000_000))
        }

        var statistics = LoadStatistics()
        for recorder in recorders { statistics.add(recorder.snapshot()) }
        let measuredEnd = Swift.min(lastEndNanos, control.measureEndNanos)
        let measuredSeconds = measuredEnd > control.measureStartNanos ? Double(measuredEnd - control.measureStartNanos) / 1e9 : 0
        return LoadSummary(
            options: options, statistics: statistics, measuredSeconds: measuredSeconds, timeline: timeline,
            soak: options.soakIntervalNanos == nil ? nil : soak.rows)
    }

    private func clientConfiguration() throws -> H2ClientConfiguration {
        let tls = try options.target.usesTLS
            ? H2ClientTLS.makeContext(
                caFile: options.caFile, certificateFile: options.certificateFile, privateKeyFile: options.privateKeyFile,
                insecure: options.insecure)
            : nil
        return H2ClientConfiguration(
            host: options.target.host, port: options.target.port, tls: tls, maxConcurrentStreams: options.streamsPerConnection,
            connectTimeout: .nanoseconds(Int64(Swift.min(options.timeoutNanos, 5_000_000_000))))
    }

    private func progressLine(second: Int, interval: IntervalStatistics, warmup: Bool) -> String? {
        guard options.showProgress else { return nil }
        let p99 = Double(interval.latency.micros(atPercentile: 99)) / 1000
        return "[\(String(second).leftPadded(4))s]\(warmup ? " warmup" : "") \(String(interval.requests).leftPadded(8)) req/s"
            + "  errors \(interval.errors)  p99 \(p99.formatted(decimals: 2)) ms"
    }

    static func describe(_ row: SoakRow) -> String {
        let rss = row.residentMemoryBytes.map { ($0 / 1_048_576).formatted(decimals: 1) + " MiB" } ?? "n/a"
        let fds = row.openFileDescriptors.map { String(Int($0)) } ?? "n/a"
        return "soak @\(row.endSecond)s: \(row.rate.formatted(decimals: 0)) req/s p99 \((Double(row.p99) / 1000).formatted(decimals: 2)) ms"
            + " errors \(row.errors) rss \(rss) fds \(fds)\(row.flags.isEmpty ? "" : "  DRIFT: " + row.flags.joined(separator: ","))"
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

extension Double {
    func formatted(decimals: Int) -> String { String(format: "%.\(decimals)f", isFinite ? self : 0) }
}
