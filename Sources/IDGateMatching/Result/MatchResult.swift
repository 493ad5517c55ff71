import IDGateStore

/// The engine's answer to one request: decision, a result per submitted field, and the record's status.
///
/// Fixed-size and allocation-free: field results live in one SIMD vector indexed by `Attribute`, the submitted order
/// in a packed `AttributeOrder`.
public struct MatchResult: Sendable, Hashable {
    public var decision: MatchDecision
    /// The compared attributes in submitted order (never `idNumber`).
    public var fields: AttributeOrder
    /// nil when not found.
    public var recordStatus: RecordStatus?
    /// nil when not found or when no card has been issued to the resident.
    public var cardStatus: CardStatus?
    private var packedResults: SIMD8<UInt32>

    public init(
        decision: MatchDecision, fields: AttributeOrder, recordStatus: RecordStatus?, cardStatus: CardStatus?
    ) {
        self.decision = decision
        self.fields = fields
        self.recordStatus = recordStatus
        self.cardStatus = cardStatus
        self.packedResults = .zero
    }

    public static func notFound(fields: AttributeOrder) -> MatchResult {
        MatchResult(decision: .notFound, fields: fields, recordStatus: nil, cardStatus: nil)
    }

    /// Lanes are read and written through memory: a lane update of the SIMD value itself copies the whole vector
    /// through the stack (a store-forwarding stall per field in profiles). Lane `rawValue & 7`: `residenceCardNumber`
    /// (8) shares lane 0 with `idNumber`, which is a key and never a compared field, so eight lanes still suffice.
    public subscript(attribute: Attribute) -> FieldResult {
        get {
            FieldResult(
                packed: withUnsafeBytes(of: packedResults) {
                    $0.load(fromByteOffset: 4 * Int(attribute.rawValue & 7), as: UInt32.self)
                })
        }
        set {
            let packed = newValue.packed
            withUnsafeMutableBytes(of: &packedResults) {
                $0.storeBytes(of: packed, toByteOffset: 4 * Int(attribute.rawValue & 7), as: UInt32.self)
            }
        }
    }

    /// The number of reasons over every field (for sizing an encoder's buffer without visiting each field).
    public var totalReasonCount: Int {
        var count = 0
        for lane in 0..<8 { count += FieldResult.reasonCount(packed: packedResults[lane]) }
        return count
    }
}
