#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Names and places are stored in Unicode NFC, so that equal text is equal bytes for matching.
///
/// Input is checked without building a `String`: one pass finds control characters and whether the text is ASCII
/// or can only hold NFC-stable scalars; only text that fails that quick check goes through Foundation's normalizer.
enum UnicodeNormalization {
    /// What one pass over a text field's UTF-8 found.
    struct Scan {
        var hasControlCharacters = false
        /// Every scalar is below U+0300 or in Latin Extended Additional (U+1E00–U+1EFF, the precomposed Vietnamese
        /// letters): such text is NFC-stable and never combines, so it is already NFC.
        var isStableNFC = true
        /// No byte ≥ 0x80: valid UTF-8 and NFC without further checks.
        var isASCII = true
    }

    /// Checks control characters and NFC stability in one pass over the lead bytes.
    @inline(__always)
    static func scan(_ bytes: UnsafeRawBufferPointer) -> Scan {
        var result = Scan()
        let count = bytes.count
        guard let base = bytes.baseAddress else { return result }
        var index = 0
        // Eight bytes at a time while they are printable ASCII (0x20…0x7E), the common case.
        while index + 8 <= count {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let high: UInt64 = 0x8080_8080_8080_8080
            let ones: UInt64 = 0x0101_0101_0101_0101
            let belowSpace = (word &- ones &* 0x20) & ~word & high
            let xor7F = word ^ (ones &* 0x7F)
            let isDelete = (xor7F &- ones) & ~xor7F & high
            if (word & high) | belowSpace | isDelete != 0 { break }
            index += 8
        }
        while index < count {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if byte < 0x20 || byte == 0x7F {
                result.hasControlCharacters = true
            } else if byte >= 0x80 {
                result.isASCII = false
                if byte >= 0xCC {
                    let isLatinExtendedAdditional = byte == 0xE1 && index + 1 < count
                        && (0xB8...0xBB).contains(base.load(fromByteOffset: index + 1, as: UInt8.self))
                    if !isLatinExtendedAdditional { result.isStableNFC = false }
                }
            }
            index += 1
        }
        return result
    }

    /// Whether `bytes` is well-formed UTF-8 (Unicode table 3-7: no overlong forms, surrogates or values past
    /// U+10FFFF), as `String(validating:as:)` judges it.
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return true }
        var index = 0
        @inline(__always) func continuation(_ offset: Int) -> UInt8? {
            guard offset < count else { return nil }
            let byte = base.load(fromByteOffset: offset, as: UInt8.self)
            return byte & 0xC0 == 0x80 ? byte : nil
        }
        while index < count {
            let lead = base.load(fromByteOffset: index, as: UInt8.self)
            if lead < 0x80 {
                index += 1
                continue
            }
            switch lead {
            case 0xC2...0xDF:
                guard continuation(index + 1) != nil else { return false }
                index += 2
            case 0xE0...0xEF:
                guard let second = continuation(index + 1), continuation(index + 2) != nil else { return false }
                if lead == 0xE0 && second < 0xA0 { return false }  // overlong
                if lead == 0xED && second > 0x9F { return false }  // surrogate
                index += 3
            case 0xF0...0xF4:
                guard let second = continuation(index + 1), continuation(index + 2) != nil, continuation(index + 3) != nil
                else { return false }
                if lead == 0xF0 && second < 0x90 { return false }  // overlong
                if lead == 0xF4 && second > 0x8F { return false }  // past U+10FFFF
                index += 4
            default:
                return false
            }
        }
        return true
    }

    static func nfc(_ string: String) -> String { string.precomposedStringWithCanonicalMapping }
}
