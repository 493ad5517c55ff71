/// Scores per reason and the thresholds that turn a score into match / partial / mismatch (config file section
/// `matching`; every key optional, defaults documented in docs/MATCHING.md).
public struct MatchThresholds: Sendable, Hashable, Codable {
    /// A field scoring at least this is a `match`.
    public var match: Int
    /// A field scoring at least this (and below `match`) is `partial`; below it, `mismatch`.
    public var partial: Int
    /// Points taken off 100 for each reason.
    public var penalties: Penalties

    public struct Penalties: Sendable, Hashable, Codable {
        public var caseDiffers: Int
        public var diacriticsDiffer: Int
        public var tokenOrderDiffers: Int
        /// Per syllable with a typo.
        public var typo: Int
        public var missingToken: Int
        public var monthOnly: Int
        public var yearOnly: Int
        public var legacyPrefix: Int

        public init(
            caseDiffers: Int = 0, diacriticsDiffer: Int = 5, tokenOrderDiffers: Int = 10, typo: Int = 15,
            missingToken: Int = 20, monthOnly: Int = 10, yearOnly: Int = 20, legacyPrefix: Int = 0
        ) {
            self.caseDiffers = caseDiffers
            self.diacriticsDiffer = diacriticsDiffer
            self.tokenOrderDiffers = tokenOrderDiffers
            self.typo = typo
            self.missingToken = missingToken
            self.monthOnly = monthOnly
            self.yearOnly = yearOnly
            self.legacyPrefix = legacyPrefix
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Penalties()
            caseDiffers = try c.decodeIfPresent(Int.self, forKey: .caseDiffers) ?? d.caseDiffers
            diacriticsDiffer = try c.decodeIfPresent(Int.self, forKey: .diacriticsDiffer) ?? d.diacriticsDiffer
            tokenOrderDiffers = try c.decodeIfPresent(Int.self, forKey: .tokenOrderDiffers) ?? d.tokenOrderDiffers
            typo = try c.decodeIfPresent(Int.self, forKey: .typo) ?? d.typo
            missingToken = try c.decodeIfPresent(Int.self, forKey: .missingToken) ?? d.missingToken
            monthOnly = try c.decodeIfPresent(Int.self, forKey: .monthOnly) ?? d.monthOnly
            yearOnly = try c.decodeIfPresent(Int.self, forKey: .yearOnly) ?? d.yearOnly
            legacyPrefix = try c.decodeIfPresent(Int.self, forKey: .legacyPrefix) ?? d.legacyPrefix
        }

        /// The total penalty for a set of reasons (`typo` counted once per syllable via `typos`).
        func total(for reasons: MatchReasons, typos: Int = 0) -> Int {
            var sum = typos * typo
            for reason in reasons {
                switch reason {
                case .caseDiffers: sum += caseDiffers
                case .diacriticsDiffer: sum += diacriticsDiffer
                case .tokenOrderDiffers: sum += tokenOrderDiffers
                case .missingToken: sum += missingToken
                case .monthOnly: sum += monthOnly
                case .yearOnly: sum += yearOnly
                case .legacyPrefix: sum += legacyPrefix
                case .typo, .provinceOnly, .lessSpecific, .differentValue: break
                }
            }
            return sum
        }
    }

    public init(match: Int = 90, partial: Int = 50, penalties: Penalties = Penalties()) {
        self.match = match
        self.partial = partial
        self.penalties = penalties
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        match = try c.decodeIfPresent(Int.self, forKey: .match) ?? 90
        partial = try c.decodeIfPresent(Int.self, forKey: .partial) ?? 50
        penalties = try c.decodeIfPresent(Penalties.self, forKey: .penalties) ?? Penalties()
    }

    /// Scores a field that agrees apart from `reasons`, and classifies the score.
    @usableFromInline
    func result(reasons: MatchReasons, typos: Int = 0) -> FieldResult {
        let score = max(0, min(100, 100 - penalties.total(for: reasons, typos: typos)))
        let outcome: FieldOutcome = score >= match ? .match : (score >= partial ? .partial : .mismatch)
        return FieldResult(outcome: outcome, score: UInt8(score), reasons: reasons)
    }
}
