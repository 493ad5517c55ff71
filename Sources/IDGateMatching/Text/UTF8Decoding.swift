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

    /// Characters that show nothing but can change how text is displayed or joined: the soft hyphen, the combining
    /// grapheme joiner, the Arabic letter mark, zero-width space/non-joiner/joiner, left-to-right and right-to-left
    /// marks, bidirectional embeddings, overrides and isolates, the word joiner and invisible operators, variation
    /// selectors and the zero-width no-break space (BOM). Checked before `isSeparator`, whose range they share.
    @inline(__always)
    static func isInvisible(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0xAD, 0x34F, 0x61C, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x206F, 0xFE00...0xFE0F,
            0xFEFF:
            true
        default: false
        }
    }

    /// Whether `bytes` may hold an invisible character (`isInvisible`): a lead byte one of them starts with. Cheap
    /// enough for the byte-equal fast paths (Vietnamese letters start with other lead bytes); a hit is confirmed by
    /// decoding.
    @inline(__always)
    static func mayContainInvisible(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // Branch-free over every byte (vectorized), cheaper than stopping early on these short texts.
        var found: UInt8 = 0
        for byte in bytes {
            found |= (byte == 0xE2 ? 1 : 0) | (byte == 0xEF ? 1 : 0) | (byte == 0xC2 ? 1 : 0) | (byte == 0xCD ? 1 : 0)
                | (byte == 0xD8 ? 1 : 0)
        }
        return found != 0
    }

    /// Whether `bytes` contain an invisible character (`isInvisible`).
    static func containsInvisible(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard mayContainInvisible(bytes) else { return false }
        var index = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            let (scalar, length) = scalar(in: bytes, at: index)
            if isInvisible(scalar) { return true }
            index += length
        }
        return false
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
