import IDGateCore
import NIOCore

/// Builds the JSON error body of the wire contract (docs/API.md):
/// `{"error": {"code": "...", "message": "...", "field": "..."}}` (`field` only when one field is at fault).
public enum HTTPErrorBody {
    public static func make(code: String, message: String, field: String? = nil) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(48 + code.utf8.count + message.utf8.count + (field?.utf8.count ?? 0))
        buffer.write("{\"error\":{\"code\":")
        buffer.write(jsonString: code)
        buffer.write(",\"message\":")
        buffer.write(jsonString: message)
        if let field {
            buffer.write(",\"field\":")
            buffer.write(jsonString: field)
        }
        buffer.write("}}")
        return buffer
    }
}
