import BenchSupport
import Benchmark
import Dispatch
import Foundation
import IDGateAudit
import IDGateWire
import IDGateStore
import Synchronization

/// Audit append with group commit, and the cost of signing response bodies, alone and 64 at a time.
///
/// `AuditLog.append.*`: one log is opened per benchmark (in a temporary directory, removed afterwards) and every
/// measured iteration appends 1,000 records with at most N in flight, as under gateway load, and waits until all
/// 1,000 are written: `wallClock` is the time of 1,000 records at steady state (records/s = 1,000 / wallClock),
/// `writeSyscalls` the write calls the writer made for them.
/// - beforeResponse: each completion waits for its batch's fsync, so the time ≈ fsyncs × fsync time.
/// - async: completions are immediate; the iteration waits until the writer's head reaches the last record
///   (flush interval 1 ms here instead of the default 10 ms, so the wait measures the writer, not its timer).
/// `AuditLog.appendGroups.*`: the same 1,000 records handed over 250 at a time with one completion each, as the
/// gateway's event loops do (`append(contentsOf:)`).
///
/// The signing benchmarks are 1,000 operations per iteration (1,000 batches of 64 for the batch signer: 64 lone
/// answers, or 4 connections' 16 answers each as the gateway groups them). Names contain no spaces or slashes: they name the
/// files in `Benchmarks/Thresholds/`.
let benchmarks: @Sendable () -> Void = {
    let appendMetrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal, .writeSyscalls]
    let metrics: [BenchmarkMetric] = [.threadCPU, .wallClock, .throughput, .mallocCountTotal]

    let cases: [(AuditLogConfiguration.Durability, Int)] = [(.beforeResponse, 256), (.beforeResponse, 1024), (.async, 1024)]
    for (durability, window) in cases {
        let slot = AuditLogSlot()
        Benchmark(
            "AuditLog.append.\(durability.rawValue).\(window)-in-flight",
            configuration: .init(
                metrics: appendMetrics, warmupIterations: 5, scalingFactor: .kilo, maxDuration: .seconds(5),
                maxIterations: 100_000,
                // The time is mostly fsync, which a busy shared VM disk slows fivefold: wall clock is reported, not
                // checked. What is checked does not depend on the disk: allocations (the writer thread's included,
                // 4 per record whatever the batching) and write calls (one per group commit: tens per 1,000
                // records; a write per record would be +1,000).
                thresholds: Tolerance.thresholds(for: appendMetrics, wallClockPercent: nil, mallocs: 50, writeSyscalls: 200))
        ) { benchmark in
            let log = slot.log
            let inFlight = DispatchSemaphore(value: window)
            let done = DispatchGroup()
            let failures = Atomic<Int>(0)
            let last = log.head.sequence + UInt64(benchmark.scaledIterations.count)
            for index in benchmark.scaledIterations {
                inFlight.wait()
                done.enter()
                let record = AuditRecord(
                    clientID: "demo-bank", purpose: "account-opening", operation: .match, transactionID: "01JDBENCH\(index)",
                    subjectIDNumber: "001085012345", attributes: AttributeSet([.idNumber, .fullName, .dateOfBirth]),
                    decision: .match, status: 200, latencyMicros: 250)
                log.append(record) { result in
                    if case .failure = result { failures.add(1, ordering: .relaxed) }
                    inFlight.signal()
                    done.leave()
                }
            }
            done.wait()
            while log.head.sequence < last { usleep(50) }  // async: until the writer has written them all
            precondition(failures.load(ordering: .relaxed) == 0, "audit appends failed")
        } setup: {
            try slot.open(durability: durability)
        } teardown: {
            slot.close()
        }
    }

    // The request path's form: an event loop hands over one tick's answers (here 250) in one append with one
    // completion (`AnswerBatch`), four ticks per iteration, two in flight.
    let groupSlot = AuditLogSlot()
    Benchmark(
        "AuditLog.appendGroups.beforeResponse.250-per-group",
        configuration: .init(
            metrics: appendMetrics, warmupIterations: 5, scalingFactor: .kilo, maxDuration: .seconds(5),
            maxIterations: 100_000,
            thresholds: Tolerance.thresholds(for: appendMetrics, wallClockPercent: nil, mallocs: 50, writeSyscalls: 200))
    ) { benchmark in
        let log = groupSlot.log
        let inFlight = DispatchSemaphore(value: 2)
        let done = DispatchGroup()
        let failures = Atomic<Int>(0)
        let groupSize = 250
        let total = benchmark.scaledIterations.count
        var start = 0
        while start < total {
            let records = (start..<min(start + groupSize, total)).map { index in
                AuditRecord(
                    clientID: "demo-bank", purpose: "account-opening", operation: .match,
                    transactionID: "01JDBENCH\(index)", subjectIDNumber: "001085012345",
                    attributes: AttributeSet([.idNumber, .fullName, .dateOfBirth]), decision: .match, status: 200,
                    latencyMicros: 250)
            }
            start += groupSize
            inFlight.wait()
            done.enter()
            log.append(contentsOf: records) { result in
                if case .failure = result { failures.add(1, ordering: .relaxed) }
                inFlight.signal()
                done.leave()
            }
        }
        done.wait()
        precondition(failures.load(ordering: .relaxed) == 0, "audit appends failed")
    } setup: {
        try groupSlot.open(durability: .beforeResponse)
    } teardown: {
        groupSlot.close()
    }

    let signingConfiguration = Benchmark.Configuration(
        metrics: metrics, warmupIterations: 2, scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 100_000,
        thresholds: Tolerance.thresholds(for: metrics, mallocs: 50))
    let signer = ResponseSigner.generate()
    let body = Array(#"{"transactionId":"01JDBENCH0000000000000000","ref":"caller-ref-1","decision":"match","fields":{"fullName":{"result":"match","score":100,"reasons":[]},"dateOfBirth":{"result":"match","score":100,"reasons":[]}},"status":{"record":"active","card":"valid"},"requestDigest":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}"#.utf8)
    Benchmark("ResponseSigner.headerValue.Ed25519", configuration: signingConfiguration) { benchmark in
        benchmark.measuringThreadCPU {
            for _ in benchmark.scaledIterations { blackHole(signer.headerValue(for: body)) }
        }
    }
    let batchSigner = BatchResponseSigner(signer: signer)
    let batch = (0..<64).map { index in body + Array(String(index).utf8) }
    Benchmark("BatchResponseSigner.headerValues.64-bodies", configuration: signingConfiguration) { benchmark in
        benchmark.measuringThreadCPU {
            for _ in benchmark.scaledIterations { blackHole(batchSigner.headerValues(for: batch)) }
        }
    }
    // The gateway's form: one tick's answers on 4 connections, 16 each (a Merkle subtree per connection).
    let groups = (0..<4).map { group in
        (0..<16).map { index in
            (body + Array("\(group)-\(index)".utf8)).withUnsafeBytes { MerkleHash.leaf($0) }
        }
    }
    Benchmark("BatchResponseSigner.headerValues.64-bodies-4-connections", configuration: signingConfiguration) { benchmark in
        benchmark.measuringThreadCPU {
            for _ in benchmark.scaledIterations { blackHole(batchSigner.headerValues(groups: groups)) }
        }
    }
    let header = signer.headerValue(for: body)
    Benchmark("SigningPublicKey.verifies.Ed25519", configuration: signingConfiguration) { benchmark in
        benchmark.measuringThreadCPU {
            for _ in benchmark.scaledIterations { blackHole(signer.publicKey.verifies(headerValue: header, body: body)) }
        }
    }
}

/// The audit log one benchmark's iterations append to: opened by its setup, closed and deleted by its teardown.
final class AuditLogSlot: Sendable {
    private struct Open: Sendable {
        let directory: URL
        let log: AuditLog
    }

    private let state = Mutex<Open?>(nil)

    var log: AuditLog { state.withLock { $0!.log } }

    func open(durability: AuditLogConfiguration.Durability) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("idgate-audit-bench-\(UUID().uuidString)")
        let log = try AuditLog(configuration: AuditLogConfiguration(
            directory: directory, key: AuditKey(secret: Array(repeating: 1, count: 32)), durability: durability,
            asyncFlushInterval: .milliseconds(1), maxQueuedRecords: .max, minimumFreeBytes: 0))
        state.withLock { $0 = Open(directory: directory, log: log) }
    }

    func close() {
        guard let open = state.withLock({ $0.take() }) else { return }
        open.log.close()
        try? FileManager.default.removeItem(at: open.directory)
    }
}
