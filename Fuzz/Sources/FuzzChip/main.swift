import FuzzDriver
import IDGateFuzzChip

// What one input does is ChipFuzzTarget's (Sources/IDGateFuzzTargets/Chip in the main package; `make test` replays
// Fuzz/Corpus/FuzzChip through it). The name libFuzzer's runtime looks for, then its driver on the command line.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { ChipFuzzTarget.testOneInput(data, size) }

runFuzzer(testOneInput)
