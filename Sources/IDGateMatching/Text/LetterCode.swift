/// One letter of a name or address as a comparable 32-bit code, independent of how it was written (precomposed,
/// combining marks in any order, upper or lower case).
///
/// Bits 0-20: the base letter with every mark removed (ASCII lowercase for Latin letters, đ → d; other scalars as
/// themselves). Bits 21-23: the vowel/consonant modifier (circumflex, breve, horn, stroke). Bits 24-26: the tone
/// mark. Bit 27: upper case. Comparing under the masks below answers "same letter ignoring marks", "same letter
/// with marks, ignoring case" and "identical".
struct LetterCode: Hashable {
    var raw: UInt32

    static let baseMask: UInt32 = 0x1F_FFFF
    static let accentedMask: UInt32 = 0x07FF_FFFF
    static let upperBit: UInt32 = 1 << 27
    static let modifierMask: UInt32 = 0x7 << 21
    static let toneMask: UInt32 = 0x7 << 24
    static let marksMask: UInt32 = modifierMask | toneMask

    enum Modifier: UInt32 { case none = 0, circumflex, breve, horn, stroke }
    enum Tone: UInt32 { case none = 0, grave, acute, tilde, hookAbove, dotBelow }

    init(raw: UInt32) { self.raw = raw }

    init(base: UInt32, modifier: Modifier = .none, tone: Tone = .none, upper: Bool = false) {
        raw = base | modifier.rawValue << 21 | tone.rawValue << 24 | (upper ? LetterCode.upperBit : 0)
    }

    var base: UInt32 { raw & LetterCode.baseMask }

    mutating func apply(modifier: Modifier) { raw = raw & ~(0x7 << 21) | modifier.rawValue << 21 }
    mutating func apply(tone: Tone) { raw = raw & ~(0x7 << 24) | tone.rawValue << 24 }
}
