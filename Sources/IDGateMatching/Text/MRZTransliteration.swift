/// Writing a name in MRZ letters (ICAO Doc 9303 Part 3, section 6 "Transliteration of multinational Latin-based
/// characters"): upper-case A-Z only, words separated by one space.
///
/// - Letters with diacritics lose them (`É`→`E`, `Ñ`→`N`, `Ç`→`C`, `Ł`→`L`, `Đ`→`D`), except those the table writes
///   with two letters: `Ä`→`AE`, `Ö`→`OE`, `Ü`→`UE`, `Å`→`AA`, `Æ`→`AE`, `Ø`→`OE`, `Œ`→`OE`, `ß`→`SS`, `Þ`→`TH`,
///   `Ĳ`→`IJ`. ICAO also allows `Ä`→`A`, `Ö`→`O`, `Ü`→`U`, `Å`→`A` (and many issuers use them), so each name has a
///   `recommended` and a `simple` form and a comparison accepts either.
/// - Apostrophes (and `.`) are dropped (`O'CONNOR`→`OCONNOR`); hyphens, commas and spaces become the filler, here
///   one space (`JEAN-PIERRE`→`JEAN PIERRE`).
/// - Anything else that is not a Latin letter (digits aside) is dropped.
///
/// The per-letter table below covers U+00C0-U+024F and U+1E00-U+1EFF and was generated from the Unicode canonical
/// decompositions (Python `unicodedata`, Unicode 15), the letters without one (`Đ`, `Ł`, `Ħ`, `Ŧ`, ...) added by hand
/// after ICAO's table. `.` marks a character with no Latin base letter, `*` one written by `twoLetter`.
public enum MRZTransliteration {
    public enum Form: Sendable {
        /// `Ä`→`AE`, `Ö`→`OE`, `Ü`→`UE`, `Å`→`AA`: ICAO's recommended transliteration.
        case recommended
        /// `Ä`→`A`, `Ö`→`O`, `Ü`→`U`, `Å`→`A`: the alternative ICAO allows.
        case simple
    }

    /// The name in MRZ letters: upper-case ASCII words separated by single spaces, no leading or trailing space.
    public static func transliterate(_ text: String, form: Form) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        func letter(_ byte: UInt8) {
            if pendingSpace && !out.isEmpty { out.append(UInt8(ascii: " ")) }
            pendingSpace = false
            out.append(byte)
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            switch value {
            case 0x41...0x5A, 0x30...0x39: letter(UInt8(value))
            case 0x61...0x7A: letter(UInt8(value - 0x20))
            case 0x20, 0x2D, 0x2C, 0x3C, 0x09, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0xA0: pendingSpace = true
            default:
                if let pair = twoLetter[value] {
                    let letters = form == .recommended ? pair.0 : pair.1
                    for byte in letters.utf8 { letter(byte) }
                } else if let base = baseLetter(value) {
                    letter(base)
                }
                // Apostrophes, periods and anything else: dropped.
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The upper-case ASCII base letter of a Latin letter with diacritics; nil for anything else.
    static func baseLetter(_ value: UInt32) -> UInt8? {
        let table: [UInt8]
        let index: Int
        if value >= 0x00C0 && value <= 0x024F {
            table = latin1AndExtended
            index = Int(value - 0x00C0)
        } else if value >= 0x1E00 && value <= 0x1EFF {
            table = latinExtendedAdditional
            index = Int(value - 0x1E00)
        } else {
            return nil
        }
        let byte = table[index]
        return byte == UInt8(ascii: ".") || byte == UInt8(ascii: "*") ? nil : byte
    }

    /// Letters written with two MRZ letters: (recommended, simple).
    static let twoLetter: [UInt32: (String, String)] = [
        0x00C4: ("AE", "A"),
        0x00C5: ("AA", "A"),
        0x00C6: ("AE", "AE"),
        0x00D6: ("OE", "O"),
        0x00D8: ("OE", "O"),
        0x00DC: ("UE", "U"),
        0x00DE: ("TH", "TH"),
        0x00DF: ("SS", "SS"),
        0x00E4: ("AE", "A"),
        0x00E5: ("AA", "A"),
        0x00E6: ("AE", "AE"),
        0x00F6: ("OE", "O"),
        0x00F8: ("OE", "O"),
        0x00FC: ("UE", "U"),
        0x00FE: ("TH", "TH"),
        0x0132: ("IJ", "IJ"),
        0x0133: ("IJ", "IJ"),
        0x0152: ("OE", "OE"),
        0x0153: ("OE", "OE"),
        0x01D5: ("UE", "U"),
        0x01D6: ("UE", "U"),
        0x01D7: ("UE", "U"),
        0x01D8: ("UE", "U"),
        0x01D9: ("UE", "U"),
        0x01DA: ("UE", "U"),
        0x01DB: ("UE", "U"),
        0x01DC: ("UE", "U"),
        0x01DE: ("AE", "A"),
        0x01DF: ("AE", "A"),
        0x01E2: ("AE", "AE"),
        0x01E3: ("AE", "AE"),
        0x01FA: ("AA", "A"),
        0x01FB: ("AA", "A"),
        0x01FC: ("AE", "AE"),
        0x01FD: ("AE", "AE"),
        0x01FE: ("OE", "O"),
        0x01FF: ("OE", "O"),
        0x022A: ("OE", "O"),
        0x022B: ("OE", "O"),
        0x1E9E: ("SS", "SS"),
    ]

    /// U+00C0-U+024F, one character per code point.
    static let latin1AndExtended: [UInt8] = Array((
        "AAAA***CEEEEIIIIDNOOOO*.*UUU*Y**AAAA***CEEEEIIIIDNOOOO*.*UUU*Y*YAAAAAACCCCCCCCDDDDEEEEEEEEEEGGGG" +
        "GGGGHHHHIIIIIIIIII**JJKKKLLLLLLLLLLNNNNNN.NNOOOOOO**RRRRRRSSSSSSSSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZS" +
        "BBBB...CCDDDD....FFG...IKKL..N..OO..PP......TTTUU.VYYZZ......................AAIIOOUU********.**" +
        "AA**..GGKKOOOO..J...GG..NN******AAAAEEEEIIIIOOOORRRRUUUUSSTT..HH....ZZAAEE**OOOOOOYY.......CCL.S" +
        "Z..B..EE....RRYY").utf8)

    /// U+1E00-U+1EFF (Latin Extended Additional: Vietnamese and other precomposed letters).
    static let latinExtendedAdditional: [UInt8] = Array((
        "AABBBBBBCCDDDDDDDDDDEEEEEEEEEEFFGGHHHHHHHHHHIIIIKKKKKKLLLLLLLLMMMMMMNNNNNNNNOOOOOOOOPPPPRRRRRRRR" +
        "SSSSSSSSSSTTTTTTTTUUUUUUUUUUVVVVWWWWWWWWWWXXXXYYZZZZZZHTWY....*.AAAAAAAAAAAAAAAAAAAAAAAAEEEEEEEE" +
        "EEEEEEEEIIIIOOOOOOOOOOOOOOOOOOOOOOOOUUUUUUUUUUUUUUYYYYYYYY......").utf8)
}
