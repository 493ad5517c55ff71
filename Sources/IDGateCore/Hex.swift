/// Lowercase hexadecimal text of bytes and back: one implementation for fingerprints, key IDs, digests, challenges.
public enum Hex {
    /// Lowercase hex digits of `bytes`. Contiguous bytes (arrays, slices, buffers) are written straight into the
    /// string's storage; inlinable so that callers in other modules get it specialized (the generic form was 1% of
    /// the chip route: challenge IDs).
    @inlinable
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0)) }) { return text }
        return Array(bytes).withUnsafeBytes { encode($0) }
    }

    /// Lowercase hex digits of the bytes in `buffer`.
    public static func encode(_ buffer: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: buffer.count * 2) { out in
            let digits: StaticString = "0123456789abcdef"
            var at = 0
            for byte in buffer {
                out[at] = digits.utf8Start[Int(byte >> 4)]
                out[at + 1] = digits.utf8Start[Int(byte & 0xF)]
                at += 2
            }
            return at
        }
    }

    /// The bytes of hex text (either case); nil when the length is odd or a character is not a hex digit.
    /// `ignoring` lists separators to skip (e.g. `:` and space, as in `openssl x509 -fingerprint`).
    public static func decode(_ text: some StringProtocol, ignoring separators: Set<UInt8> = []) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var high: UInt8?
        for character in text.utf8 where !separators.contains(character) {
            guard let nibble = nibble(character) else { return nil }
            if let pending = high {
                bytes.append(pending << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return high == nil ? bytes : nil
    }

    /// The value of one hex digit (either case), nil for any other byte.
    @inlinable
    public static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }
}

extension Sequence<UInt8> {
    /// Lowercase hex digits of these bytes.
    public var hexString: String { Hex.encode(self) }
}
