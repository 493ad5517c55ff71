/// Scores per reason and the thresholds that turn a score into match / partial / mismatch (config file section
/// `matching`; every key optional, defaults documented in docs/MATCHING.md).
///
/// The score measures how close two values are; what a kind of difference means for a client (say, another
/// diacritics spelling of a name) is decided by `ReasonDecisionPolicy`, which can only lower the outcome the
/// score gives.
public struct MatchThresholds: Sendable, Hashable, Codable {
    /// A field scoring at least this is a `match`.
    public var match: Int
    /// A field scoring at least this (and below `match`) is `partial`; below it, `mismatch`.
    public var partial: Int
    /// Points taken off 100 for each reason.
    public var penalties: Penalties

    public struct Penalties: Sendable, Hashable, Codable {
        public var caseDiffers: Int
        public var toneMarkPlacement: Int
        public var noDiacritics: Int
        public var diacriticsDiffer: Int
        public var invisibleCharacters: Int
        public var tokenOrderDiffers: Int
        /// Per syllable with a typo.
        public var typo: Int
        public var missingToken: Int
        public var monthOnly: Int
        public var yearOnly: Int
        public var dayMonthSwapped: Int
        public var administrativeUnitRenamed: Int
        public var legacyPrefix: Int
        /// Foreign residents' names (docs/MATCHING.md, "Foreign residents"); 0 by default: ICAO 9303 writes one name
        /// these ways.
        public var transliterated: Int = 0
        public var nameOrderSwapped: Int = 0
        public var punctuationDiffers: Int = 0

        public init(
            caseDiffers: Int = 0, toneMarkPlacement: Int = 0, noDiacritics: Int = 5, diacriticsDiffer: Int = 5,
            invisibleCharacters: Int = 0, tokenOrderDiffers: Int = 10, typo: Int = 15, missingToken: Int = 20,
            monthOnly: Int = 10, yearOnly: Int = 20, dayMonthSwapped: Int = 10, administrativeUnitRenamed: Int = 0,
            legacyPrefix: Int = 0
        ) {
            self.caseDiffers = caseDiffers
            self.toneMarkPlacement = toneMarkPlacement
            self.noDiacritics = noDiacritics
            self.diacriticsDiffer = diacriticsDiffer
            self.invisibleCharacters = invisibleCharacters
            self.tokenOrderDiffers = tokenOrderDiffers
            self.typo = typo
            self.missingToken = missingToken
            self.monthOnly = monthOnly
            self.yearOnly = yearOnly
            self.dayMonthSwapped = dayMonthSwapped
            self.administrativeUnitRenamed = administrativeUnitRenamed
            self.legacyPrefix = legacyPrefix
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Penalties()
            func value(_ key: CodingKeys, _ fallback: Int) throws -> Int {
                try c.decodeIfPresent(Int.self, forKey: key) ?? fallback
            }
            caseDiffers = try value(.caseDiffers, d.caseDiffers)
            toneMarkPlacement = try value(.toneMarkPlacement, d.toneMarkPlacement)
            noDiacritics = try value(.noDiacritics, d.noDiacritics)
            diacriticsDiffer = try value(.diacriticsDiffer, d.diacriticsDiffer)
            invisibleCharacters = try value(.invisibleCharacters, d.invisibleCharacters)
            tokenOrderDiffers = try value(.tokenOrderDiffers, d.tokenOrderDiffers)
            typo = try value(.typo, d.typo)
            missingToken = try value(.missingToken, d.missingToken)
            monthOnly = try value(.monthOnly, d.monthOnly)
            yearOnly = try value(.yearOnly, d.yearOnly)
            dayMonthSwapped = try value(.dayMonthSwapped, d.dayMonthSwapped)
            administrativeUnitRenamed = try value(.administrativeUnitRenamed, d.administrativeUnitRenamed)
            legacyPrefix = try value(.legacyPrefix, d.legacyPrefix)
            transliterated = try value(.transliterated, d.transliterated)
            nameOrderSwapped = try value(.nameOrderSwapped, d.nameOrderSwapped)
            punctuationDiffers = try value(.punctuationDiffers, d.punctuationDiffers)
        }

        /// The total penalty for a set of reasons (`typo` counted once per syllable via `typos`).
        func total(for reasons: MatchReasons, typos: Int = 0) -> Int {
            var sum = typos * typo
            for reason in reasons {
                switch reason {
                case .caseDiffers: sum += caseDiffers
                case .toneMarkPlacement: sum += toneMarkPlacement
                case .noDiacritics: sum += noDiacritics
                case .diacriticsDiffer: sum += diacriticsDiffer
                case .invisibleCharacters: sum += invisibleCharacters
                case .tokenOrderDiffers: sum += tokenOrderDiffers
                case .missingToken: sum += missingToken
                case .monthOnly: sum += monthOnly
                case .yearOnly: sum += yearOnly
                case .dayMonthSwapped: sum += dayMonthSwapped
                case .administrativeUnitRenamed: sum += administrativeUnitRenamed
                case .legacyPrefix: sum += legacyPrefix
                case .transliterated: sum += transliterated
                case .nameOrderSwapped: sum += nameOrderSwapped
                case .punctuationDiffers: sum += punctuationDiffers
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
