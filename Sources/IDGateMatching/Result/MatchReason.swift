/// A machine-readable explanation of a difference between a submitted and a stored value (`reasons` on the wire).
/// Raw values fix the order in which reasons are listed.
public enum MatchReason: UInt8, Sendable, Hashable, CaseIterable, Codable {
    case caseDiffers = 0
    case diacriticsDiffer = 1
    case tokenOrderDiffers = 2
    case typo = 3
    case missingToken = 4
    case monthOnly = 5
    case yearOnly = 6
    case provinceOnly = 7
    case lessSpecific = 8
    case legacyPrefix = 9
    case differentValue = 10

    public var wireName: String { staticWireName.description }

    /// The wire name as a static string, for encoders that write bytes without allocating.
    public var staticWireName: StaticString {
        switch self {
        case .caseDiffers: "case_differs"
        case .diacriticsDiffer: "diacritics_differ"
        case .tokenOrderDiffers: "token_order_differs"
        case .typo: "typo"
        case .missingToken: "missing_token"
        case .monthOnly: "month_only"
        case .yearOnly: "year_only"
        case .provinceOnly: "province_only"
        case .lessSpecific: "less_specific"
        case .legacyPrefix: "legacy_prefix"
        case .differentValue: "different_value"
        }
    }
}

/// A set of reasons as a bitmap (bit n = `MatchReason(rawValue: n)`), iterated in raw-value order.
public struct MatchReasons: Sendable, Hashable, Sequence, ExpressibleByArrayLiteral {
    public var rawValue: UInt16

    public init(rawValue: UInt16 = 0) { self.rawValue = rawValue }
    public init(_ reason: MatchReason) { self.rawValue = 1 << UInt16(reason.rawValue) }
    public init(arrayLiteral reasons: MatchReason...) {
        self.rawValue = 0
        for reason in reasons { insert(reason) }
    }

    public var isEmpty: Bool { rawValue == 0 }
    public func contains(_ reason: MatchReason) -> Bool { rawValue & (1 << UInt16(reason.rawValue)) != 0 }
    public mutating func insert(_ reason: MatchReason) { rawValue |= 1 << UInt16(reason.rawValue) }

    public struct Iterator: IteratorProtocol {
        var remaining: UInt16
        public mutating func next() -> MatchReason? {
            guard remaining != 0 else { return nil }
            let bit = remaining.trailingZeroBitCount
            remaining &= remaining &- 1
            return MatchReason(rawValue: UInt8(bit))
        }
    }
    public func makeIterator() -> Iterator { Iterator(remaining: rawValue) }
}
