import FuzzDriver
import IDGateFuzzStore

// What one input does is StoreFuzzTarget's (Sources/IDGateFuzzTargets/Store in the main package; `make test` replays
// Fuzz/Corpus/FuzzStore through it). The name libFuzzer's runtime looks for, then its driver on the command line.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { StoreFuzzTarget.testOneInput(data, size) }

runFuzzer(testOneInput)
