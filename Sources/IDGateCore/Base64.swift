/// Base64 encoding (RFC 4648 §4, padded) and its URL-safe unpadded form (§5) in one place: signature headers, API
/// keys. Decoding stays with Foundation's `Data(base64Encoded:)`, whose strictness the wire contract relies on.
public enum Base64 {
    private static let standardAlphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    private static let urlAlphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    /// The length of the padded encoding of `byteCount` bytes.
    public static func encodedCount(_ byteCount: Int) -> Int { (byteCount + 2) / 3 * 4 }

    /// Standard alphabet with `=` padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        append(ArraySlice(bytes), to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// URL-safe alphabet, no padding (API keys).
    public static func encodeURL(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        append(ArraySlice(bytes), to: &output, alphabet: urlAlphabet)
        while output.last == UInt8(ascii: "=") { output.removeLast() }
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the padded standard encoding of `bytes` to `output` in place (the signature header is built once per
    /// response).
    public static func append(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        append(bytes, to: &output, alphabet: standardAlphabet)
    }

    private static func append(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8], alphabet: StaticString) {
        let count = encodedCount(bytes.count)
        guard count > 0 else { return }
        let start = output.count
        output.append(contentsOf: repeatElement(UInt8(ascii: "="), count: count))
        let table = alphabet.utf8Start
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { buffer in
                let out = buffer.baseAddress! + start
                var read = 0, written = 0
                while read + 3 <= input.count {
                    let chunk = UInt32(input[read]) << 16 | UInt32(input[read + 1]) << 8 | UInt32(input[read + 2])
                    out[written] = table[Int(chunk >> 18)]
                    out[written + 1] = table[Int(chunk >> 12 & 63)]
                    out[written + 2] = table[Int(chunk >> 6 & 63)]
                    out[written + 3] = table[Int(chunk & 63)]
                    read += 3
                    written += 4
                }
                let rest = input.count - read
                guard rest > 0 else { return }
                let chunk = UInt32(input[read]) << 16 | (rest == 2 ? UInt32(input[read + 1]) << 8 : 0)
                out[written] = table[Int(chunk >> 18)]
                out[written + 1] = table[Int(chunk >> 12 & 63)]
                if rest == 2 { out[written + 2] = table[Int(chunk >> 6 & 63)] }
            }
        }
    }
}
