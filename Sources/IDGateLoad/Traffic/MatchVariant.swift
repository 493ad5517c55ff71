import Foundation
import IDGateStore

/// How a match request is derived from a stored record: the hits a relying party sends (exact, without diacritics,
/// with a typo, with the name order swapped, the residence in the other administrative units since the 2025
/// reorganization), misses (wrong birth date or name), and ID numbers not in the registry.
public enum MatchVariant: String, CaseIterable, Sendable {
    case exact, noDiacritics, typo, swappedNames, reorganizedAddress, wrongBirthDate, wrongName, unknownID

    /// Share of match traffic, in percent (sums to 100).
    var weight: Int {
        switch self {
        case .exact: 35
        case .noDiacritics: 15
        case .typo: 10
        case .swappedNames: 10
        case .reorganizedAddress: 5
        case .wrongBirthDate: 10
        case .wrongName: 5
        case .unknownID: 10
        }
    }

    /// The request attributes for `record` (`other` supplies a different person's name for `wrongName`).
    func request(from record: SampleRecord, other: SampleRecord?, purpose: String?) -> MatchRequestBody {
        var body = MatchRequestBody(
            idNumber: record.idNumber, fullName: record.fullName, dateOfBirth: record.dateOfBirth, sex: record.sex,
            purpose: purpose)
        switch self {
        case .exact:
            body.placeOfOrigin = record.placeOfOrigin
            body.placeOfResidence = record.placeOfResidence
            body.phoneNumber = record.phoneNumbers?.first
            body.cardIssueDate = record.cardIssueDate
        case .noDiacritics:
            body.fullName = record.fullName.map(Self.removingDiacritics)
        case .typo:
            body.fullName = record.fullName.map(Self.withTypo)
        case .swappedNames:
            body.fullName = record.fullName.map(Self.swappingNameOrder)
        case .reorganizedAddress:
            // Old units stored → the new ones stated, and the reverse (addresses of the demo generator).
            body.placeOfResidence = record.placeOfResidence.map { GeneratedAddress.otherForm($0) ?? $0 }
        case .wrongBirthDate:
            body.dateOfBirth = Self.shiftingYear(record.dateOfBirth ?? "1970")
        case .wrongName:
            let otherName = other?.fullName
            body.fullName = otherName != nil && otherName != record.fullName ? otherName : "Trần Thị Bích Ngọc"
        case .unknownID:
            body.idNumber = Self.unknownIDNumber(near: record.idNumber)
        }
        if body.fullName == nil && body.dateOfBirth == nil && body.sex == nil { body.dateOfBirth = "1970" }
        return body
    }

    static func removingDiacritics(_ name: String) -> String {
        let folded = name.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "D")
        let scalars = folded.decomposedStringWithCanonicalMapping.unicodeScalars.filter { !(0x300...0x36F).contains($0.value) }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Transposes two adjacent letters in the last name token (or doubles its last letter when it is too short).
    static func withTypo(_ name: String) -> String {
        var characters = Array(name)
        let lastSpace = characters.lastIndex(of: " ") ?? -1
        let start = lastSpace + 1
        if characters.count - start >= 3, characters[start + 1] != characters[start + 2] {
            characters.swapAt(start + 1, start + 2)
        } else if let last = characters.last {
            characters.append(last)
        }
        return String(characters)
    }

    /// Moves the given name (last token) to the front: "Nguyễn Văn An" → "An Nguyễn Văn".
    static func swappingNameOrder(_ name: String) -> String {
        var tokens = name.split(separator: " ")
        guard tokens.count >= 2 else { return name }
        tokens.insert(tokens.removeLast(), at: 0)
        return tokens.joined(separator: " ")
    }

    /// The year before (1901 for 1900); 29 February becomes the 28th, since the year before has none (a request
    /// with 1971-02-29 would be refused with 422, not answered as a mismatch).
    static func shiftingYear(_ date: String) -> String {
        guard let year = Int(date.prefix(4)) else { return "1970" }
        let monthDay = date.dropFirst(4)
        return String(year == 1900 ? 1901 : year - 1) + (monthDay == "-02-29" ? "-02-28" : monthDay)
    }

    /// Same province and century digits, the serial part changed: valid in form, almost surely not registered.
    static func unknownIDNumber(near idNumber: String) -> String {
        let digits = Array(idNumber.utf8)
        guard digits.count == 12, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return "001099999999" }
        let serial = Int(String(decoding: digits[6...], as: UTF8.self))!
        let changed = (serial + 500_003) % 1_000_000
        return String(decoding: digits[..<6], as: UTF8.self) + String(format: "%06d", changed)
    }
}

/// The JSON body of `POST /v1/identity/match` (API.md names; absent attributes are omitted).
struct MatchRequestBody: Encodable {
    var idNumber: String
    var fullName: String?
    var dateOfBirth: String?
    var sex: String?
    var placeOfOrigin: String?
    var placeOfResidence: String?
    var phoneNumber: String?
    var cardIssueDate: String?
    var purpose: String?
}
