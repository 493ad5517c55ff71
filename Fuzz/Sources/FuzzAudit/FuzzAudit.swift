import Foundation
import IDGateAudit

// The input is an audit segment file: written to a scratch file (tmpfs when there is one) and scanned as startup
// recovery and `idgate audit verify` scan segments. Damage must be reported as frames, skipped and damaged
// ranges, never a crash or a read past the file.
let scratch: URL = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let directory = URL(fileURLWithPath: base).appendingPathComponent("idgate-fuzz-audit-\(getpid())")
    try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent(AuditFormat.segmentName(1))
}()

/// One input; always returns 0 (libFuzzer's contract).
func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    try! Data(bytes: data, count: size).write(to: scratch)
    if let scan = try? AuditSegmentScan(url: scratch) {
        _ = scan.damagedRanges
        _ = scan.highestReadableFrame
    }
    return 0
}

/// libFuzzer's entry point for programs with their own `main` (LLVM 11+).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// The name libFuzzer's own `main` looks for (linked in with `-sanitize=fuzzer`); both entry points run `fuzzOne`.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { fuzzOne(data, size) }
