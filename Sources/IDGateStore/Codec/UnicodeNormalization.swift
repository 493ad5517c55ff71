#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Names and places are stored in Unicode NFC, so that equal text is equal bytes for matching.
enum UnicodeNormalization {
    /// What one pass over a text field's UTF-8 found.
    struct Scan {
        var hasControlCharacters = false
        /// Every scalar is below U+0300 or in Latin Extended Additional (U+1E00–U+1EFF, the precomposed Vietnamese
        /// letters): such text is NFC-stable and never combines, so it is already NFC.
        var isStableNFC = true
    }

    /// Checks control characters and NFC stability in one pass over the lead bytes.
    @inline(__always)
    static func scan(_ bytes: UnsafeRawBufferPointer) -> Scan {
        var result = Scan()
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x7F {
                result.hasControlCharacters = true
            } else if byte >= 0xCC {
                let isLatinExtendedAdditional = byte == 0xE1 && index + 1 < count && (0xB8...0xBB).contains(bytes[index + 1])
                if !isLatinExtendedAdditional { result.isStableNFC = false }
            }
            index += 1
        }
        return result
    }

    static func nfc(_ string: String) -> String { string.precomposedStringWithCanonicalMapping }
}
