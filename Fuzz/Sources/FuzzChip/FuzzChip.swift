import Foundation
import IDGateChip

// The first byte picks the structure: EF.SOD through the verifier (CMS, LDS security object, signer certificate,
// signature), DG1 (MRZ), DG13 (Vietnamese personal data), or DG15 with an Active Authentication response. An empty
// trust store: parsing and signature checks run, the chain is untrusted.
let verifier = ChipVerifier(trustStore: try! TrustStore(paths: []), cacheCapacity: 16)
let time = Date(timeIntervalSince1970: 1_780_000_000)

/// One input; always returns 0 (libFuzzer's contract).
func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 4 {
    case 0:
        _ = verifier.verify(sod: bytes, dataGroups: [:], at: time)
    case 1:
        _ = try? MRZ(dg1: bytes)
    case 2:
        _ = try? VietnameseDG13.parse(bytes)
    default:
        // DG15, then an 8-byte challenge and the signature (the last 72 bytes at most) when there is room.
        let split = max(0, bytes.count - 80)
        let challenge = Array(bytes[split..<min(bytes.count, split + 8)])
        let signature = Array(bytes[min(bytes.count, split + 8)...])
        _ = ActiveAuthentication.verify(dg15: Array(bytes[..<split]), challenge: challenge, signature: signature)
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
