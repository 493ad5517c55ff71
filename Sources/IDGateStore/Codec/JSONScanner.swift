/// A forward-only scanner over one JSON object in memory: just enough JSON for import rows and update batches,
/// without building a document tree. Unescaped strings are handed out as spans of the input, so a plain row is
/// read without allocating beyond the strings the record keeps.
struct JSONScanner {
    struct Failure: Error {
        var reason: String
    }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var scratch: [UInt8] = []

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index >= bytes.count }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            let c = bytes[index]
            guard c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D else { return }
            index += 1
        }
    }

    @inline(__always)
    private mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
        guard peek() == byte else { throw Failure(reason: isAtEnd ? "unexpected end of line, expected \(what)" : "expected \(what)") }
        index += 1
    }

    mutating func beginObject() throws(Failure) { try expect(UInt8(ascii: "{"), "'{'") }

    /// After the closing brace only whitespace may follow.
    mutating func endOfInput() throws(Failure) {
        guard peek() == nil else { throw Failure(reason: "unexpected data after the JSON object") }
    }

    /// The next key of the current object as raw bytes (escapes are not decoded: no known key has any), or nil at
    /// the closing brace.
    mutating func nextKey(isFirst: Bool) throws(Failure) -> UnsafeRawBufferPointer? {
        if peek() == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        if !isFirst { try expect(UInt8(ascii: ","), "',' or '}'") }
        try expect(UInt8(ascii: "\""), "a quoted key")
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") { index += 1 }
            index += 1
        }
        guard index < bytes.count else { throw Failure(reason: "unterminated key") }
        let key = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        index += 1
        try expect(UInt8(ascii: ":"), "':'")
        return key
    }

    /// True (and consumed) if the next value is `null`.
    mutating func consumeNull() -> Bool {
        guard peek() == UInt8(ascii: "n"), index + 4 <= bytes.count, bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    /// Reads a string value and passes its unescaped UTF-8 bytes (valid only during `body`).
    mutating func withString<T>(_ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        try expect(UInt8(ascii: "\""), "a string")
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                let value = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return try body(value)
            }
            if c == UInt8(ascii: "\\") { break }
            guard c >= 0x20 else { throw Failure(reason: "control character in string") }
            index += 1
        }
        guard index < bytes.count else { throw Failure(reason: "unterminated string") }
        scratch.removeAll(keepingCapacity: true)
        scratch.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        try decodeEscapedRest()
        return try scratch.withUnsafeBytes { try body($0) }
    }

    /// Continues a string that contains escapes into `scratch`, up to and including the closing quote.
    private mutating func decodeEscapedRest() throws(Failure) {
        while index < bytes.count {
            let c = bytes[index]
            index += 1
            switch c {
            case UInt8(ascii: "\""):
                return
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"): try decodeUnicodeEscape()
                default: throw Failure(reason: "invalid escape '\\\(Character(Unicode.Scalar(escaped)))'")
                }
            default:
                guard c >= 0x20 else { throw Failure(reason: "control character in string") }
                scratch.append(c)
            }
        }
        throw Failure(reason: "unterminated string")
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure(reason: "truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            index += 1
            let digit: UInt8
            switch c {
            case 0x30...0x39: digit = c - 0x30
            case 0x41...0x46: digit = c - 0x41 + 10
            case 0x61...0x66: digit = c - 0x61 + 10
            default: throw Failure(reason: "invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func decodeUnicodeEscape() throws(Failure) {
        var code = try hex4()
        if (0xD800...0xDBFF).contains(code) {
            guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw Failure(reason: "unpaired surrogate in \\u escape") }
            index += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw Failure(reason: "unpaired surrogate in \\u escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw Failure(reason: "invalid \\u escape") }
        scratch.append(contentsOf: UTF8.encode(scalar)!)
    }

    /// Reads an array of strings, calling `element` with each one's bytes.
    mutating func forEachStringInArray(_ element: (UnsafeRawBufferPointer) throws -> Void) throws {
        try expect(UInt8(ascii: "["), "an array")
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try withString(element)
            guard let next = peek() else { throw Failure(reason: "unterminated array") }
            index += 1
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else { throw Failure(reason: "expected ',' or ']' in array") }
        }
    }

    /// Reads a non-negative integer.
    mutating func unsignedInteger() throws(Failure) -> UInt64 {
        _ = peek()
        let start = index
        var value: UInt64 = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[index] - 0x30))
            guard !overflow1, !overflow2 else { throw Failure(reason: "number out of range") }
            value = sum
            index += 1
        }
        guard index > start else { throw Failure(reason: "expected a non-negative integer") }
        return value
    }

    /// Skips one value of any type and returns its raw bytes (for a nested object read by another scanner).
    mutating func rawValue() throws -> UnsafeRawBufferPointer {
        guard let first = peek() else { throw Failure(reason: "expected a value") }
        let start = index
        switch first {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var inString = false
            while index < bytes.count {
                let c = bytes[index]
                index += 1
                if inString {
                    if c == UInt8(ascii: "\\") { index += 1 } else if c == UInt8(ascii: "\"") { inString = false }
                } else if c == UInt8(ascii: "\"") {
                    inString = true
                } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                    depth += 1
                } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return UnsafeRawBufferPointer(rebasing: bytes[start..<index]) }
                }
            }
            throw Failure(reason: "unterminated object or array")
        case UInt8(ascii: "\""):
            try withString { _ in }
        default:
            while index < bytes.count, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "}"),
                bytes[index] != UInt8(ascii: "]")
            {
                index += 1
            }
        }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
    }
}
