#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Names and places are stored in Unicode NFC, so that equal text is equal bytes for matching.
///
/// Input is checked without building a `String`: one pass finds control characters, malformed UTF-8 and whether
/// the text can only hold NFC-stable scalars (an NFC quick check); only text that fails it goes through
/// Foundation's normalizer.
enum UnicodeNormalization {
    /// What one pass over a text field's UTF-8 found.
    struct Scan {
        var hasControlCharacters = false
        /// Every scalar is below U+0300 or in Latin Extended Additional (U+1E00–U+1EFF, the precomposed Vietnamese
        /// letters): such text is NFC-stable and never combines, so it is already NFC.
        var isStableNFC = true
        /// Well-formed UTF-8 (Unicode table 3-7: no overlong forms, surrogates or values past U+10FFFF), as
        /// `String(validating:as:)` judges it.
        var isValidUTF8 = true
    }

    /// Checks control characters, UTF-8 well-formedness and NFC stability in one pass. Runs of printable ASCII
    /// are skipped eight bytes at a time.
    @inline(__always)
    static func scan(_ bytes: UnsafeRawBufferPointer) -> Scan {
        var result = Scan()
        let count = bytes.count
        guard let base = bytes.baseAddress else { return result }
        @inline(__always) func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        @inline(__always) func isContinuation(_ offset: Int) -> Bool { offset < count && byte(offset) & 0xC0 == 0x80 }
        var index = 0
        while index < count {
            if index + 8 <= count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let high: UInt64 = 0x8080_8080_8080_8080
                let ones: UInt64 = 0x0101_0101_0101_0101
                let belowSpace = (word &- ones &* 0x20) & ~word & high
                let xor7F = word ^ (ones &* 0x7F)
                let isDelete = (xor7F &- ones) & ~xor7F & high
                if (word & high) | belowSpace | isDelete == 0 {
                    index += 8
                    continue
                }
            }
            let lead = byte(index)
            if lead < 0x80 {
                if lead < 0x20 || lead == 0x7F { result.hasControlCharacters = true }
                index += 1
                continue
            }
            switch lead {
            case 0xC2...0xDF:
                guard isContinuation(index + 1) else { break }
                if lead >= 0xCC { result.isStableNFC = false }  // U+0300 and up: combining marks and beyond
                index += 2
                continue
            case 0xE0...0xEF:
                guard isContinuation(index + 1), isContinuation(index + 2) else { break }
                let second = byte(index + 1)
                if lead == 0xE0 && second < 0xA0 { break }  // overlong
                if lead == 0xED && second > 0x9F { break }  // surrogate
                if !(lead == 0xE1 && (0xB8...0xBB).contains(second)) { result.isStableNFC = false }
                index += 3
                continue
            case 0xF0...0xF4:
                guard isContinuation(index + 1), isContinuation(index + 2), isContinuation(index + 3) else { break }
                let second = byte(index + 1)
                if lead == 0xF0 && second < 0x90 { break }  // overlong
                if lead == 0xF4 && second > 0x8F { break }  // past U+10FFFF
                result.isStableNFC = false
                index += 4
                continue
            default:
                break
            }
            // Not a well-formed sequence: note it and go on looking for control characters.
            result.isValidUTF8 = false
            index += 1
        }
        return result
    }

    static func nfc(_ string: String) -> String { string.precomposedStringWithCanonicalMapping }
}
