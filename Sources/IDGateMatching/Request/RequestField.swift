import IDGateStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every field a match request may carry: the attributes to compare plus the caller's `purpose` and `ref`.
public enum RequestField: UInt8, Sendable, Hashable, CaseIterable {
    case idNumber = 0
    case fullName = 1
    case dateOfBirth = 2
    case sex = 3
    case placeOfOrigin = 4
    case placeOfResidence = 5
    case phoneNumber = 6
    case cardIssueDate = 7
    /// Foreign residents (passport-keyed requests only).
    case residenceCardNumber = 8
    /// With `nationality`, the key of a foreign resident, instead of `idNumber`.
    case passportNumber = 9
    case nationality = 10
    case purpose = 11
    case ref = 12

    /// The attribute this field submits for checking; nil for `passportNumber`, `nationality` (the key), `purpose`
    /// and `ref`.
    public var attribute: Attribute? { Attribute(rawValue: rawValue) }

    public init(_ attribute: Attribute) { self = RequestField(rawValue: attribute.rawValue)! }

    public var wireName: String { staticWireName.description }

    /// Bits of `MatchRequest.submittedFields` that only a passport-keyed request may carry.
    static let foreignerOnlyBits: UInt16 = 1 << 8 | 1 << 9 | 1 << 10
    /// Bits of the attributes only an ID-number-keyed request may carry.
    static let citizenOnlyBits: UInt16 = 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7
    /// Bits of the fields in the request digest's canonical form: all but `purpose` and `ref`.
    static let digestBits: UInt16 = 1 << 11 - 1

    /// Most bytes a value may have (a sanity bound, far above any real value).
    public var maximumLength: Int {
        switch self {
        case .fullName: 256
        case .placeOfOrigin, .placeOfResidence: 512
        case .ref: 128
        case .purpose: 64
        case .idNumber, .dateOfBirth, .sex, .phoneNumber, .cardIssueDate, .residenceCardNumber, .passportNumber,
            .nationality:
            32
        }
    }

    /// `allCases` computed once (the synthesized property builds a new array on every call).
    static let everyField = RequestField.allCases

    /// Matches a decoded JSON key against the field names without allocating (candidates picked by length).
    public init?(wireName bytes: UnsafeRawBufferPointer) {
        let candidates: (RequestField, RequestField?)
        switch bytes.count {
        case 3: candidates = (.sex, .ref)
        case 7: candidates = (.purpose, nil)
        case 8: candidates = (.idNumber, .fullName)
        case 11: candidates = (.dateOfBirth, .phoneNumber)
        case 13: candidates = (.placeOfOrigin, .cardIssueDate)
        case 16: candidates = (.placeOfResidence, nil)
        case 14: candidates = (.passportNumber, nil)
        case 19: candidates = (.residenceCardNumber, nil)
        default: return nil
        }
        // Compared inline as words (keys are 3-16 bytes): two overlapping 8-byte loads from 8 bytes up.
        let count = bytes.count
        let key = bytes.baseAddress!
        func named(_ field: RequestField) -> Bool {
            let name = UnsafeRawPointer(field.staticWireName.utf8Start)
            if count >= 8 {
                return key.loadUnaligned(as: UInt64.self) == name.loadUnaligned(as: UInt64.self)
                    && key.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                        == name.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            }
            for offset in 0..<count
            where key.load(fromByteOffset: offset, as: UInt8.self) != name.load(fromByteOffset: offset, as: UInt8.self)
            {
                return false
            }
            return true
        }
        if named(candidates.0) {
            self = candidates.0
        } else if let second = candidates.1, named(second) {
            self = second
        } else if count == 11, named(.nationality) {
            self = .nationality
        } else {
            return nil
        }
    }

    public var staticWireName: StaticString {
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
        case .passportNumber: "passportNumber"
        case .nationality: "nationality"
        case .purpose: "purpose"
        case .ref: "ref"
        }
    }
}
