import IDGateStore

/// The residents of an NDJSON or CSV file in the formats `idgate import` reads, each row validated as the import
/// validates it. Decoded into memory before anything is sent: a bad row fails the load before it starts. (A
/// national-scale first load goes through PostgreSQL's own tools; this is for the demo and for tests.)
enum ResidentFile {
    static func records(path: String) throws -> [ResidentRecord] {
        let file = try MappedFile(path: path)
        let isCSV = path.lowercased().hasSuffix(".csv")
            || (file.bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }).map { $0 != UInt8(ascii: "{") } ?? false
        var lines = LineIterator(file.bytes, range: 0..<file.bytes.count)
        var records: [ResidentRecord] = []
        var lineNumber = 0
        var columns: ResidentCodec.CSVColumns?
        while let (line, _) = lines.next() {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            if isCSV {
                guard let known = columns else {
                    columns = try ResidentCodec.CSVColumns(header: line)
                    continue
                }
                records.append(try ResidentCodec.decodeCSV(line, columns: known, lineNumber: lineNumber))
            } else {
                records.append(try ResidentCodec.decodeNDJSON(line, lineNumber: lineNumber))
            }
        }
        return records
    }
}
