/// Why a request cannot be matched, naming the field at fault (mapped to `missing_field` / `invalid_field`).
public struct RequestProblem: Error, Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case missingField
        case invalidField
    }
    public var kind: Kind
    /// The field at fault; nil when the request as a whole is at fault.
    public var field: String?
    public var message: String

    public init(_ kind: Kind, field: String?, message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }
}
