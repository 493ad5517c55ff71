import IDGateAudit
import IDGateCore
import IDGateWire

/// The declared purpose of a request (`purpose` field): a short printable token that ends up in audit records
/// and may be echoed in headers, so anything that could inject a header or a log line is refused.
public enum Purpose {
    public static let maximumLength = 64

    /// Why `purpose` is unacceptable, or nil: 1…64 bytes of printable ASCII (0x21…0x7E) or inner spaces.
    public static func validationError(_ purpose: String) -> String? {
        let bytes = purpose.utf8
        guard !bytes.isEmpty else { return "purpose is empty" }
        guard bytes.count <= maximumLength else { return "purpose is longer than \(maximumLength) bytes" }
        guard bytes.first != UInt8(ascii: " "), bytes.last != UInt8(ascii: " ") else {
            return "purpose has leading or trailing spaces"
        }
        for byte in bytes where byte < 0x20 || byte > 0x7E {
            return "purpose must be printable ASCII (control characters and line breaks are refused)"
        }
        return nil
    }
}
