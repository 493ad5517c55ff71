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
    /// What the caller must not learn (e.g. that the client exists but is disabled): for the operator's log only.
    public var concealedReason: String? = nil
    /// The client the credentials belong to when it is refused anyway (disabled): recorded in the audit trail.
    public var refusedClientID: String? = nil

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

    /// Credentials of a known client that is refused (disabled): the caller sees the same answer as for unknown
    /// credentials, `concealedReason` and the client id go to the audit record and the log.
    public static func credentialsRefused(_ callerMessage: String, reason: String, clientID: String) -> PolicyError {
        var error = PolicyError(status: 401, code: "unauthenticated", message: callerMessage)
        error.concealedReason = reason
        error.refusedClientID = clientID
        return error
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
