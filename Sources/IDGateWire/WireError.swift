import IDGateCore
import IDGateMatching

/// An error answer of the wire contract: HTTP status, machine-readable code, human message and the field at fault.
public struct WireError: Error, Sendable, Hashable {
    /// The error codes of API.md, each with its HTTP status.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case invalidJSON = "invalid_json"
        case unknownField = "unknown_field"
        case missingField = "missing_field"
        case invalidField = "invalid_field"
        case unsupportedMediaType = "unsupported_media_type"
        case bodyTooLarge = "body_too_large"
        case unauthenticated
        case forbidden
        case rateLimited = "rate_limited"
        case overloaded
        case notFound = "not_found"
        /// Too many failed answers about one subject from this client within the window (docs/CLIENTS.md).
        case subjectAttemptsExceeded = "subject_attempts_exceeded"
        /// The client's not_found/mismatch rate tripped its guessing alert and its configuration suspends it.
        case clientSuspended = "client_suspended"
        /// A paging cursor that was not issued for this request's subject (another subject's, edited, garbage).
        case invalidCursor = "invalid_cursor"

        public var status: Int {
            switch self {
            case .invalidJSON: 400
            case .unknownField, .missingField, .invalidField: 422
            case .unsupportedMediaType: 415
            case .bodyTooLarge: 413
            case .unauthenticated: 401
            case .forbidden: 403
            case .rateLimited: 429
            case .overloaded: 503
            case .notFound: 404
            case .subjectAttemptsExceeded: 429
            case .clientSuspended: 403
            case .invalidCursor: 400
            }
        }
    }

    public var code: Code
    public var message: String
    public var field: String?

    public var status: Int { code.status }

    public init(_ code: Code, message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// Malformed JSON, with the byte offset where parsing stopped.
    public static func invalidJSON(at offset: Int, _ reason: String) -> WireError {
        WireError(.invalidJSON, message: "invalid JSON at byte \(offset): \(reason)")
    }

    public init(_ problem: RequestProblem) {
        let code: Code =
            switch problem.kind {
            case .missingField: .missingField
            case .invalidField: .invalidField
            }
        self.init(code, message: problem.message, field: problem.field)
    }

    /// Writes the `"error": {...}` member (without braces around it).
    public func writeMember<S: ByteSink>(into sink: inout S) {
        sink.write("\"error\":{\"code\":")
        sink.write(jsonString: code.rawValue)
        sink.write(",\"message\":")
        sink.write(jsonString: message)
        if let field {
            sink.write(",\"field\":")
            sink.write(jsonString: field)
        }
        sink.write(byte: UInt8(ascii: "}"))
    }

    /// Writes the error body `{"transactionId": "...", "error": {"code", "message", "field"}}`.
    public func encode<S: ByteSink>(transactionID: TransactionID, into sink: inout S) {
        sink.write("{\"transactionId\":\"")
        transactionID.write(into: &sink)
        sink.write("\",")
        writeMember(into: &sink)
        sink.write(byte: UInt8(ascii: "}"))
    }
}
