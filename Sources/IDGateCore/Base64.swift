/// Base64 encoding (RFC 4648 §4, padded) and its URL-safe unpadded form (§5) in one place: signature headers, API
/// keys; and strict decoding of the padded standard form for request bodies (the chip check's SOD and data groups:
/// kilobytes per request, where Foundation's `Data(base64Encoded:)` plus the copy into an array cost a tenth of the
/// endpoint). Other decoding (keys, files) stays with Foundation.
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

    /// The bytes of `text` in the standard alphabet with padding (RFC 4648 §4): a length that is a multiple of 4, `=`
    /// only as the last one or two characters, nothing else (no whitespace, no line breaks, no URL-safe letters);
    /// nil otherwise. Unused low bits of the last character are ignored, as Foundation does. Stricter than
    /// `Data(base64Encoded:)`, which also takes `====` (one zero byte), `=` inside a quantum and padding repeated.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// The bytes of `text` in the URL-safe alphabet without padding (what `encodeURL` writes: cursors, API keys);
    /// nil for any other character, `=` included, or an impossible length.
    public static func decodeURL(_ text: String) -> [UInt8]? {
        var bytes = Array(text.utf8)
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "-"): bytes[index] = UInt8(ascii: "+")
            case UInt8(ascii: "_"): bytes[index] = UInt8(ascii: "/")
            case UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="): return nil
            default: break
            }
        }
        guard bytes.count % 4 != 1 else { return nil }
        while bytes.count % 4 != 0 { bytes.append(UInt8(ascii: "=")) }
        return bytes.withUnsafeBytes { decode($0) }
    }

    public static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        guard input.count % 4 == 0 else { return nil }
        guard input.count > 0 else { return [] }
        var padding = 0
        if input[input.count - 1] == UInt8(ascii: "=") { padding = input[input.count - 2] == UInt8(ascii: "=") ? 2 : 1 }
        let outputCount = input.count / 4 * 3 - padding
        var failed = false
        let output = [UInt8](unsafeUninitializedCapacity: outputCount) { buffer, initialized in
            let out = buffer.baseAddress!
            var read = 0, written = 0
            let whole = input.count - (padding > 0 ? 4 : 0)
            while read < whole {
                let a = decodeTable[Int(input[read])], b = decodeTable[Int(input[read + 1])]
                let c = decodeTable[Int(input[read + 2])], d = decodeTable[Int(input[read + 3])]
                guard (a | b | c | d) & 0x80 == 0 else {
                    failed = true
                    return
                }
                let chunk = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                out[written] = UInt8(truncatingIfNeeded: chunk >> 16)
                out[written + 1] = UInt8(truncatingIfNeeded: chunk >> 8)
                out[written + 2] = UInt8(truncatingIfNeeded: chunk)
                read += 4
                written += 3
            }
            if padding > 0 {
                let a = decodeTable[Int(input[read])], b = decodeTable[Int(input[read + 1])]
                let c = padding == 2 ? 0 : decodeTable[Int(input[read + 2])]
                guard (a | b | c) & 0x80 == 0 else {
                    failed = true
                    return
                }
                let chunk = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
                out[written] = UInt8(truncatingIfNeeded: chunk >> 16)
                if padding == 1 { out[written + 1] = UInt8(truncatingIfNeeded: chunk >> 8) }
            }
            initialized = outputCount
        }
        return failed ? nil : output
    }

    /// Six-bit values of the standard alphabet; 0x80 for every other byte (`=` included: padding is handled apart).
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0x80, count: 256)
        let alphabet = standardAlphabet.utf8Start
        for index in 0..<64 { table[Int(alphabet[index])] = UInt8(index) }
        return table
    }()

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
