import IDGateStore

/// Attributes in the order a caller submitted them, packed 4 bits each into one word (no allocation), so the
/// response lists `fields` in submitted order.
public struct AttributeOrder: Sendable, Hashable, Sequence {
    /// Slot i holds `attribute.rawValue + 1`, 0 = empty.
    public private(set) var packed: UInt32 = 0
    public private(set) var count: Int = 0

    public init() {}

    public init<S: Sequence>(_ attributes: S) where S.Element == Attribute {
        for attribute in attributes { append(attribute) }
    }

    public var set: AttributeSet { AttributeSet(self) }
    public var isEmpty: Bool { count == 0 }

    public func contains(_ attribute: Attribute) -> Bool { contains(where: { $0 == attribute }) }

    /// Appends an attribute not yet present (at most 8 distinct attributes exist, so it always fits).
    public mutating func append(_ attribute: Attribute) {
        precondition(count < 8 && !contains(attribute), "attribute order holds each attribute once")
        packed |= UInt32(attribute.rawValue + 1) << (4 * UInt32(count))
        count += 1
    }

    /// `append` without the uniqueness check, for a caller that already knows the attribute is new
    /// (`MatchRequest.set` rejects a field given twice before it gets here).
    @inline(__always)
    mutating func appendNew(_ attribute: Attribute) {
        precondition(count < 8, "attribute order holds each attribute once")
        packed |= UInt32(attribute.rawValue + 1) << (4 * UInt32(count))
        count += 1
    }

    public struct Iterator: IteratorProtocol {
        var remaining: UInt32
        public mutating func next() -> Attribute? {
            guard remaining != 0 else { return nil }
            defer { remaining >>= 4 }
            return Attribute(rawValue: UInt8(remaining & 0xF) - 1)
        }
    }
    public func makeIterator() -> Iterator { Iterator(remaining: packed) }
}
