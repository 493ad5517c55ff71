import IDGateCore
import IDGateStore

/// A strict RFC 8259 reader over raw bytes: one pass, no Foundation, no allocation except when a string contains
/// escapes (decoded into a caller-owned scratch buffer). Rejects invalid UTF-8, lone surrogates, control characters
/// in strings, leading zeros and anything after the top-level value.
struct JSONCursor {
    struct SyntaxError: Error {
        var offset: Int
        var reason: StaticString
    }

    static let maximumDepth = 64

    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }

    func fail(_ reason: StaticString, at offset: Int? = nil) -> SyntaxError {
        SyntaxError(offset: offset ?? index, reason: reason)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, not consumed.
    @inline(__always)
    mutating func peek() throws(SyntaxError) -> UInt8 {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        return bytes[index]
    }

    @inline(__always)
    mutating func consume(_ byte: UInt8, _ reason: StaticString) throws(SyntaxError) {
        guard try peek() == byte else { throw fail(reason) }
        index += 1
    }

    /// Where a string's decoded UTF-8 is: `bytes[start..<end]` of the input, or all of the scratch buffer when the
    /// string had escapes.
    struct StringBytes {
        var start: Int
        var end: Int
        var inScratch: Bool
    }

    /// Reads a string (cursor on its opening quote) and lends its decoded UTF-8 to `body`: a slice of the input when
    /// it has no escapes, else `scratch`.
    @inline(__always)
    mutating func readString<R>(scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> R) throws(SyntaxError)
        -> R
    {
        let string = try scanString(scratch: &scratch)
        if string.inScratch { return scratch.withUnsafeBytes(body) }
        return body(slice(string))
    }

    /// The input bytes of a string without escapes.
    @inline(__always)
    func slice(_ string: StringBytes) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[string.start..<string.end])
    }

    /// Reads a string (cursor on its opening quote): where its decoded bytes are, without a closure (the caller
    /// reads a slice of the input directly, or `scratch` when the string had escapes).
    mutating func scanString(scratch: inout [UInt8]) throws(SyntaxError) -> StringBytes {
        index += 1  // opening quote
        let start = index
        // The plain part (no escapes) with the position in a local: `index` is written back only on leaving.
        let count = bytes.count
        var at = index
        while at < count {
            // Eight plain ASCII bytes at a time (none of '"', '\\', control or non-ASCII), then byte by byte.
            while at + 8 <= count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
                let special = JSONCursor.specialBytes(word)
                if special != 0 {
                    at += special.trailingZeroBitCount >> 3
                    break
                }
                at += 8
            }
            guard at < count else { break }
            let byte = bytes[at]
            if byte < 0x80 {
                if byte == UInt8(ascii: "\"") {
                    index = at + 1
                    return StringBytes(start: start, end: at, inScratch: false)
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 {
                    index = at
                    throw fail("control character in string")
                }
                at += 1
            } else if byte >= 0xC2 && byte <= 0xDF && at + 1 < count && bytes[at + 1] & 0xC0 == 0x80 {
                at += 2  // a two-byte sequence (Latin-1, Latin Extended, combining marks)
            } else if byte >= 0xE1 && byte <= 0xEC && at + 2 < count && bytes[at + 1] & 0xC0 == 0x80
                && bytes[at + 2] & 0xC0 == 0x80
            {
                at += 3  // a three-byte sequence with no overlong or surrogate form (the U+1Exx letters)
            } else {
                index = at
                try skipUTF8Sequence()
                at = index
            }
        }
        index = at
        scratch.removeAll(keepingCapacity: true)
        scratch.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while true {
            guard index < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return StringBytes(start: 0, end: scratch.count, inScratch: true)
            case UInt8(ascii: "\\"):
                try readEscape(into: &scratch)
            case 0..<0x20:
                throw fail("control character in string")
            case 0x80...:
                let sequenceStart = index
                try skipUTF8Sequence()
                scratch.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[sequenceStart..<index]))
            default:
                scratch.append(byte)
                index += 1
            }
        }
    }

    /// The high bit of every byte of `word` (little-endian) that is '"', '\\', below 0x20 or non-ASCII; the lowest
    /// flagged byte is exact (bytes above a flagged one may be flagged falsely).
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = word &- (ones &* 0x20)
        return (zeroQuote | zeroBackslash | control | word) & highs
    }

    private mutating func readEscape(into scratch: inout [UInt8]) throws(SyntaxError) {
        let escapeStart = index
        index += 1
        guard index < bytes.count else { throw fail("unterminated string") }
        let letter = bytes[index]
        index += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(letter)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw fail("unpaired high surrogate", at: escapeStart) }
                index += 2
                let low = try readHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired high surrogate", at: escapeStart) }
                scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw fail("unpaired low surrogate", at: escapeStart)
            }
            appendUTF8(scalar, to: &scratch)
        default:
            throw fail("invalid escape", at: escapeStart)
        }
    }

    private mutating func readHex4() throws(SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 0x57
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 0x37
            default: throw fail("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func appendUTF8(_ scalar: UInt32, to scratch: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | (scalar >> 12) & 0x3F))
            scratch.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Validates one multi-byte UTF-8 sequence (no overlongs, no surrogates, at most U+10FFFF) and steps over it.
    private mutating func skipUTF8Sequence() throws(SyntaxError) {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw fail("invalid UTF-8")
        }
        guard index + length <= bytes.count else { throw fail("invalid UTF-8") }
        let second = bytes[index + 1]
        guard second >= low && second <= high else { throw fail("invalid UTF-8") }
        for k in 2..<length where bytes[index + k] & 0xC0 != 0x80 { throw fail("invalid UTF-8") }
        index += length
    }

    /// Steps over any value, checking its syntax; nesting deeper than `maximumDepth` is rejected.
    mutating func skipValue(scratch: inout [UInt8], depth: Int = 0) throws(SyntaxError) {
        guard depth < JSONCursor.maximumDepth else { throw fail("nesting too deep") }
        switch try peek() {
        case UInt8(ascii: "\""):
            try readString(scratch: &scratch) { _ in () }
        case UInt8(ascii: "{"):
            index += 1
            if try peek() == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                guard try peek() == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                try readString(scratch: &scratch) { _ in () }
                try consume(UInt8(ascii: ":"), "expected ':'")
                try skipValue(scratch: &scratch, depth: depth + 1)
                if try peek() == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try consume(UInt8(ascii: "}"), "expected ',' or '}'")
                return
            }
        case UInt8(ascii: "["):
            index += 1
            if try peek() == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                try skipValue(scratch: &scratch, depth: depth + 1)
                if try peek() == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try consume(UInt8(ascii: "]"), "expected ',' or ']'")
                return
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw fail("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws(SyntaxError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("invalid literal") }
        for k in 0..<count where bytes[index + k] != word.utf8Start[k] { throw fail("invalid literal") }
        index += count
    }

    private mutating func skipNumber() throws(SyntaxError) {
        func digits() -> Int {
            let start = index
            while index < bytes.count && bytes[index] >= 0x30 && bytes[index] <= 0x39 { index += 1 }
            return index - start
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw fail("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count && bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                throw fail("leading zero in number")
            }
        } else if digits() == 0 {
            throw fail("invalid number")
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw fail("invalid number") }
        }
        if index < bytes.count && (bytes[index] | 0x20) == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard digits() > 0 else { throw fail("invalid number") }
        }
    }
}
