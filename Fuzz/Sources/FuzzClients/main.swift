import FuzzDriver
import IDGateFuzzClients

// What one input does is ClientsFuzzTarget's (Sources/IDGateFuzzTargets/Clients in the main package; `make test` replays
// Fuzz/Corpus/FuzzClients through it). The name libFuzzer's runtime looks for, then its driver on the command line.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { ClientsFuzzTarget.testOneInput(data, size) }

runFuzzer(testOneInput)
