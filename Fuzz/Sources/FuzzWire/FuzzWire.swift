import IDGateWire

// The first byte picks the parser; the rest is the body. Every input must end in a parsed request or a WireError
// (never a crash, a hang or an out-of-bounds read: the address sanitizer checks the last).
nonisolated(unsafe) var matchParser = MatchRequestParser()

/// One input; always returns 0 (libFuzzer's contract).
func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    switch data[0] % 3 {
    case 0:
        if matchParser.parse(body) == nil {
            // A parsed request must survive being read back.
            _ = matchParser.request.idNumber
        }
    case 1:
        _ = ChipVerifyRequest.parse(body, maxBytes: 256 * 1024)
    default:
        _ = JSONValue.parse(body)
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
