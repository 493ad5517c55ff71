import FuzzDriver
import IDGateFuzzAudit

// What one input does is AuditFuzzTarget's (Sources/IDGateFuzzTargets/Audit in the main package; `make test` replays
// Fuzz/Corpus/FuzzAudit through it). The name libFuzzer's runtime looks for, then its driver on the command line.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { AuditFuzzTarget.testOneInput(data, size) }

runFuzzer(testOneInput)
