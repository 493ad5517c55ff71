/// The verdict on one field (`result` on the wire).
public enum FieldOutcome: UInt8, Sendable, Hashable, Codable {
    case match = 0
    case partial = 1
    case mismatch = 2

    public var wireName: StaticString {
        switch self {
        case .match: "match"
        case .partial: "partial"
        case .mismatch: "mismatch"
        }
    }
}

/// One field's answer: outcome, score 0-100 and the reasons for any difference.
public struct FieldResult: Sendable, Hashable {
    public var outcome: FieldOutcome
    public var score: UInt8
    public var reasons: MatchReasons

    public init(outcome: FieldOutcome, score: UInt8, reasons: MatchReasons = []) {
        self.outcome = outcome
        self.score = score
        self.reasons = reasons
    }

    public static let exact = FieldResult(outcome: .match, score: 100)
    public static let different = FieldResult(outcome: .mismatch, score: 0, reasons: MatchReasons(.differentValue))

    /// Packs into 32 bits so a whole answer fits in registers: outcome in bits 0-1, reasons 16-21 in bits 2-7,
    /// score in bits 8-15, reasons 0-15 in bits 16-31.
    var packed: UInt32 {
        UInt32(outcome.rawValue) | (reasons.rawValue >> 16 & 0x3F) << 2 | UInt32(score) << 8 | reasons.rawValue << 16
    }

    init(packed: UInt32) {
        self.outcome = FieldOutcome(rawValue: UInt8(packed & 0x3)) ?? .mismatch
        self.score = UInt8((packed >> 8) & 0xFF)
        self.reasons = MatchReasons(rawValue: packed >> 16 | (packed >> 2 & 0x3F) << 16)
    }

    /// The number of reasons in a packed result.
    static func reasonCount(packed: UInt32) -> Int { (packed >> 16).nonzeroBitCount + (packed >> 2 & 0x3F).nonzeroBitCount }
}
