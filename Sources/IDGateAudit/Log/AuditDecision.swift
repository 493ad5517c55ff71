import IDGateCore
import IDGateWire

/// The outcome of a request as audited and counted: the match decision, the chip decision, or none when the
/// request was refused before a decision (the status code then says why).
public enum AuditDecision: UInt8, Sendable, CaseIterable {
    case none = 0
    case match = 1
    case partial = 2
    case mismatch = 3
    case notFound = 4
    case valid = 5
    case invalid = 6

    public var name: String {
        switch self {
        case .none: "none"
        case .match: "match"
        case .partial: "partial"
        case .mismatch: "mismatch"
        case .notFound: "not_found"
        case .valid: "valid"
        case .invalid: "invalid"
        }
    }
}
