/// The overall answer (`decision` on the wire).
public enum MatchDecision: UInt8, Sendable, Hashable, Codable {
    /// Every submitted field matches.
    case match
    /// No field mismatches and at least one is partial.
    case partial
    /// At least one field mismatches.
    case mismatch
    /// No resident holds the ID number.
    case notFound

    public var wireName: StaticString {
        switch self {
        case .match: "match"
        case .partial: "partial"
        case .mismatch: "mismatch"
        case .notFound: "not_found"
        }
    }
}
