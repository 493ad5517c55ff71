import Foundation
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
        guard let file = try? ASN1Element.parse(bytes, maxSize: 64 * 1024), file.tag == 0x6D else {
            throw fail("not a DG13 file")
        }
        var values: [Item: [String]] = [:]
        /// Walks containers (sequences not starting with an item number) down to the items.
        func collect(_ element: ASN1Element) throws(DataGroupParseError) {
            guard let children = try? element.children() else { throw fail("malformed structure") }
            if element.tag == ASN1Tag.sequence, let first = children.first, first.tag == ASN1Tag.integer {
                guard let number = try? first.smallInteger() else { throw fail("bad item number") }
                // Unknown item numbers (later card generations) are skipped, not fatal.
                guard let item = Item(rawValue: number) else { return }
                guard values[item] == nil else { throw fail("item \(number) repeated") }
                values[item] = try strings(children.dropFirst())
                return
            }
            for child in children where child.isConstructed { try collect(child) }
        }
        func strings(_ elements: ArraySlice<ASN1Element>) throws(DataGroupParseError) -> [String] {
            var result: [String] = []
            for element in elements {
                if element.isConstructed {
                    guard let inner = try? element.children() else { throw fail("malformed value") }
                    result += try strings(inner[...])
                } else {
                    guard let text = String(validating: element.content, as: UTF8.self) else {
                        throw fail("value is not UTF-8")
                    }
                    result.append(text)
                }
            }
            return result
        }
        try collect(file)
        guard !values.isEmpty else { throw fail("no items") }

        func text(_ item: Item) -> String? {
            guard let raw = values[item]?.first else { return nil }
            let value = raw.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
            return value.isEmpty ? nil : String(value)
        }
        func date(_ item: Item) throws(DataGroupParseError) -> PartialDate? {
            guard let value = text(item) else { return nil }
            guard let parsed = parseDate(value) else { throw fail("item \(item.rawValue) date \"\(value)\"") }
            return parsed
        }
        var data = ChipPersonalData(source: .dg13)
        data.idNumber = text(.idNumber)
        data.fullName = text(.fullName)
        data.dateOfBirth = try date(.dateOfBirth)
        if let sex = text(.sex) {
            switch sex.lowercased() {
            case "nam": data.sex = .male
            case "nữ", "nu": data.sex = .female
            default: throw fail("sex \"\(sex)\"")
            }
        }
        data.nationality = text(.nationality)
        data.ethnicity = text(.ethnicity)
        data.religion = text(.religion)
        data.placeOfOrigin = text(.placeOfOrigin)
        data.placeOfResidence = text(.placeOfResidence)
        data.identifyingMarks = text(.identifyingMarks)
        data.cardIssueDate = try date(.issueDate)
        if let expiry = text(.expiryDate), expiry.lowercased() != noExpiry.lowercased() {
            guard let parsed = parseDate(expiry) else { throw fail("expiry date \"\(expiry)\"") }
            data.cardExpiryDate = parsed
        }
        let parents = values[.parents] ?? []
        data.fatherName = parents.first.flatMap { $0.isEmpty ? nil : $0 }
        data.motherName = parents.dropFirst().first.flatMap { $0.isEmpty ? nil : $0 }
        data.spouseName = text(.spouse)
        data.legacyIdNumber = text(.legacyIdNumber)
        return data
    }

    /// `dd/mm/yyyy`, `mm/yyyy` or `yyyy`.
    static func parseDate(_ text: String) -> PartialDate? {
        let parts = text.split(separator: "/").map { Int($0) }
        guard !parts.contains(nil) else { return nil }
        switch parts.count {
        case 3: return PartialDate(year: parts[2]!, month: parts[1]!, day: parts[0]!)
        case 2: return PartialDate(year: parts[1]!, month: parts[0]!)
        case 1: return PartialDate(year: parts[0]!)
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
            let value = item == .parents ? DER.sequence(strings.map(DER.utf8String)) : DER.utf8String(strings.first ?? "")
            return DER.sequence([DER.integer(item.rawValue), value])
        }
        return DER.tlv(0x6D, DER.sequence(encodedItems))
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
