import IDGateStore

/// The registry's row readers as one fuzz target (Fuzz/Sources/FuzzStore; replayed by `make test`,
/// `FuzzCorpusReplayTests`). The first byte picks the reader: one NDJSON import row, one CSV row under the full
/// header, a CSV header line, an update batch (NDJSON), or the CSV field splitter. Bad rows must be InputErrors
/// naming line and field, never a trap.
public enum StoreFuzzTarget {
    public enum Parser: CaseIterable, Sendable {
        case ndjsonRow, csvRow, csvHeader, updateBatch, csvFields
    }

    /// Which reader an input reached and whether it accepted it; nil for the empty input (no first byte).
    public struct Outcome: Hashable, Sendable {
        public let parser: Parser
        public let accepted: Bool
    }

    private static let columns: ResidentCodec.CSVColumns = {
        let header = Array(ResidentCodec.csvHeader.utf8)
        return header.withUnsafeBytes { try! ResidentCodec.CSVColumns(header: $0) }
    }()

    public static func run(_ input: UnsafeRawBufferPointer) -> Outcome? {
        guard let selector = input.first else { return nil }
        let line = UnsafeRawBufferPointer(rebasing: input.dropFirst())
        switch selector % 5 {
        case 0:
            return Outcome(parser: .ndjsonRow, accepted: (try? ResidentCodec.decodeNDJSON(line, lineNumber: 1)) != nil)
        case 1:
            return Outcome(
                parser: .csvRow, accepted: (try? ResidentCodec.decodeCSV(line, columns: columns, lineNumber: 2)) != nil)
        case 2:
            return Outcome(parser: .csvHeader, accepted: (try? ResidentCodec.CSVColumns(header: line)) != nil)
        case 3:
            return Outcome(parser: .updateBatch, accepted: (try? UpdateBatch(ndjson: line)) != nil)
        default:
            var bytes = 0
            CSVLine.forEachField(line) { bytes += $0.count }
            return Outcome(parser: .csvFields, accepted: bytes <= line.count)
        }
    }

    /// libFuzzer's `LLVMFuzzerTestOneInput`: one input, always 0.
    public static func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        _ = run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
