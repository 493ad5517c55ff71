import Benchmark
import Dispatch
import Foundation
import IDGateGateway
import IDGateStore
import Synchronization

/// Audit append throughput with group commit (records/s = the throughput metric, one record per iteration, up to
/// 256 in flight as under gateway load) and the cost of signing response bodies, alone and 64 at a time.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock, .cpuTotal], maxDuration: .seconds(5))

    // beforeResponse: each completion waits for its batch's fsync, so throughput ≈ records in flight / fsync time.
    // async: completions are immediate; the measurement includes `close()`, i.e. until the writer has drained.
    let cases: [(AuditLogConfiguration.Durability, Int)] = [(.beforeResponse, 256), (.beforeResponse, 1024), (.async, 1024)]
    for (durability, window) in cases {
        Benchmark(
            "AuditLog.append/\(durability.rawValue)/\(window)-in-flight",
            configuration: .init(scalingFactor: .mega, maxDuration: .seconds(20), maxIterations: 3)
        ) { benchmark in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-audit-bench-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let log = try AuditLog(configuration: AuditLogConfiguration(
                directory: directory, key: AuditKey(secret: Array(repeating: 1, count: 32)), durability: durability,
                maxQueuedRecords: .max, minimumFreeBytes: 0))
            let inFlight = DispatchSemaphore(value: window)
            let done = DispatchGroup()
            let failures = Atomic<Int>(0)
            benchmark.startMeasurement()
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
            log.close()
            benchmark.stopMeasurement()
            precondition(failures.load(ordering: .relaxed) == 0, "audit appends failed")
        }
    }

    let signer = ResponseSigner.generate()
    let body = Array(#"{"transactionId":"01JDBENCH0000000000000000","ref":"caller-ref-1","decision":"match","fields":{"fullName":{"result":"match","score":100,"reasons":[]},"dateOfBirth":{"result":"match","score":100,"reasons":[]}},"status":{"record":"active","card":"valid"},"requestDigest":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}"#.utf8)
    Benchmark("ResponseSigner.headerValue/Ed25519/\(body.count)B") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(signer.headerValue(for: body)) }
    }
    let batchSigner = BatchResponseSigner(signer: signer)
    let batch = (0..<64).map { index in body + Array(String(index).utf8) }
    Benchmark("BatchResponseSigner.headerValues/64 bodies", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(batchSigner.headerValues(for: batch)) }
    }
    let header = signer.headerValue(for: body)
    Benchmark("SigningPublicKey.verifies/Ed25519/\(body.count)B") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(signer.publicKey.verifies(headerValue: header, body: body)) }
    }
}
