import Foundation
import SwiftASN1
import IDGateStore

/// The machine-readable zone held in DG1 (`61 { 5F1F <MRZ> }`), ICAO 9303 parts 4-6.
///
/// TD1 (ID cards, 3×30), TD2 (2×36) and TD3 (passports, 2×44); every check digit, the composite included, is
/// verified, since a DG1 whose hash matches but whose check digits fail was mis-issued.
public struct MRZ: Sendable, Equatable {
    public enum Format: String, Sendable { case td1, td2, td3 }

    public var format: Format
    public var documentCode: String
    public var issuingState: String
    public var documentNumber: String
    /// YYMMDD, `<` for unknown parts.
    public var dateOfBirth: String
    public var sex: Character
    public var dateOfExpiry: String
    public var nationality: String
    public var primaryIdentifier: String
    public var secondaryIdentifier: String
    public var optionalData: String

    /// Parses the DG1 file (tag included).
    public init(dg1 bytes: [UInt8]) throws(DataGroupParseError) {
        func fail(_ reason: String) -> DataGroupParseError { DataGroupParseError(dataGroup: 1, reason: reason) }
        // `[APPLICATION 1] { [APPLICATION 31] IMPLICIT OCTET STRING }`: 0x61 { 0x5F1F <MRZ> }.
        guard let inner = try? ElementaryFile.content(bytes[...], tag: .application(1), maxSize: 4096),
            inner.identifier == .application(31), case .primitive(let mrz) = inner.content
        else { throw fail("not a DG1 file") }
        guard mrz.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x3C }) else {
            throw fail("characters outside the MRZ set")
        }
        try self.init(text: String(decoding: mrz, as: UTF8.self))
    }

    public init(text: String) throws(DataGroupParseError) {
        func fail(_ reason: String) -> DataGroupParseError { DataGroupParseError(dataGroup: 1, reason: reason) }
        let c = Array(text.utf8)
        func field(_ from: Int, _ length: Int) -> String { String(decoding: c[from..<(from + length)], as: UTF8.self) }
        func check(_ ranges: [Range<Int>], digitAt index: Int, _ name: String) throws(DataGroupParseError) {
            let digit = c[index]
            let expected = MRZ.checkDigit(ranges.flatMap { c[$0] })
            // "<" as check digit is allowed only for an all-filler field (e.g. no optional data).
            if digit == 0x3C && ranges.allSatisfy({ c[$0].allSatisfy { $0 == 0x3C } }) { return }
            guard digit == expected else { throw fail("check digit of \(name)") }
        }
        switch c.count {
        case 90:
            format = .td1
            documentCode = field(0, 2)
            issuingState = field(2, 3)
            documentNumber = field(5, 9)
            try check([5..<14], digitAt: 14, "document number")
            dateOfBirth = field(30, 6)
            try check([30..<36], digitAt: 36, "date of birth")
            sex = Character(UnicodeScalar(c[37]))
            dateOfExpiry = field(38, 6)
            try check([38..<44], digitAt: 44, "date of expiry")
            nationality = field(45, 3)
            optionalData = field(15, 15) + field(48, 11)
            try check([5..<30, 30..<37, 38..<45, 48..<59], digitAt: 59, "composite")
            (primaryIdentifier, secondaryIdentifier) = MRZ.names(field(60, 30))
        case 72, 88:
            let line = c.count / 2
            format = line == 36 ? .td2 : .td3
            documentCode = field(0, 2)
            issuingState = field(2, 3)
            (primaryIdentifier, secondaryIdentifier) = MRZ.names(field(5, line - 5))
            let l2 = line
            documentNumber = field(l2, 9)
            try check([l2..<(l2 + 9)], digitAt: l2 + 9, "document number")
            nationality = field(l2 + 10, 3)
            dateOfBirth = field(l2 + 13, 6)
            try check([(l2 + 13)..<(l2 + 19)], digitAt: l2 + 19, "date of birth")
            sex = Character(UnicodeScalar(c[l2 + 20]))
            dateOfExpiry = field(l2 + 21, 6)
            try check([(l2 + 21)..<(l2 + 27)], digitAt: l2 + 27, "date of expiry")
            if format == .td3 {
                optionalData = field(l2 + 28, 14)
                try check([(l2 + 28)..<(l2 + 42)], digitAt: l2 + 42, "personal number")
                try check([l2..<(l2 + 10), (l2 + 13)..<(l2 + 20), (l2 + 21)..<(l2 + 43)], digitAt: l2 + 43, "composite")
            } else {
                optionalData = field(l2 + 28, 7)
                try check([l2..<(l2 + 10), (l2 + 13)..<(l2 + 20), (l2 + 21)..<(l2 + 35)], digitAt: l2 + 35, "composite")
            }
        default:
            throw fail("MRZ of \(c.count) characters")
        }
        documentNumber = MRZ.trimFiller(documentNumber)
        optionalData = MRZ.trimFiller(optionalData)
    }

    /// ICAO 9303-3 §4.9: weights 7, 3, 1; digits as themselves, A-Z as 10-35, `<` as 0.
    public static func checkDigit<C: Collection<UInt8>>(_ characters: C) -> UInt8 {
        let weights = [7, 3, 1]
        var sum = 0
        for (index, character) in characters.enumerated() {
            let value: Int = switch character {
            case 0x30...0x39: Int(character - 0x30)
            case 0x41...0x5A: Int(character - 0x41) + 10
            default: 0
            }
            sum += value * weights[index % 3]
        }
        return UInt8(0x30 + sum % 10)
    }

    static func trimFiller(_ value: String) -> String {
        var bytes = value.utf8[...]
        while bytes.last == 0x3C { bytes = bytes.dropLast() }
        return String(bytes)!
    }

    /// `PRIMARY<<SECONDARY<NAMES<<<` → ("PRIMARY", "SECONDARY NAMES").
    private static func names(_ field: String) -> (String, String) {
        let characters = Array(field.utf8)
        var separator = characters.count
        for index in 0..<(characters.count - 1) where characters[index] == 0x3C && characters[index + 1] == 0x3C {
            separator = index
            break
        }
        func words(_ slice: ArraySlice<UInt8>) -> String {
            String(decoding: Array(slice.split(separator: 0x3C).joined(separator: [0x20])), as: UTF8.self)
        }
        return (words(characters[..<separator]), words(characters[min(separator + 2, characters.count)...]))
    }
}

extension MRZ {
    /// The personal data an MRZ carries. A Vietnamese TD1 card holds the 12-digit personal number at the start of
    /// the optional data; dates of birth take the century that does not put them in the future.
    public func personalData(today: PartialDate) -> ChipPersonalData {
        var data = ChipPersonalData(source: .dg1)
        data.documentNumber = documentNumber
        let leading = optionalData.prefix(12)
        data.idNumber = leading.count == 12 && leading.allSatisfy(\.isNumber) ? String(leading) : documentNumber
        data.fullName = [primaryIdentifier, secondaryIdentifier].filter { !$0.isEmpty }.joined(separator: " ")
        data.dateOfBirth = MRZ.date(dateOfBirth, pivotYear: Int(today.year) % 100, century: Int(today.year) / 100)
        data.cardExpiryDate = MRZ.date(dateOfExpiry, pivotYear: 99, century: Int(today.year) / 100)
        data.sex = sex == "M" ? .male : (sex == "F" ? .female : nil)
        data.nationality = nationality
        return data
    }

    /// YYMMDD → date; years above `pivotYear` fall in the previous century. Unknown month or day (`<<`) make a
    /// partial date.
    static func date(_ yymmdd: String, pivotYear: Int, century: Int) -> PartialDate? {
        let c = Array(yymmdd.utf8)
        func number(_ from: Int) -> Int? {
            guard c[from] >= 0x30, c[from] <= 0x39, c[from + 1] >= 0x30, c[from + 1] <= 0x39 else { return nil }
            return Int(c[from] - 0x30) * 10 + Int(c[from + 1] - 0x30)
        }
        guard c.count == 6, let yy = number(0) else { return nil }
        let year = (yy > pivotYear ? century - 1 : century) * 100 + yy
        guard let month = number(2) else { return PartialDate(year: year) }
        guard let day = number(4) else { return PartialDate(year: year, month: month) }
        return PartialDate(year: year, month: month, day: day)
    }
}
