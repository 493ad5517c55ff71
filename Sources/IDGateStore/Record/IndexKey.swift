/// Keys of the secondary indexes: fixed 8-byte big-endian integers, so lookups and bulk appends compare cheaply.
///
/// A key packs the digit count into the top byte and the digits' numeric value below it, so "0912345678" and
/// "912345678" stay distinct while equal strings always give equal keys.
enum IndexKey {
    /// The key of a phone number in national (`0…`) or international (`+84…`) form; nil if it is not one.
    static func phone(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        var digits = 0
        var value: UInt64 = 0
        var index = 0
        if bytes.count >= 3, bytes[0] == UInt8(ascii: "+"), bytes[1] == UInt8(ascii: "8"), bytes[2] == UInt8(ascii: "4") {
            digits = 1  // the national form's leading 0
            index = 3
        }
        guard index < bytes.count else { return nil }
        while index < bytes.count {
            let c = bytes[index]
            // More than 11 digits is no phone number; stopping here also keeps `value` from overflowing (a long run of
            // digits in an import row trapped, found by fuzzing).
            guard c >= 0x30 && c <= 0x39, digits < 11 else { return nil }
            value = value * 10 + UInt64(c - 0x30)
            digits += 1
            index += 1
        }
        guard (10...11).contains(digits) else { return nil }
        if digits == bytes.count, bytes[0] != UInt8(ascii: "0") { return nil }
        return UInt64(digits) << 56 | value
    }

    static func phone(_ string: String) -> UInt64? {
        var s = string
        return s.withUTF8 { phone(UnsafeRawBufferPointer($0)) }
    }

    /// The key of a 9-digit legacy ID number (CMND); nil if it is not one.
    static func legacyID(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard bytes.count == 9 else { return nil }
        var value: UInt64 = 0
        for c in bytes {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + UInt64(c - 0x30)
        }
        return UInt64(9) << 56 | value
    }

    static func legacyID(_ string: String) -> UInt64? {
        var s = string
        return s.withUTF8 { legacyID(UnsafeRawBufferPointer($0)) }
    }
}
