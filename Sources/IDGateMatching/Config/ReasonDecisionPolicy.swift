/// What a kind of difference means for one client: for each reason, the best outcome a field reporting it may get.
///
/// The score says how close two values are; whether `Tân` for a stored `Tấn` is the same person is a business
/// decision that differs between clients (a bank may refuse what a telecom accepts), so it is kept out of the
/// scores and applied after them. A policy can only lower an outcome: `partial` turns a `match` into `partial`,
/// `mismatch` turns any outcome into `mismatch`, `match` leaves the score's outcome as it is. A field that disagrees
/// is a mismatch whatever the policy; `different_value` beside agreeing address units (partial) can be capped too.
///
/// JSON (a client's configuration): an object from reason wire names to `match`, `partial` or `mismatch`; reasons
/// not named keep the defaults (`standard`): `{"diacritics_differ": "mismatch", "day_month_swapped": "match"}`.
public struct ReasonDecisionPolicy: Sendable, Hashable {
    /// Reasons capped at `partial` and at `mismatch`, as `MatchReasons` bitmaps (applied with two masks per field).
    private var partialCap: UInt32
    private var mismatchCap: UInt32

    /// The documented defaults: another diacritics spelling, a swapped day and month and invisible characters make
    /// a field at best `partial`; every other reason leaves the score's outcome.
    public static let standard = ReasonDecisionPolicy(
        capping: [.diacriticsDiffer: .partial, .dayMonthSwapped: .partial, .invisibleCharacters: .partial])

    /// Every outcome as the score gives it (no reason caps anything).
    public static let scoreOnly = ReasonDecisionPolicy(capping: [:])

    /// A policy capping the given reasons; every reason not named is not capped (`match`).
    public init(capping decisions: [MatchReason: FieldOutcome]) {
        partialCap = 0
        mismatchCap = 0
        for (reason, outcome) in decisions { self[reason] = outcome }
    }

    /// The best outcome a field reporting `reason` may get.
    public subscript(reason: MatchReason) -> FieldOutcome {
        get {
            let bit = MatchReasons(reason).rawValue
            return mismatchCap & bit != 0 ? .mismatch : (partialCap & bit != 0 ? .partial : .match)
        }
        set {
            let bit = MatchReasons(reason).rawValue
            partialCap &= ~bit
            mismatchCap &= ~bit
            switch newValue {
            case .match: break
            case .partial: partialCap |= bit
            case .mismatch: mismatchCap |= bit
            }
        }
    }

    /// The reasons whose decision differs from `match`, with it.
    public var caps: [MatchReason: FieldOutcome] {
        var caps: [MatchReason: FieldOutcome] = [:]
        for reason in MatchReason.allCases where self[reason] != .match { caps[reason] = self[reason] }
        return caps
    }

    /// `field` with its outcome lowered to what its reasons allow (score and reasons unchanged).
    @inlinable
    public func applied(to field: FieldResult) -> FieldResult {
        let reasons = field.reasons.rawValue
        var field = field
        if reasons & cappedAtMismatch != 0 {
            field.outcome = .mismatch
        } else if reasons & cappedAtPartial != 0 && field.outcome == .match {
            field.outcome = .partial
        }
        return field
    }

    @usableFromInline var cappedAtPartial: UInt32 { partialCap }
    @usableFromInline var cappedAtMismatch: UInt32 { mismatchCap }
}

extension ReasonDecisionPolicy: Codable {
    /// A problem in a policy's JSON, named for the configuration's error message.
    public struct DecodingProblem: Error, CustomStringConvertible {
        public let description: String
    }

    public init(from decoder: any Decoder) throws {
        let object = try decoder.singleValueContainer().decode([String: String].self)
        self = .standard
        for (name, value) in object {
            guard let reason = MatchReason(wireName: name) else {
                throw DecodingProblem(description: "unknown reason \"\(name)\" (known: "
                    + MatchReason.allCases.map(\.wireName).joined(separator: ", ") + ")")
            }
            let outcome: FieldOutcome
            switch value {
            case "match": outcome = .match
            case "partial": outcome = .partial
            case "mismatch": outcome = .mismatch
            default:
                throw DecodingProblem(description: "reason \"\(name)\": \"\(value)\" is not match, partial or mismatch")
            }
            self[reason] = outcome
        }
    }

    /// Every reason with its decision, so a decoded copy equals the original whatever the defaults become.
    public func encode(to encoder: any Encoder) throws {
        var object: [String: String] = [:]
        for reason in MatchReason.allCases { object[reason.wireName] = self[reason].wireName.description }
        var container = encoder.singleValueContainer()
        try container.encode(object)
    }
}
