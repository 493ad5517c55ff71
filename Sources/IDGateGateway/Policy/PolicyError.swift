import IDGateAudit
import IDGateCore
import IDGateWire

/// A refusal by client policy, ready to become an error response (`{"error": {"code", "message", "field"}}`).
///
/// `code` values are those of the wire contract (API.md): `unauthenticated` (401), `forbidden` (403),
/// `rate_limited` (429, `retry-after`), `invalid_field` / `missing_field` (422).
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    /// The operation, attribute or field at fault, when there is one.
    public var field: String?
    /// Seconds for the `retry-after` header of a 429.
    public var retryAfterSeconds: Int?

    public init(status: Int, code: String, message: String, field: String? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.retryAfterSeconds = retryAfterSeconds
    }

    public static func unauthenticated(_ message: String) -> PolicyError {
        PolicyError(status: 401, code: "unauthenticated", message: message)
    }

    public static func forbidden(_ message: String, field: String) -> PolicyError {
        PolicyError(status: 403, code: "forbidden", message: message, field: field)
    }

    public static func rateLimited(_ message: String, retryAfterSeconds: Int) -> PolicyError {
        PolicyError(status: 429, code: "rate_limited", message: message, retryAfterSeconds: retryAfterSeconds)
    }

    public static func invalidField(_ field: String, _ message: String) -> PolicyError {
        PolicyError(status: 422, code: "invalid_field", message: message, field: field)
    }

    public static func missingField(_ field: String, _ message: String) -> PolicyError {
        PolicyError(status: 422, code: "missing_field", message: message, field: field)
    }

    public var description: String { "\(status) \(code): \(message)" + (field.map { " (\($0))" } ?? "") }
}
