import COpenSSL

/// An OpenSSL call failed; carries the library's error queue text for the log and the report.
public struct OpenSSLError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let detail: String

    init(_ operation: String) {
        self.operation = operation
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.detail = messages.joined(separator: "; ")
    }

    public var description: String { detail.isEmpty ? operation : "\(operation): \(detail)" }
}
