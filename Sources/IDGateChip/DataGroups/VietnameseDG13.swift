import Foundation
import SwiftASN1
import IDGateStore

/// DG13 of the Vietnamese chip ID card (CCCD): `6D { SEQUENCE { item... } }` where each item is
/// `SEQUENCE { INTEGER n, value }` (layout in docs/CHIP.md).
///
/// Read as DER by item number, never by offset: items may be absent, reordered, or carry any ASN.1 string type.
/// Item 13 (parents) holds two strings, directly or inside a SEQUENCE.
public enum VietnameseDG13 {
    public enum Item: Int, CaseIterable, Sendable {
        case idNumber = 1, fullName, dateOfBirth, sex, nationality, ethnicity, religion, placeOfOrigin
        case placeOfResidence, identifyingMarks, issueDate, expiryDate, parents, spouse, legacyIdNumber
    }

    /// The expiry text of a card valid for life.
    public static let noExpiry = "Không thời hạn"

    public static func parse(_ bytes: [UInt8]) throws(DataGroupParseError) -> ChipPersonalData {
        func fail(_ reason: String) -> DataGroupParseError { DataGroupParseError(dataGroup: 13, reason: reason) }
        guard let file = try? ElementaryFile.parse(bytes[...], tag: .application(13), maxSize: 64 * 1024) else {
            throw fail("not a DG13 file")
        }
        // Values by item number (index 0 unused), as byte slices of the file: Strings are made only for output.
        var values = [[ArraySlice<UInt8>]?](repeating: nil, count: Item.allCases.count + 1)
        /// Walks containers (sequences not starting with an item number) down to the items.
        func collect(_ element: ASN1Node) throws(DataGroupParseError) {
            guard case .constructed(let children) = element.content else { throw fail("malformed structure") }
            var iterator = children.makeIterator()
            var isFirst = true
            while let child = iterator.next() {
                if isFirst, element.identifier == .sequence, child.identifier == .integer {
                    try readItem(number: child, values: &iterator)
                    return
                }
                isFirst = false
                if case .constructed = child.content { try collect(child) }
            }
        }
        /// `SEQUENCE { INTEGER n, value... }`: the values are strings, or one level of strings inside a container.
        func readItem(number numberNode: ASN1Node, values rest: inout ASN1NodeCollection.Iterator) throws(DataGroupParseError) {
            guard let number = try? ASN1Rules.ber.smallInteger(numberNode) else { throw fail("bad item number") }
            // Unknown item numbers (later card generations) are skipped, not fatal.
            guard Item(rawValue: number) != nil else { return }
            guard values[number] == nil else { throw fail("item \(number) repeated") }
            var strings: [ArraySlice<UInt8>] = []
            while let value = rest.next() {
                switch value.content {
                case .primitive(let bytes): strings.append(bytes)
                case .constructed(let inner):
                    for string in inner {
                        guard case .primitive(let bytes) = string.content else { throw fail("malformed value") }
                        strings.append(bytes)
                    }
                }
            }
            values[number] = strings
        }
        try collect(file)
        guard values.contains(where: { $0 != nil }) else { throw fail("no items") }

        func string(_ bytes: ArraySlice<UInt8>) throws(DataGroupParseError) -> String? {
            var value = bytes
            while value.first == 0x20 { value = value.dropFirst() }
            while value.last == 0x20 { value = value.dropLast() }
            guard !value.isEmpty else { return nil }
            guard let text = String(validating: value, as: UTF8.self) else { throw fail("value is not UTF-8") }
            return text
        }
        func text(_ item: Item) throws(DataGroupParseError) -> String? {
            guard let first = values[item.rawValue]?.first else { return nil }
            return try string(first)
        }
        func date(_ item: Item) throws(DataGroupParseError) -> PartialDate? {
            guard let value = try text(item) else { return nil }
            guard let parsed = parseDate(value) else { throw fail("item \(item.rawValue) date \"\(value)\"") }
            return parsed
        }
        var data = ChipPersonalData(source: .dg13)
        data.idNumber = try text(.idNumber)
        data.fullName = try text(.fullName)
        data.dateOfBirth = try date(.dateOfBirth)
        if let sex = try text(.sex) {
            switch sex {
            case "Nam", "nam", "NAM": data.sex = .male
            case "Nữ", "nữ", "NỮ", "Nu", "nu", "NU": data.sex = .female
            default: throw fail("sex \"\(sex)\"")
            }
        }
        data.nationality = try text(.nationality)
        data.ethnicity = try text(.ethnicity)
        data.religion = try text(.religion)
        data.placeOfOrigin = try text(.placeOfOrigin)
        data.placeOfResidence = try text(.placeOfResidence)
        data.identifyingMarks = try text(.identifyingMarks)
        data.cardIssueDate = try date(.issueDate)
        if let expiry = try text(.expiryDate) {
            if let parsed = parseDate(expiry) {
                data.cardExpiryDate = parsed
            } else if expiry.lowercased() != noExpiry.lowercased() {
                throw fail("expiry date \"\(expiry)\"")
            }
        }
        let parents = values[Item.parents.rawValue] ?? []
        data.fatherName = try parents.first.flatMap(string)
        data.motherName = try parents.dropFirst().first.flatMap(string)
        data.spouseName = try text(.spouse)
        data.legacyIdNumber = try text(.legacyIdNumber)
        return data
    }

    /// `dd/mm/yyyy`, `mm/yyyy` or `yyyy`.
    static func parseDate(_ text: String) -> PartialDate? {
        var numbers: [Int] = []
        numbers.reserveCapacity(3)
        var current = -1
        for byte in text.utf8 {
            if byte == 0x2F {
                guard current >= 0 else { return nil }
                numbers.append(current)
                current = -1
            } else if byte >= 0x30 && byte <= 0x39 {
                current = max(current, 0) * 10 + Int(byte - 0x30)
                guard current < 100_000 else { return nil }
            } else {
                return nil
            }
        }
        guard current >= 0 else { return nil }
        numbers.append(current)
        switch numbers.count {
        case 3: return PartialDate(year: numbers[2], month: numbers[1], day: numbers[0])
        case 2: return PartialDate(year: numbers[1], month: numbers[0])
        case 1: return PartialDate(year: numbers[0])
        default: return nil
        }
    }

    static func formatDate(_ date: PartialDate) -> String {
        func pad(_ value: UInt8) -> String { value < 10 ? "0\(value)" : "\(value)" }
        switch date.precision {
        case .year: return "\(date.year)"
        case .month: return "\(pad(date.month))/\(date.year)"
        case .day: return "\(pad(date.day))/\(pad(date.month))/\(date.year)"
        }
    }

    /// Encodes items as the card does (UTF8String values; parents as a SEQUENCE of two strings).
    public static func encode(_ items: [Item: [String]]) -> [UInt8] {
        let encodedItems = items.keys.sorted { $0.rawValue < $1.rawValue }.map { item -> [UInt8] in
            let strings = items[item]!
            let value = item == .parents ? DERWriter.sequence(strings.map(DERWriter.utf8String)) : DERWriter.utf8String(strings.first ?? "")
            return DERWriter.sequence([DERWriter.integer(item.rawValue), value])
        }
        return DERWriter.tlv(0x6D, DERWriter.sequence(encodedItems))
    }

    /// The DG13 a card issued for `record` carries.
    public static func encode(record: ResidentRecord) -> [UInt8] {
        var items: [Item: [String]] = [
            .idNumber: [record.idNumber.description],
            .fullName: [record.fullName],
            .dateOfBirth: [formatDate(record.dateOfBirth)],
            .sex: [record.sex == .male ? "Nam" : "Nữ"],
            .nationality: [record.nationality],
            .ethnicity: [record.ethnicity],
            .religion: ["Không"],
            .placeOfOrigin: [record.placeOfOrigin],
            .placeOfResidence: [record.placeOfResidence],
            .identifyingMarks: ["Nốt ruồi C:1cm trên trước mép phải"],
            .parents: ["Nguyễn Văn Bình", "Trần Thị Cúc"],
        ]
        if let card = record.card {
            items[.issueDate] = [formatDate(card.issueDate)]
            items[.expiryDate] = [card.expiryDate.map(formatDate) ?? noExpiry]
        }
        if let legacy = record.legacyIdNumber { items[.legacyIdNumber] = [legacy] }
        return encode(items)
    }
}
