/// RFC 4180 fields of one CSV line: commas separate, double quotes enclose fields holding commas or quotes
/// (`""` inside is one quote). Records never span lines.
public enum CSVLine {
    /// Calls `body` with each field's unquoted bytes (valid only during the call).
    public static func forEachField(_ line: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var index = 0
        var scratch: [UInt8] = []
        while true {
            if index < line.count, line[index] == UInt8(ascii: "\"") {
                scratch.removeAll(keepingCapacity: true)
                index += 1
                while index < line.count {
                    let c = line[index]
                    index += 1
                    if c == UInt8(ascii: "\"") {
                        if index < line.count, line[index] == UInt8(ascii: "\"") {
                            scratch.append(c)
                            index += 1
                        } else {
                            break
                        }
                    } else {
                        scratch.append(c)
                    }
                }
                while index < line.count, line[index] != UInt8(ascii: ",") { index += 1 }
                scratch.withUnsafeBytes(body)
            } else {
                let start = index
                while index < line.count, line[index] != UInt8(ascii: ",") { index += 1 }
                body(UnsafeRawBufferPointer(rebasing: line[start..<index]))
            }
            guard index < line.count else { return }
            index += 1  // the comma
        }
    }

    /// Appends `field`, quoted when it holds a comma, a quote or a line break.
    public static func appendField(_ field: String, to out: inout [UInt8]) {
        let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            out.append(contentsOf: field.utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        for byte in field.utf8 {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }
}
