#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A name or address split into tokens of `LetterCode`s, straight from UTF-8 bytes without Foundation.
///
/// Letters are folded on the way in (precomposed or combining Vietnamese marks, case); whitespace and punctuation
/// separate tokens; commas and semicolons also separate units (the parts of an address). Storage is borrowed from
/// the stack for the duration of `withTokens`.
struct TokenizedText {
    /// Offsets fit 16 bits: texts are bounded far below 64 KiB (request fields by `RequestField.maximumLength`,
    /// stored ones by the registry's record format).
    struct Token {
        var start: UInt16
        var end: UInt16
        var unit: UInt16
    }

    let letters: UnsafeMutableBufferPointer<LetterCode>
    let tokens: UnsafeMutableBufferPointer<Token>
    private(set) var tokenCount = 0
    private(set) var unitCount = 0
    /// The text held invisible characters (`UTF8Decoding.isInvisible`): left out of the letters, never separators,
    /// so they neither join nor split words; the comparators report them (`invisible_characters`).
    private(set) var hasInvisibleCharacters = false

    /// Every letter's code OR-ed as the letters were written (marks can be replaced, never removed, so the marks
    /// bits are non-zero exactly when some letter ends with a mark).
    private var lettersOred: UInt32 = 0

    /// Whether any letter carries a tone mark or a modifier (đ's stroke included): a value typed with diacritics.
    var carriesDiacritics: Bool { lettersOred & LetterCode.marksMask != 0 }

    subscript(token index: Int) -> UnsafeBufferPointer<LetterCode> {
        let token = tokens[index]
        return UnsafeBufferPointer(rebasing: letters[Int(token.start)..<Int(token.end)])
    }

    /// Tokenizes `bytes`; with `splitDigits`, a change between letters and digits also ends a token (`Q1` → `q 1`).
    static func withTokens<R>(
        of bytes: UnsafeRawBufferPointer, splitDigits: Bool, _ body: (TokenizedText) throws -> R
    ) rethrows -> R {
        let capacity = max(min(bytes.count, Int(UInt16.max)), 1)
        return try withScratchBuffer(of: LetterCode.self, capacity: capacity) { letters in
            try withScratchBuffer(of: Token.self, capacity: capacity) { tokens in
                var text = TokenizedText(letters: letters, tokens: tokens)
                text.fill(from: bytes, splitDigits: splitDigits)
                return try body(text)
            }
        }
    }

    /// Byte-for-byte equal texts tokenize identically.
    @inline(__always)
    static func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard let x = a.baseAddress, let y = b.baseAddress else { return true }
        return memcmp(x, y, a.count) == 0
    }

    /// Whether `withTokens` would find at least one token in `bytes` (a letter, digit or other non-separator).
    static func hasTokens(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    return true
                default:
                    index += 1
                    continue
                }
            }
            let (scalar, length) = UTF8Decoding.scalar(in: bytes, at: index)
            index += length
            if VietnameseFolding.precomposed(scalar) != nil { return true }
            if UTF8Decoding.isInvisible(scalar) { continue }
            if VietnameseFolding.combiningMark(scalar) != nil || UTF8Decoding.isSeparator(scalar) { continue }
            return true
        }
        return false
    }

    private init(letters: UnsafeMutableBufferPointer<LetterCode>, tokens: UnsafeMutableBufferPointer<Token>) {
        self.letters = letters
        self.tokens = tokens
    }

    private mutating func fill(from bytes: UnsafeRawBufferPointer, splitDigits: Bool) {
        var letterCount = 0
        var tokenStart = -1
        var lastWasDigit = false
        var unit = 0
        var unitHasTokens = false

        func closeToken() {
            guard tokenStart >= 0 else { return }
            tokens[tokenCount] = Token(start: UInt16(tokenStart), end: UInt16(letterCount), unit: UInt16(unit))
            tokenCount += 1
            tokenStart = -1
            unitHasTokens = true
        }
        func closeUnit() {
            closeToken()
            if unitHasTokens { unit += 1 }
            unitHasTokens = false
        }
        func add(_ letter: LetterCode, isDigit: Bool = false) {
            guard letterCount < letters.count else { return }
            if tokenStart >= 0 && splitDigits && isDigit != lastWasDigit { closeToken() }
            if tokenStart < 0 { tokenStart = letterCount }
            letters[letterCount] = letter
            lettersOred |= letter.raw
            letterCount += 1
            lastWasDigit = isDigit
        }

        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"): add(LetterCode(base: UInt32(byte)))
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): add(LetterCode(base: UInt32(byte | 0x20), upper: true))
                case UInt8(ascii: "0")...UInt8(ascii: "9"): add(LetterCode(base: UInt32(byte)), isDigit: true)
                case UInt8(ascii: ","), UInt8(ascii: ";"): closeUnit()
                default: closeToken()
                }
                continue
            }
            let (scalar, length) = UTF8Decoding.scalar(in: bytes, at: index)
            index += length
            if let letter = VietnameseFolding.precomposed(scalar) {
                add(letter)
            } else if UTF8Decoding.isInvisible(scalar) {
                hasInvisibleCharacters = true
            } else if let mark = VietnameseFolding.combiningMark(scalar) {
                guard tokenStart >= 0 else { continue }
                switch mark {
                case .modifier(let modifier): letters[letterCount - 1].apply(modifier: modifier)
                case .tone(let tone): letters[letterCount - 1].apply(tone: tone)
                case .other: break
                }
                lettersOred |= letters[letterCount - 1].raw
            } else if UTF8Decoding.isSeparator(scalar) {
                closeToken()
            } else {
                add(LetterCode(base: scalar))
            }
        }
        closeUnit()
        unitCount = unit
    }
}
