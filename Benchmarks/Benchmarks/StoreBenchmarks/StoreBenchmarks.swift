import BenchSupport
import Benchmark
import CStoreBaseline
import Foundation
import IDGateStore

/// Random point lookups by ID number: the store API (a transaction per lookup, as a request handler uses it) against
/// a plain C `mdb_get` loop over the same store, in the same run. See docs/DATA.md ("Benchmarks"). On a shared
/// machine compare CPU time (`threadCPU`; `cpuTotal` counts 10 ms ticks), not wall clock.
///
/// The store: `IDGATE_BENCH_DB=DIR` (e.g. a 10-million-resident registry made with `idgate gen` + `idgate import`),
/// else a registry of `IDGATE_BENCH_RESIDENTS` (default 1,000,000) generated residents built once under /tmp.
/// Each measured iteration is 1,000 lookups. The thresholds in `Benchmarks/Thresholds/` were recorded with the
/// default 1,000,000-resident registry (a larger store misses the CPU caches more). Names contain no spaces or
/// slashes: they name the threshold files.
let benchmarks: @Sendable () -> Void = {
    importBenchmarks()
    let metrics: [BenchmarkMetric] = [.threadCPU, .wallClock, .throughput, .cpuTotal, .mallocCountTotal]
    let configuration = Benchmark.Configuration(
        metrics: metrics, scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 1_000,
        thresholds: Tolerance.thresholds(for: metrics, mallocs: 20))

    Benchmark("Lookup.RegistryReader.transactionPerLookup", configuration: configuration) { benchmark in
        let fixture = LookupFixture.shared  // built (or opened) only when a lookup benchmark runs
        let reader = fixture.store.makeReader()
        var sink = 0
        var index = fixture.startIndex()
        benchmark.measuringThreadCPU {
            for _ in benchmark.scaledIterations {
                let id = fixture.ids[index]
                index = index + 1 == fixture.ids.count ? 0 : index + 1
                sink &+= reader.withTransaction { txn in Int(txn.resident(id)?.dateOfBirth.year ?? 0) }
            }
        }
        blackHole(sink)
    }

    Benchmark("Lookup.RegistryReader.oneTransaction", configuration: configuration) { benchmark in
        let fixture = LookupFixture.shared  // built (or opened) only when a lookup benchmark runs
        let reader = fixture.store.makeReader()
        var index = fixture.startIndex()
        var sink = 0
        benchmark.measuringThreadCPU {
            sink = reader.withTransaction { txn in
                var sink = 0
                for _ in benchmark.scaledIterations {
                    let id = fixture.ids[index]
                    index = index + 1 == fixture.ids.count ? 0 : index + 1
                    sink &+= Int(txn.resident(id)?.dateOfBirth.year ?? 0)
                }
                return sink
            }
        }
        blackHole(sink)
    }

    // The yardstick: reported beside the Swift store, never checked (a slower C loop means a slower machine).
    var baselineConfiguration = configuration
    baselineConfiguration.thresholds = Tolerance.unchecked(metrics)
    Benchmark("Lookup.C-mdb_get.baseline", configuration: baselineConfiguration) { benchmark in
        let fixture = LookupFixture.shared
        var remaining = benchmark.scaledIterations.count
        var index = fixture.startIndex()
        var sink: UInt64 = 0
        benchmark.measuringThreadCPU {
            fixture.rawIDs.withUnsafeBufferPointer { ids in
                while remaining > 0 {
                    let chunk = Swift.min(remaining, ids.count - index)
                    sink &+= cstore_baseline_lookup(fixture.baseline, ids.baseAddress! + index, chunk)
                    remaining -= chunk
                    index = (index + chunk) % ids.count
                }
            }
        }
        blackHole(sink)
    }
}

/// The store under test and a shuffled list of stored ID numbers.
///
/// Unchecked Sendable: built once before any benchmark runs and only read afterwards (`startIndex` uses an atomic
/// counter only to vary where each run starts).
final class LookupFixture: @unchecked Sendable {
    static let shared = LookupFixture()

    let store: RegistryStore
    let ids: [IDNumber]
    let rawIDs: [UInt64]
    /// The C baseline opens the same environment a second time in this process; it is never closed, which is
    /// what makes that safe for LMDB's advisory locks.
    let baseline: OpaquePointer
    private var runs = 0

    private init() {
        let environment = ProcessInfo.processInfo.environment
        let directory: String
        if let path = environment["IDGATE_BENCH_DB"] {
            directory = path
        } else {
            let residents = Int(environment["IDGATE_BENCH_RESIDENTS"] ?? "") ?? 1_000_000
            directory = NSTemporaryDirectory() + "idgate-bench-registry-\(residents)"
            if (try? RegistryStore.open(directory: directory))?.stats().residents != residents {
                _ = try! RegistryImporter(directory: directory).importRecords(ResidentGenerator(seed: 1).prefix(residents))
            }
        }
        store = try! RegistryStore.open(directory: directory)
        var sampled = store.sample(count: 1_000_000).map(\.idNumber)
        var random = SystemRandomNumberGenerator()
        sampled.shuffle(using: &random)
        ids = sampled
        rawIDs = sampled.map(\.value)
        guard let opened = cstore_baseline_open(directory + "/current") else { fatalError("C baseline cannot open \(directory)") }
        baseline = opened
        print("StoreBenchmarks: \(store.stats().residents) residents in \(directory), \(ids.count) lookup keys")
    }

    /// A different start in the key list for each run, so runs do not replay a warmed-up prefix.
    func startIndex() -> Int {
        runs += 7_919
        return runs % ids.count
    }
}

/// `RegistryImporter.importFile` of generated NDJSON and CSV files (`IDGATE_BENCH_IMPORT_ROWS`, default 200,000
/// residents, written once under /tmp): both passes (index by ID, decode in key order while appending) into a new
/// generation each iteration. Throughput is files per second; rows per second = throughput × rows. For the
/// 10-million figure use `import-10m.sh`.
func importBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .cpuTotal, .peakMemoryResident], scalingFactor: .one, maxDuration: .seconds(20),
        maxIterations: 20)
    for format in ResidentFileFormat.allCases {
        Benchmark("Import: \(ImportFixture.rows) generated rows, \(format.rawValue)", configuration: configuration) { benchmark in
            let file = ImportFixture.file(format)
            let directory = NSTemporaryDirectory() + "idgate-bench-import-\(format.rawValue)"
            for _ in benchmark.scaledIterations {
                let summary = try! RegistryImporter(directory: directory).importFile(file)
                precondition(summary.imported == ImportFixture.rows)
            }
        }
    }
}

enum ImportFixture {
    static let rows = Int(ProcessInfo.processInfo.environment["IDGATE_BENCH_IMPORT_ROWS"] ?? "") ?? 200_000

    /// The generated input file of `format`, written on first use.
    static func file(_ format: ResidentFileFormat) -> String {
        let path = NSTemporaryDirectory() + "idgate-bench-import-\(rows).\(format.rawValue)"
        if FileManager.default.fileExists(atPath: path) { return path }
        var out: [UInt8] = format == .csv ? Array((ResidentCodec.csvHeader + "\n").utf8) : []
        for record in ResidentGenerator(seed: 1).prefix(rows) {
            if format == .csv { ResidentCodec.appendCSV(record, to: &out) } else { ResidentCodec.appendNDJSON(record, to: &out) }
        }
        precondition(FileManager.default.createFile(atPath: path, contents: Data(out)))
        return path
    }
}
