// swift-tools-version: 6.1
import Foundation
import PackageDescription

// libFuzzer targets for idgate's parsers of untrusted bytes (docs/RELIABILITY.md), kept out of the main package so
// its Package.swift and builds stay free of sanitizer flags. What a target does with one input lives in the main
// package (Sources/IDGateFuzzTargets, one module per target, replayed on Fuzz/Corpus by `make test`); each target
// here is its main.swift: the `LLVMFuzzerTestOneInput` symbol and `runFuzzer` (FuzzDriver), which hands it to
// libFuzzer's driver (`LLVMFuzzerRunDriver`), so SwiftPM's own entry point for executables works unchanged. Build and
// run with `make fuzz` (scripts/fuzz.sh):
//   swift build --package-path Fuzz -Xswiftc -sanitize=fuzzer,address --product FuzzWire
//   Fuzz/.build/debug/FuzzWire -max_total_time=60 Fuzz/Corpus/FuzzWire

// A path dependency is known by its folder's name (the checkout may be called anything).
let idgate = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "idgate-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        // libFuzzer's driver run on a target's one-input function.
        .target(name: "FuzzDriver"),
        // Match, batch-line and chip-verify request bodies; the generic JSON reader.
        .executableTarget(name: "FuzzWire", dependencies: ["FuzzDriver", .product(name: "IDGateFuzzWire", package: idgate)]),
        // Registry import rows (NDJSON and CSV with its header), update batches, the CSV field splitter.
        .executableTarget(name: "FuzzStore", dependencies: ["FuzzDriver", .product(name: "IDGateFuzzStore", package: idgate)]),
        // EF.SOD (CMS SignedData, LDS security object, certificates), DG1 (MRZ), DG13, DG15 + Active Authentication.
        .executableTarget(name: "FuzzChip", dependencies: ["FuzzDriver", .product(name: "IDGateFuzzChip", package: idgate)]),
        // The audit segment scanner (what startup recovery and `idgate audit verify` read).
        .executableTarget(name: "FuzzAudit", dependencies: ["FuzzDriver", .product(name: "IDGateFuzzAudit", package: idgate)]),
        // The clients file (`clients.json`): decoding and the validation a reload applies.
        .executableTarget(name: "FuzzClients", dependencies: ["FuzzDriver", .product(name: "IDGateFuzzClients", package: idgate)]),
    ],
    swiftLanguageModes: [.v6]
)
