/// Minimal UTF-8 decoding for the tokenizer (input has been validated by the parser or comes from the registry;
/// a malformed byte decodes as U+FFFD and is skipped over one byte at a time).
enum UTF8Decoding {
    @inline(__always)
    static func scalar(in bytes: UnsafeRawBufferPointer, at index: Int) -> (scalar: UInt32, length: Int) {
        let lead = UInt32(bytes[index])
        func continuation(_ offset: Int) -> UInt32? {
            guard index + offset < bytes.count else { return nil }
            let byte = UInt32(bytes[index + offset])
            return byte & 0xC0 == 0x80 ? byte & 0x3F : nil
        }
        switch lead {
        case 0xC2...0xDF:
            guard let b1 = continuation(1) else { break }
            return ((lead & 0x1F) << 6 | b1, 2)
        case 0xE0...0xEF:
            guard let b1 = continuation(1), let b2 = continuation(2) else { break }
            return ((lead & 0x0F) << 12 | b1 << 6 | b2, 3)
        case 0xF0...0xF4:
            guard let b1 = continuation(1), let b2 = continuation(2), let b3 = continuation(3) else { break }
            return ((lead & 0x07) << 18 | b1 << 12 | b2 << 6 | b3, 4)
        default:
            break
        }
        return (0xFFFD, 1)
    }

    /// Non-ASCII scalars that separate tokens: Latin-1 punctuation and spaces, general punctuation, CJK
    /// punctuation, the byte-order mark and the replacement character.
    @inline(__always)
    static func isSeparator(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x80...0xBF, 0xD7, 0xF7, 0x2000...0x206F, 0x3000...0x303F, 0xFEFF, 0xFFFD: true
        default: false
        }
    }
}
