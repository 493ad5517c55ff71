/// The attributes a relying party may submit for checking (wire names of `/v1/identity/match`).
///
/// One definition shared by the matching engine (which fields were compared), client policy (which fields a client
/// may check) and the audit log (a bitmap of what was submitted, never the values).
public enum Attribute: UInt8, Sendable, Hashable, CaseIterable {
    case idNumber = 0
    case fullName = 1
    case dateOfBirth = 2
    case sex = 3
    case placeOfOrigin = 4
    case placeOfResidence = 5
    case phoneNumber = 6
    case cardIssueDate = 7
    /// A foreign resident's residence card; compared only in requests keyed by passport (docs/API.md).
    case residenceCardNumber = 8

    /// The JSON field name in requests and responses.
    public var wireName: String {
        switch self {
        case .idNumber: "idNumber"
        case .fullName: "fullName"
        case .dateOfBirth: "dateOfBirth"
        case .sex: "sex"
        case .placeOfOrigin: "placeOfOrigin"
        case .placeOfResidence: "placeOfResidence"
        case .phoneNumber: "phoneNumber"
        case .cardIssueDate: "cardIssueDate"
        case .residenceCardNumber: "residenceCardNumber"
        }
    }

    public init?(wireName: String) {
        guard let found = Attribute.allCases.first(where: { $0.wireName == wireName }) else { return nil }
        self = found
    }
}

/// A set of attributes as a bitmap (bit n = `Attribute(rawValue: n)`).
public struct AttributeSet: OptionSet, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ attribute: Attribute) { self.rawValue = 1 << UInt16(attribute.rawValue) }
    public init<S: Sequence>(_ attributes: S) where S.Element == Attribute {
        self.rawValue = 0
        for a in attributes { insert(AttributeSet(a)) }
    }

    public func contains(_ attribute: Attribute) -> Bool { rawValue & (1 << UInt16(attribute.rawValue)) != 0 }
    public var attributes: [Attribute] { Attribute.allCases.filter { contains($0) } }
    public static let all = AttributeSet(Attribute.allCases)
}
