#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// The fields of one line, split once and kept for random access; the buffers are reused from line to line.
    struct Fields {
        private var line = UnsafeRawBufferPointer(start: nil, count: 0)
        /// Unquoted bytes of the quoted fields.
        private let unquoted = ByteArena(capacity: 256)
        /// Per field: start and end in the line, or (for a quoted field) in `unquoted`, with `isQuoted` set.
        private var starts: [Int] = []
        private var ends: [Int] = []
        private var isQuoted: [Bool] = []

        init() {
            starts.reserveCapacity(16)
            ends.reserveCapacity(16)
            isQuoted.reserveCapacity(16)
        }

        var count: Int { starts.count }

        /// Splits `line`, which must stay valid while the fields are read.
        mutating func split(_ line: UnsafeRawBufferPointer) {
            self.line = line
            unquoted.removeAll()
            starts.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            isQuoted.removeAll(keepingCapacity: true)
            let count = line.count
            var index = 0
            while true {
                if index < count, line[index] == UInt8(ascii: "\"") {
                    let start = unquoted.count
                    index += 1
                    var runStart = index
                    while index < count {
                        let c = line[index]
                        index += 1
                        if c == UInt8(ascii: "\"") {
                            unquoted.append(UnsafeRawBufferPointer(rebasing: line[runStart..<(index - 1)]))
                            if index < count, line[index] == UInt8(ascii: "\"") {
                                unquoted.append(c)
                                index += 1
                                runStart = index
                            } else {
                                runStart = -1
                                break
                            }
                        }
                    }
                    if runStart >= 0 { unquoted.append(UnsafeRawBufferPointer(rebasing: line[runStart..<index])) }
                    while index < count, line[index] != UInt8(ascii: ",") { index += 1 }
                    starts.append(start)
                    ends.append(unquoted.count)
                    isQuoted.append(true)
                } else {
                    let start = index
                    if let base = line.baseAddress, index < count,
                        let comma = memchr(base + index, Int32(UInt8(ascii: ",")), count - index)
                    {
                        index = UnsafeRawPointer(comma) - base
                    } else {
                        index = count
                    }
                    starts.append(start)
                    ends.append(index)
                    isQuoted.append(false)
                }
                guard index < count else { return }
                index += 1  // the comma
            }
        }

        /// Calls `body` with field `index`'s unquoted bytes (valid only during the call).
        func withField<T, E: Error>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
            if isQuoted[index] { return try body(unquoted.bytes(at: starts[index], count: ends[index] - starts[index])) }
            return try body(UnsafeRawBufferPointer(rebasing: line[starts[index]..<ends[index]]))
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
