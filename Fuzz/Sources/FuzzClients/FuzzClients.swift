import Foundation
import IDGateGateway

// The clients file (`clients.json`): decoded, then validated as `idgate serve` and a reload would (key hashes,
// certificate fingerprints, kinds, operations, purposes, limits). Every input must end in a thrown error or a
// valid file, never a trap.

/// One input; always returns 0 (libFuzzer's contract).
func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let file = try? ClientRegistryFile.decode(Data(bytes: data, count: size)) else { return 0 }
    try? file.validate()
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
