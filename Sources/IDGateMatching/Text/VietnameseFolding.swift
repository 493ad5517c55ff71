/// The folding table for the Vietnamese Latin letters: every precomposed letter (Latin-1, Latin Extended-A and the
/// Latin Extended Additional block U+1EA0-U+1EF9) and every combining mark Vietnamese uses, mapped to `LetterCode`
/// parts. Built once from a compact description rather than typed out code point by code point.
enum VietnameseFolding {
    /// Descriptor of a letter: base, modifier (`-` none, `^` circumflex, `(` breve, `+` horn, `/` stroke) and tone
    /// (`-` none, `` ` `` grave, `'` acute, `~` tilde, `?` hook above, `.` dot below).
    private static func code(_ descriptor: StaticString, upper: Bool) -> UInt32 {
        let bytes = UnsafeBufferPointer(start: descriptor.utf8Start, count: descriptor.utf8CodeUnitCount)
        let modifier: LetterCode.Modifier =
            switch bytes[1] {
            case UInt8(ascii: "^"): .circumflex
            case UInt8(ascii: "("): .breve
            case UInt8(ascii: "+"): .horn
            case UInt8(ascii: "/"): .stroke
            default: .none
            }
        let tone: LetterCode.Tone =
            switch bytes[2] {
            case UInt8(ascii: "`"): .grave
            case UInt8(ascii: "'"): .acute
            case UInt8(ascii: "~"): .tilde
            case UInt8(ascii: "?"): .hookAbove
            case UInt8(ascii: "."): .dotBelow
            default: .none
            }
        return LetterCode(base: UInt32(bytes[0]), modifier: modifier, tone: tone, upper: upper).raw
    }

    /// U+00C0 ..< U+01B1: Latin-1 letters (lower case at +0x20) and Latin Extended-A/B (lower case at +1).
    static let lowTable: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 0x1B1 - 0xC0)
        let latin1: [(UInt32, StaticString)] = [
            (0xC0, "a-`"), (0xC1, "a-'"), (0xC2, "a^-"), (0xC3, "a-~"), (0xC8, "e-`"), (0xC9, "e-'"),
            (0xCA, "e^-"), (0xCC, "i-`"), (0xCD, "i-'"), (0xD2, "o-`"), (0xD3, "o-'"), (0xD4, "o^-"),
            (0xD5, "o-~"), (0xD9, "u-`"), (0xDA, "u-'"), (0xDD, "y-'"),
        ]
        for (scalar, descriptor) in latin1 {
            table[Int(scalar - 0xC0)] = code(descriptor, upper: true)
            table[Int(scalar + 0x20 - 0xC0)] = code(descriptor, upper: false)
        }
        let extended: [(UInt32, StaticString)] = [
            (0x102, "a(-"), (0x110, "d/-"), (0x128, "i-~"), (0x168, "u-~"), (0x1A0, "o+-"), (0x1AF, "u+-"),
        ]
        for (scalar, descriptor) in extended {
            table[Int(scalar - 0xC0)] = code(descriptor, upper: true)
            table[Int(scalar + 1 - 0xC0)] = code(descriptor, upper: false)
        }
        return table
    }()

    /// U+1EA0 ... U+1EF9 in upper/lower pairs.
    static let extendedAdditionalTable: [UInt32] = {
        let pairs: [StaticString] = [
            "a-.", "a-?", "a^'", "a^`", "a^?", "a^~", "a^.", "a('", "a(`", "a(?", "a(~", "a(.",
            "e-.", "e-?", "e-~", "e^'", "e^`", "e^?", "e^~", "e^.",
            "i-?", "i-.",
            "o-.", "o-?", "o^'", "o^`", "o^?", "o^~", "o^.", "o+'", "o+`", "o+?", "o+~", "o+.",
            "u-.", "u-?", "u+'", "u+`", "u+?", "u+~", "u+.",
            "y-`", "y-.", "y-?", "y-~",
        ]
        return pairs.flatMap { [code($0, upper: true), code($0, upper: false)] }
    }()

    /// The code of a precomposed Vietnamese letter, or nil when the scalar is not one.
    @inline(__always)
    static func precomposed(_ scalar: UInt32) -> LetterCode? {
        var raw: UInt32 = 0
        if scalar >= 0xC0 && scalar < 0x1B1 {
            raw = lowTable[Int(scalar - 0xC0)]
        } else if scalar >= 0x1EA0 && scalar <= 0x1EF9 {
            raw = extendedAdditionalTable[Int(scalar - 0x1EA0)]
        }
        return raw == 0 ? nil : LetterCode(raw: raw)
    }

    enum Mark {
        case modifier(LetterCode.Modifier)
        case tone(LetterCode.Tone)
        /// A combining mark Vietnamese does not use: ignored.
        case other
    }

    /// Classifies a combining mark (U+0300-U+036F).
    @inline(__always)
    static func combiningMark(_ scalar: UInt32) -> Mark? {
        switch scalar {
        case 0x300, 0x340: .tone(.grave)
        case 0x301, 0x341: .tone(.acute)
        case 0x303: .tone(.tilde)
        case 0x309: .tone(.hookAbove)
        case 0x323: .tone(.dotBelow)
        case 0x302: .modifier(.circumflex)
        case 0x306: .modifier(.breve)
        case 0x31B: .modifier(.horn)
        case 0x300...0x36F: .other
        default: nil
        }
    }
}
