import IDGateAudit
import IDGateCore
import IDGateWire

/// The kind of relying party: a label for reporting and demo policy, never a permission by itself.
public enum ClientKind: String, Sendable, Codable, CaseIterable {
    case bank
    case telco
    case airline
    case agency
    case tester
    /// The citizen's own app backend (e.g. the national e-ID app): the only kind that may read a subject's access
    /// history, and for nothing else by default.
    case citizenPortal = "citizen-portal"
}
