/// A machine-readable explanation of a difference between a submitted and a stored value (`reasons` on the wire).
/// Raw values fix the order in which reasons are listed.
public enum MatchReason: UInt8, Sendable, Hashable, CaseIterable, Codable {
    case caseDiffers = 0
    /// The same letters and tone, the tone mark on the other vowel of `oa`, `oe` or `uy` (`hòa`/`hoà`): the two
    /// accepted conventions of writing one name.
    case toneMarkPlacement = 1
    /// The submitted value carries no diacritics at all (typed on a keyboard without them) and agrees otherwise.
    case noDiacritics = 2
    /// The submitted value carries diacritics and they differ from the stored ones: another spelling (`Tân`/`Tấn`).
    case diacriticsDiffer = 3
    /// The submitted value contains zero-width or bidirectional-control characters (compared without them).
    case invisibleCharacters = 4
    case tokenOrderDiffers = 5
    case typo = 6
    case missingToken = 7
    case monthOnly = 8
    case yearOnly = 9
    /// A full date whose day is the stored month and whose month is the stored day (`1985-12-03` for a stored
    /// `1985-03-12`): the day-first and month-first orders confused.
    case dayMonthSwapped = 10
    /// The address names a place by its unit before the 1 July 2025 reorganization on one side and after it on the
    /// other (old province, district and commune against new province and commune).
    case administrativeUnitRenamed = 11
    case provinceOnly = 12
    case lessSpecific = 13
    case legacyPrefix = 14
    case differentValue = 15
    /// Foreign residents (docs/MATCHING.md, "Foreign residents"): the names agree once both are written in MRZ
    /// letters (ICAO 9303 Part 3 transliteration: `MÜLLER`/`MUELLER`/`MULLER`, `SØRENSEN`/`SOERENSEN`, `ß`/`SS`).
    case transliterated = 16
    /// Foreign residents: the given names written before the surname (or the other way round).
    case nameOrderSwapped = 17
    /// Foreign residents: apostrophes, hyphens or spaces inside the name differ (`O'CONNOR`/`OCONNOR`,
    /// `JEAN-PIERRE`/`JEAN PIERRE`), which the MRZ drops or writes as fillers.
    case punctuationDiffers = 18

    public var wireName: String { staticWireName.description }

    /// The reason with this wire name (`diacritics_differ`), nil for an unknown one.
    public init?(wireName: String) {
        guard let found = MatchReason.allCases.first(where: { $0.wireName == wireName }) else { return nil }
        self = found
    }

    /// The wire name as a static string, for encoders that write bytes without allocating.
    public var staticWireName: StaticString {
        switch self {
        case .caseDiffers: "case_differs"
        case .toneMarkPlacement: "tone_mark_placement"
        case .noDiacritics: "no_diacritics"
        case .diacriticsDiffer: "diacritics_differ"
        case .invisibleCharacters: "invisible_characters"
        case .tokenOrderDiffers: "token_order_differs"
        case .typo: "typo"
        case .missingToken: "missing_token"
        case .monthOnly: "month_only"
        case .yearOnly: "year_only"
        case .dayMonthSwapped: "day_month_swapped"
        case .administrativeUnitRenamed: "administrative_unit_renamed"
        case .provinceOnly: "province_only"
        case .lessSpecific: "less_specific"
        case .legacyPrefix: "legacy_prefix"
        case .differentValue: "different_value"
        case .transliterated: "transliterated"
        case .nameOrderSwapped: "name_order_swapped"
        case .punctuationDiffers: "punctuation_differs"
        }
    }
}

/// A set of reasons as a bitmap (bit n = `MatchReason(rawValue: n)`), iterated in raw-value order. A `FieldResult`
/// packs the first sixteen in its top 16 bits and up to six more beside its outcome (`FieldResult.packed`).
public struct MatchReasons: Sendable, Hashable, Sequence, ExpressibleByArrayLiteral {
    public var rawValue: UInt32

    public init(rawValue: UInt32 = 0) { self.rawValue = rawValue }
    public init(_ reason: MatchReason) { self.rawValue = 1 << UInt32(reason.rawValue) }
    public init(arrayLiteral reasons: MatchReason...) {
        self.rawValue = 0
        for reason in reasons { insert(reason) }
    }

    public var isEmpty: Bool { rawValue == 0 }
    public func contains(_ reason: MatchReason) -> Bool { rawValue & (1 << UInt32(reason.rawValue)) != 0 }
    public mutating func insert(_ reason: MatchReason) { rawValue |= 1 << UInt32(reason.rawValue) }
    public mutating func remove(_ reason: MatchReason) { rawValue &= ~(1 << UInt32(reason.rawValue)) }
    public mutating func formUnion(_ other: MatchReasons) { rawValue |= other.rawValue }

    public struct Iterator: IteratorProtocol {
        var remaining: UInt32
        public mutating func next() -> MatchReason? {
            guard remaining != 0 else { return nil }
            let bit = remaining.trailingZeroBitCount
            remaining &= remaining &- 1
            return MatchReason(rawValue: UInt8(bit))
        }
    }
    public func makeIterator() -> Iterator { Iterator(remaining: rawValue) }
}
