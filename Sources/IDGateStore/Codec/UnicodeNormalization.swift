#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Names and places are stored in Unicode NFC, so that equal text is equal bytes for matching.
enum UnicodeNormalization {
    /// NFC of `string`; ASCII text (already NFC) is returned untouched without a look.
    @inline(__always)
    static func nfc(_ string: String) -> String {
        if string.utf8.allSatisfy({ $0 < 0x80 }) { return string }
        return string.precomposedStringWithCanonicalMapping
    }
}
