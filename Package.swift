// swift-tools-version: 6.1
import PackageDescription

// Layers point one way: C shims → store → matching / chip → HTTP/2 → gateway → executables.
let package = Package(
    name: "idgate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "idgate", targets: ["idgate"]),
        .executable(name: "idgate-load", targets: ["idgate-load"]),
        .library(name: "IDGateStore", targets: ["IDGateStore"]),
        .library(name: "IDGateMatching", targets: ["IDGateMatching"]),
        .library(name: "IDGateChip", targets: ["IDGateChip"]),
        .library(name: "IDGateHTTP2", targets: ["IDGateHTTP2"]),
        .library(name: "IDGateGateway", targets: ["IDGateGateway"]),
        .library(name: "IDGateLoad", targets: ["IDGateLoad"]),
        .library(name: "IDGateFleet", targets: ["IDGateFleet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.1.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
    ],
    targets: [
        // System-library shims: a modulemap and a header each, nothing else.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Small C helpers: a CPU instruction Swift cannot reach (CRC-32C), nghttp2's small-block allocator.
        .target(name: "CIDGateSupport"),

        .target(
            name: "IDGateStore",
            dependencies: [
                "CLMDB",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "IDGateMatching",
            dependencies: [
                "IDGateStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "IDGateChip",
            dependencies: [
                "COpenSSL",
                "IDGateStore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "IDGateHTTP2",
            dependencies: [
                .product(name: "NIOTLS", package: "swift-nio"),
                "CNGHTTP2",
                "CIDGateSupport",
                "COpenSSL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "IDGateGateway",
            dependencies: [
                "IDGateStore", "IDGateMatching", "IDGateChip", "IDGateHTTP2", "COpenSSL", "CIDGateSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "IDGateLoad",
            dependencies: [
                "IDGateHTTP2",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The registry's system of record in PostgreSQL, and the follower that keeps a node's LMDB copy current.
        .target(
            name: "IDGateFleet",
            dependencies: [
                "IDGateStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "idgate",
            dependencies: [
                "IDGateGateway", "IDGateStore", "IDGateMatching", "IDGateChip",
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
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Helpers shared by the test targets (running external tools).
        .target(name: "IDGateTestSupport", path: "Tests/IDGateTestSupport"),
        .testTarget(name: "IDGateStoreTests", dependencies: ["IDGateStore"]),
        .testTarget(name: "IDGateMatchingTests", dependencies: ["IDGateMatching", "IDGateStore"]),
        .testTarget(name: "IDGateChipTests", dependencies: ["IDGateChip"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "IDGateHTTP2Tests", dependencies: ["IDGateHTTP2", "IDGateTestSupport", "CIDGateSupport"],
            exclude: ["attacks"]),
        .testTarget(
            name: "IDGateGatewayTests", dependencies: ["IDGateGateway", "IDGateTestSupport"],
            exclude: ["EndToEnd/h2client.py", "EndToEnd/openapi_conformance.py"]),
        .testTarget(name: "IDGateLoadTests", dependencies: ["IDGateLoad"]),
        .testTarget(name: "IDGateFleetTests", dependencies: ["IDGateFleet", "IDGateStore"]),
    ],
    swiftLanguageModes: [.v6]
)

// Release builds of the hot paths: whole-module optimization and no exclusivity checks at run time.
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
    ]
}
