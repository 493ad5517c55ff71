#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Names and places are stored in Unicode NFC, so that equal text is equal bytes for matching.
enum UnicodeNormalization {
    /// NFC of `string`. Text made only of characters that are NFC-stable and never combine (everything below
    /// U+0300, and Latin Extended Additional U+1E00–U+1EFF, which holds the precomposed Vietnamese letters) is
    /// already NFC and returned untouched; only other text pays for a normalization pass.
    @inline(__always)
    static func nfc(_ string: String) -> String {
        if isStableNFC(string.utf8) { return string }
        return string.precomposedStringWithCanonicalMapping
    }

    /// True when every scalar is below U+0300 or in U+1E00–U+1EFF (checked on the UTF-8 lead bytes).
    static func isStableNFC(_ utf8: String.UTF8View) -> Bool {
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case 0x00..<0x80, 0x80..<0xC0:
                continue  // ASCII, or a continuation byte of an accepted sequence
            case 0xC0..<0xCC:
                continue  // two-byte scalars U+0080–U+02FF
            case 0xE1:
                guard let second = iterator.next(), (0xB8...0xBB).contains(second) else { return false }
            default:
                return false
            }
        }
        return true
    }
}
