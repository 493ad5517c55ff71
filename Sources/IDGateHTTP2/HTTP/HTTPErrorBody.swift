import NIOCore

/// Builds the JSON error body of the wire contract (API.md):
/// `{"error": {"code": "...", "message": "...", "field": "..."}}` (`field` only when one field is at fault).
public enum HTTPErrorBody {
    public static func make(code: String, message: String, field: String? = nil) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(48 + code.utf8.count + message.utf8.count + (field?.utf8.count ?? 0))
        buffer.writeStaticString("{\"error\":{\"code\":")
        writeJSONString(code, into: &buffer)
        buffer.writeStaticString(",\"message\":")
        writeJSONString(message, into: &buffer)
        if let field {
            buffer.writeStaticString(",\"field\":")
            writeJSONString(field, into: &buffer)
        }
        buffer.writeStaticString("}}")
        return buffer
    }

    /// Writes `string` as a JSON string literal (quotes, escapes for `"`, `\` and control characters).
    public static func writeJSONString(_ string: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                buffer.writeStaticString("\\u00")
                buffer.writeInteger(hex[Int(byte >> 4)])
                buffer.writeInteger(hex[Int(byte & 0xF)])
            default: buffer.writeInteger(byte)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
