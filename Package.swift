// swift-tools-version: 6.1
import PackageDescription

// Layers point one way: C shims → store → matching / chip → HTTP/2 → gateway → executables.
let package = Package(
    name: "idgate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "idgate", targets: ["idgate"]),
        .executable(name: "idgate-load", targets: ["idgate-load"]),
        .library(name: "IDGateCore", targets: ["IDGateCore"]),
        .library(name: "IDGateStore", targets: ["IDGateStore"]),
        .library(name: "IDGateMatching", targets: ["IDGateMatching"]),
        .library(name: "IDGateChip", targets: ["IDGateChip"]),
        .library(name: "IDGateWire", targets: ["IDGateWire"]),
        .library(name: "IDGateAudit", targets: ["IDGateAudit"]),
        .library(name: "IDGateHTTP2", targets: ["IDGateHTTP2"]),
        .library(name: "IDGateGateway", targets: ["IDGateGateway"]),
        .library(name: "IDGateDemo", targets: ["IDGateDemo"]),
        .library(name: "IDGateLoad", targets: ["IDGateLoad"]),
        .library(name: "IDGateFleet", targets: ["IDGateFleet"]),
        // The fuzz targets' one-input functions (Fuzz/ hands them to libFuzzer; `make test` replays the corpora).
        .library(name: "IDGateFuzzWire", targets: ["IDGateFuzzWire"]),
        .library(name: "IDGateFuzzStore", targets: ["IDGateFuzzStore"]),
        .library(name: "IDGateFuzzChip", targets: ["IDGateFuzzChip"]),
        .library(name: "IDGateFuzzAudit", targets: ["IDGateFuzzAudit"]),
        .library(name: "IDGateFuzzClients", targets: ["IDGateFuzzClients"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.1.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
    ],
    targets: [
        // System-library shims: a modulemap and a header each, nothing else.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Small C helpers: CPU instructions Swift cannot reach (CRC-32C, SHA-256 with SHA-NI), nghttp2's small-block
        // allocator.
        .target(name: "CIDGateSupport"),

        // Shared helpers every module may need: byte sinks, JSON string escaping, hex, base64, SHA-256 keys.
        .target(
            name: "IDGateCore",
            dependencies: ["CIDGateSupport"]
        ),
        .target(
            name: "IDGateStore",
            dependencies: [
                "CLMDB", "IDGateCore",
            ]
        ),
        .target(
            name: "IDGateMatching",
            dependencies: ["IDGateCore", "IDGateStore"]
        ),
        .target(
            name: "IDGateChip",
            dependencies: [
                "CIDGateSupport", "COpenSSL", "IDGateCore", "IDGateStore",
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // The wire format without transport: parsers, encoders, errors, transaction IDs, offline matching.
        // No NIO, no metrics: `idgate match` runs on it alone.
        .target(
            name: "IDGateWire",
            dependencies: [
                "IDGateCore", "IDGateStore", "IDGateMatching", "IDGateChip",
            ]
        ),
        // The tamper-evident audit log, signed answers, keyed hashing.
        .target(
            name: "IDGateAudit",
            dependencies: [
                "IDGateCore", "IDGateStore", "IDGateWire", "CIDGateSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                // The subject index (an LMDB environment beside the segments).
                "CLMDB",
            ]
        ),
        .target(
            name: "IDGateHTTP2",
            dependencies: [
                "CNGHTTP2", "CIDGateSupport", "COpenSSL", "IDGateCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "IDGateGateway",
            dependencies: [
                "IDGateCore", "IDGateStore", "IDGateMatching", "IDGateChip", "IDGateWire", "IDGateAudit", "IDGateHTTP2",
                "IDGateFleet",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The demo folder: its typed layout, demo clients, TLS material, and the assembly of `idgate demo init`.
        .target(
            name: "IDGateDemo",
            dependencies: ["IDGateCore", "IDGateStore", "IDGateChip", "IDGateAudit", "IDGateGateway"]
        ),
        .target(
            name: "IDGateLoad",
            dependencies: [
                "IDGateCore", "IDGateHTTP2", "IDGateDemo",
                // The demo generator's addresses in the other administrative units (MatchVariant.reorganizedAddress).
                "IDGateStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The registry's system of record in PostgreSQL, the follower that keeps a node's LMDB copy current, and the
        // audit shipper that copies a node's audit records into PostgreSQL (reads IDGateAudit's segments).
        .target(
            name: "IDGateFleet",
            dependencies: [
                "IDGateStore", "IDGateAudit", "IDGateCore", "IDGateWire",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What each libFuzzer target does with one input (docs/RELIABILITY.md), one module per target so a fuzz build
        // compiles only the layers its parsers live in (FuzzWire needs no server). Fuzz/Sources/<target>/main.swift
        // hands `testOneInput` to libFuzzer; IDGateGatewayTests' FuzzCorpusReplayTests replays Fuzz/Corpus through
        // `run`, so CI exercises every target without a sanitizer build.
        .target(name: "IDGateFuzzWire", dependencies: ["IDGateWire"], path: "Sources/IDGateFuzzTargets/Wire"),
        .target(name: "IDGateFuzzStore", dependencies: ["IDGateStore"], path: "Sources/IDGateFuzzTargets/Store"),
        .target(name: "IDGateFuzzChip", dependencies: ["IDGateChip"], path: "Sources/IDGateFuzzTargets/Chip"),
        .target(name: "IDGateFuzzAudit", dependencies: ["IDGateAudit"], path: "Sources/IDGateFuzzTargets/Audit"),
        .target(name: "IDGateFuzzClients", dependencies: ["IDGateGateway"], path: "Sources/IDGateFuzzTargets/Clients"),

        .executableTarget(
            name: "idgate",
            dependencies: [
                "IDGateGateway", "IDGateStore", "IDGateMatching", "IDGateChip", "IDGateWire", "IDGateAudit", "IDGateDemo",
                "IDGateFleet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "idgate-load",
            dependencies: [
                "IDGateLoad",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .executableTarget(
            name: "idgate-h2bench",
            dependencies: [
                "IDGateHTTP2",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Helpers shared by the test targets (running external tools).
        .target(name: "IDGateTestSupport", path: "Tests/IDGateTestSupport"),
        .testTarget(name: "IDGateCoreTests", dependencies: ["IDGateCore"]),
        .testTarget(name: "IDGateStoreTests", dependencies: ["IDGateStore"]),
        .testTarget(
            name: "IDGateMatchingTests",
            dependencies: ["IDGateMatching", "IDGateStore", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "IDGateChipTests", dependencies: ["IDGateChip"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "IDGateHTTP2Tests", dependencies: ["IDGateHTTP2", "IDGateTestSupport", "CIDGateSupport"],
            exclude: ["attacks"]),
        .testTarget(
            name: "IDGateGatewayTests",
            dependencies: [
                "IDGateGateway", "IDGateWire", "IDGateAudit", "IDGateDemo", "IDGateMatching", "IDGateTestSupport",
                "IDGateFuzzWire", "IDGateFuzzStore", "IDGateFuzzChip", "IDGateFuzzAudit", "IDGateFuzzClients",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            exclude: ["EndToEnd/h2client.py", "EndToEnd/openapi_conformance.py", "Crash/steady_load.py"]),
        .testTarget(name: "IDGateLoadTests", dependencies: ["IDGateLoad"]),
        .testTarget(
            name: "IDGateFleetTests",
            dependencies: [
                "IDGateFleet", "IDGateStore", "IDGateAudit", "IDGateGateway", "IDGateDemo", "IDGateCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)

// No unsafe flags here, so the library products stay usable as dependencies. The release builds of the Makefile and
// scripts/bench-*.sh add `-Xswiftc -enforce-exclusivity=unchecked` on the command line (RELEASE_FLAGS).
