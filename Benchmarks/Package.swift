// swift-tools-version: 6.1
import PackageDescription

// ordo-one/benchmark suites. Run from this folder: `swift package --disable-sandbox benchmark`
// (or `make bench-micro` at the top); `make bench-check` compares a run with the p90 thresholds in Thresholds/
// (docs/BENCHMARKS.md). Kept as its own package so the main build and CI stay lean.
let package = Package(
    name: "idgate-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "idgate", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.0", traits: ["MallocInterposer"]),
        // For HTTP2Benchmarks, which uses ByteBuffer and Logger directly (the same versions idgate resolves).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        // The tolerances every suite's thresholds use.
        .target(
            name: "BenchSupport",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/BenchSupport"
        ),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                "BenchSupport",
                "CStoreBaseline",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "IDGateStore", package: "idgate"),
            ],
            path: "Benchmarks/StoreBenchmarks",
            exclude: ["import-10m.sh"],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The plain-C LMDB lookup loop StoreBenchmarks compares the Swift store against.
        .target(
            name: "CStoreBaseline",
            path: "Benchmarks/CStoreBaseline",
            linkerSettings: [.linkedLibrary("lmdb")]
        ),
        .executableTarget(
            name: "MatchingBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "IDGateMatching", package: "idgate"),
                .product(name: "IDGateWire", package: "idgate"),
            ],
            path: "Benchmarks/MatchingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ChipBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "IDGateChip", package: "idgate"),
                .product(name: "IDGateCore", package: "idgate"),
                .product(name: "IDGateWire", package: "idgate"),
            ],
            path: "Benchmarks/ChipBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "AuditBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "IDGateAudit", package: "idgate"),
                .product(name: "IDGateWire", package: "idgate"),
            ],
            path: "Benchmarks/AuditBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "HTTP2Benchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "IDGateHTTP2", package: "idgate"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/HTTP2Benchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
