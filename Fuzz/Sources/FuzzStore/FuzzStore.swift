import IDGateStore

// The first byte picks the reader: one NDJSON import row, one CSV row under the full header, a CSV header line, an
// update batch (NDJSON), or the CSV field splitter. Bad rows must be InputErrors naming line and field.
let columns: ResidentCodec.CSVColumns = {
    let header = Array(ResidentCodec.csvHeader.utf8)
    return header.withUnsafeBytes { try! ResidentCodec.CSVColumns(header: $0) }
}()

/// One input; always returns 0 (libFuzzer's contract).
func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let line = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    switch data[0] % 5 {
    case 0:
        _ = try? ResidentCodec.decodeNDJSON(line, lineNumber: 1)
    case 1:
        _ = try? ResidentCodec.decodeCSV(line, columns: columns, lineNumber: 2)
    case 2:
        _ = try? ResidentCodec.CSVColumns(header: line)
    case 3:
        _ = try? UpdateBatch(ndjson: line)
    default:
        var count = 0
        CSVLine.forEachField(line) { count += $0.count }
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
