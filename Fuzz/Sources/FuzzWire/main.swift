import FuzzDriver
import IDGateFuzzWire

// What one input does is WireFuzzTarget's (Sources/IDGateFuzzTargets/Wire in the main package; `make test` replays
// Fuzz/Corpus/FuzzWire through it). The name libFuzzer's runtime looks for, then its driver on the command line.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { WireFuzzTarget.testOneInput(data, size) }

runFuzzer(testOneInput)
