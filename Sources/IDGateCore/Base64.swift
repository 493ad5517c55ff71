/// Base64 encoding (RFC 4648 §4) and its URL-safe unpadded form (§5) in one place: API keys, signature headers.
/// Decoding stays with Foundation's `Data(base64Encoded:)`, whose strictness the wire contract relies on.
public enum Base64 {
    private static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The length of the padded encoding of `byteCount` bytes.
    public static func encodedCount(_ byteCount: Int) -> Int { (byteCount + 2) / 3 * 4 }

    /// Standard alphabet with `=` padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String { encode(bytes, alphabet: standardAlphabet, pad: true) }

    /// URL-safe alphabet, no padding (API keys).
    public static func encodeURL(_ bytes: some Collection<UInt8>) -> String { encode(bytes, alphabet: urlAlphabet, pad: false) }

    private static func encode(_ bytes: some Collection<UInt8>, alphabet: [UInt8], pad: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(encodedCount(bytes.count))
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            out.append(alphabet[Int(group >> 18 & 0x3F)])
            out.append(alphabet[Int(group >> 12 & 0x3F)])
            if second != nil { out.append(alphabet[Int(group >> 6 & 0x3F)]) } else if pad { out.append(UInt8(ascii: "=")) }
            if third != nil { out.append(alphabet[Int(group & 0x3F)]) } else if pad { out.append(UInt8(ascii: "=")) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
