/// Sex as recorded in the registry.
public enum Sex: UInt8, Sendable, Hashable, CaseIterable {
    case male = 1
    case female = 2

    public var name: String { self == .male ? "male" : "female" }
    public init?(name: String) {
        switch name {
        case "male": self = .male
        case "female": self = .female
        default: return nil
        }
    }
}

/// Stored card status. "expired" is never stored: it is derived from the expiry date at query time.
public enum StoredCardStatus: UInt8, Sendable, Hashable, CaseIterable {
    case valid = 0
    case revoked = 1
    case lost = 2

    public var name: String {
        switch self {
        case .valid: "valid"
        case .revoked: "revoked"
        case .lost: "lost"
        }
    }
    public init?(name: String) {
        switch name {
        case "valid": self = .valid
        case "revoked": self = .revoked
        case "lost": self = .lost
        default: return nil
        }
    }
}

/// Card status as answered to callers (`status.card` in the wire contract).
public enum CardStatus: UInt8, Sendable, Hashable {
    case valid, expired, revoked, lost

    public var name: String {
        switch self {
        case .valid: "valid"
        case .expired: "expired"
        case .revoked: "revoked"
        case .lost: "lost"
        }
    }

    /// Derives the answered status: a stored `valid` card past its expiry date (in Vietnam's calendar) is `expired`.
    public init(stored: StoredCardStatus, expiry: PartialDate?, today: PartialDate) {
        switch stored {
        case .revoked: self = .revoked
        case .lost: self = .lost
        case .valid:
            if let expiry, expiry < today { self = .expired } else { self = .valid }
        }
    }
}

public enum RecordStatus: UInt8, Sendable, Hashable, CaseIterable {
    case active = 0
    case deceased = 1

    public var name: String { self == .active ? "active" : "deceased" }
    public init?(name: String) {
        switch name {
        case "active": self = .active
        case "deceased": self = .deceased
        default: return nil
        }
    }
}

/// The chip ID card (CCCD) currently issued to a resident.
public struct IdentityCard: Hashable, Sendable {
    /// The card number; for chip cards it equals the personal ID number.
    public var number: String
    public var issueDate: PartialDate
    /// nil for cards issued at or after age 60 (valid for life).
    public var expiryDate: PartialDate?
    public var status: StoredCardStatus

    public init(number: String, issueDate: PartialDate, expiryDate: PartialDate?, status: StoredCardStatus) {
        self.number = number
        self.issueDate = issueDate
        self.expiryDate = expiryDate
        self.status = status
    }
}

/// One resident as imported, generated and exported: the owning, validated form of a registry record.
///
/// The store keeps a compact binary encoding of it and answers lookups with a non-copying view; this type is for
/// import, generation, export (`registry sample`) and tests.
public struct ResidentRecord: Hashable, Sendable {
    public var idNumber: IDNumber
    /// Unicode NFC.
    public var fullName: String
    public var dateOfBirth: PartialDate
    public var sex: Sex
    public var nationality: String
    public var ethnicity: String
    public var placeOfOrigin: String
    public var placeOfResidence: String
    /// The old 9-digit ID card number (CMND), if the resident had one.
    public var legacyIdNumber: String?
    /// National form `0xxxxxxxxx`, zero or more.
    public var phoneNumbers: [String]
    public var card: IdentityCard?
    public var recordStatus: RecordStatus
    /// Data sequence number of the import or update batch that last wrote this record.
    public var sequence: UInt64

    public init(
        idNumber: IDNumber, fullName: String, dateOfBirth: PartialDate, sex: Sex, nationality: String = "Việt Nam",
        ethnicity: String = "Kinh", placeOfOrigin: String, placeOfResidence: String, legacyIdNumber: String? = nil,
        phoneNumbers: [String] = [], card: IdentityCard?, recordStatus: RecordStatus = .active, sequence: UInt64 = 0
    ) {
        self.idNumber = idNumber
        self.fullName = fullName
        self.dateOfBirth = dateOfBirth
        self.sex = sex
        self.nationality = nationality
        self.ethnicity = ethnicity
        self.placeOfOrigin = placeOfOrigin
        self.placeOfResidence = placeOfResidence
        self.legacyIdNumber = legacyIdNumber
        self.phoneNumbers = phoneNumbers
        self.card = card
        self.recordStatus = recordStatus
        self.sequence = sequence
    }
}
