/// A passport number as the MRZ document-number field holds it: 5 to 9 letters and digits, upper case.
///
/// Nine characters is the MRZ field's width (ICAO Doc 9303 Part 4, TD3); the states the generator covers all fit in
/// it (Korea `M12345678`, China `E12345678`, Japan `TK1234567`, USA `A12345678`, France `12AB34567`, Germany
/// `C01X00T47`, Russia `751234567`, Thailand `AA1234567`, India `J1234567`). Lower-case letters are read as upper
/// case: a number typed by hand is the same number.
public struct PassportNumber: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Upper-case ASCII.
    public let text: String

    public static let lengths = 5...9
    public static let formatDescription = "5 to 9 letters and digits (the MRZ document number, without '<' fillers)"

    public init?(utf8 bytes: UnsafeRawBufferPointer) {
        guard PassportNumber.lengths.contains(bytes.count) else { return nil }
        var upper = [UInt8]()
        upper.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"): upper.append(byte)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): upper.append(byte - 0x20)
            default: return nil
            }
        }
        text = String(decoding: upper, as: UTF8.self)
    }

    public init?(_ string: String) {
        var text = string
        guard let parsed = text.withUTF8({ PassportNumber(utf8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    public var description: String { text }
    public static func < (lhs: PassportNumber, rhs: PassportNumber) -> Bool { lhs.text < rhs.text }
}

/// The key of a foreign resident: the passport's issuing nationality and its number (a passport number is unique only
/// within its issuing state).
public struct ForeignerKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var nationality: Nationality
    public var passportNumber: PassportNumber

    public init(nationality: Nationality, passportNumber: PassportNumber) {
        self.nationality = nationality
        self.passportNumber = passportNumber
    }

    /// `KOR:M12345678`: the audit subject of a passport-keyed request (docs/AUDIT.md) and `idgate audit query
    /// --subject`'s form.
    public var description: String { nationality.code + ":" + passportNumber.text }

    /// The LMDB key: the three letters of the nationality, then the passport number. Byte order sorts by nationality,
    /// then number.
    public var storageKey: [UInt8] { Array(nationality.code.utf8) + Array(passportNumber.text.utf8) }

    init?(storageKey bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 3, let nationality = Nationality(code: UnsafeRawBufferPointer(rebasing: bytes[0..<3])),
            let number = PassportNumber(utf8: UnsafeRawBufferPointer(rebasing: bytes[3...]))
        else { return nil }
        self.init(nationality: nationality, passportNumber: number)
    }

    public static func < (lhs: ForeignerKey, rhs: ForeignerKey) -> Bool {
        (lhs.nationality, lhs.passportNumber) < (rhs.nationality, rhs.passportNumber)
    }
}

/// A foreign resident: someone of another nationality holding a residence card, identified by passport.
///
/// Names are kept as the travel document's visual zone writes them, in Latin letters (`MÜLLER`, `O'BRIEN`); the
/// matcher compares them in MRZ letters (docs/MATCHING.md, "Foreign residents").
public struct ForeignerRecord: Hashable, Sendable {
    public var key: ForeignerKey
    public var surname: String
    /// Empty for a person with a single name (the MRZ then has nothing after `<<`).
    public var givenNames: String
    public var dateOfBirth: PartialDate
    public var sex: Sex
    /// The Vietnamese temporary or permanent residence card (thẻ tạm trú / thẻ thường trú) number.
    public var residenceCardNumber: String
    /// The permitted stay (and the residence card's validity): from, until (inclusive).
    public var permittedFrom: PartialDate
    public var permittedUntil: PartialDate
    public var recordStatus: RecordStatus
    /// The import or update batch that last wrote the record.
    public var sequence: UInt64

    public init(
        key: ForeignerKey, surname: String, givenNames: String, dateOfBirth: PartialDate, sex: Sex,
        residenceCardNumber: String, permittedFrom: PartialDate, permittedUntil: PartialDate,
        recordStatus: RecordStatus = .active, sequence: UInt64 = 0
    ) {
        self.key = key
        self.surname = surname
        self.givenNames = givenNames
        self.dateOfBirth = dateOfBirth
        self.sex = sex
        self.residenceCardNumber = residenceCardNumber
        self.permittedFrom = permittedFrom
        self.permittedUntil = permittedUntil
        self.recordStatus = recordStatus
        self.sequence = sequence
    }

    public var nationality: Nationality { key.nationality }
    public var passportNumber: PassportNumber { key.passportNumber }
}

/// A residence card number: 1 to 3 letters then 6 to 9 digits (the generator writes `TT` for temporary, `TR` for
/// permanent residence, then 8 digits). Stored upper case; a request may write the letters in either case.
public enum ResidenceCardNumber {
    public static let formatDescription = "1 to 3 letters then 6 to 9 digits"

    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var letters = 0
        var digits = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                guard digits == 0 else { return false }
                letters += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            default: return false
            }
        }
        return (1...3).contains(letters) && (6...9).contains(digits)
    }

    public static func isValid(_ string: String) -> Bool {
        var text = string
        return text.withUTF8 { isValid(UnsafeRawBufferPointer($0)) }
    }
}
