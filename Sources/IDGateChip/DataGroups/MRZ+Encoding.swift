import Foundation
import IDGateStore

extension MRZ {
    /// The DG1 file of a Vietnamese chip ID card (TD1): document number = last 9 digits of the personal number,
    /// the full 12-digit number at the start of the optional data, names transliterated without diacritics.
    public static func vietnameseIDCardDG1(record: ResidentRecord) -> [UInt8] {
        let id = record.idNumber.description
        let documentNumber = String(id.suffix(9))
        func yymmdd(_ date: PartialDate?) -> String {
            guard let date else { return "<<<<<<" }
            func two(_ value: Int) -> String { value == 0 ? "<<" : String(format: "%02d", value) }
            return two(Int(date.year) % 100) + two(Int(date.month)) + two(Int(date.day))
        }
        func digit(_ text: String) -> String { String(UnicodeScalar(checkDigit(Array(text.utf8)))) }
        let line1 = "IDVNM" + documentNumber + digit(documentNumber) + pad(id, 15)
        let birth = yymmdd(record.dateOfBirth)
        let expiry = yymmdd(record.card?.expiryDate)
        let sex = record.sex == .male ? "M" : "F"
        let line2Start = birth + digit(birth) + sex + expiry + digit(expiry) + "VNM" + String(repeating: "<", count: 11)
        let composite = digit(String(line1.dropFirst(5)) + birth + digit(birth) + expiry + digit(expiry) + String(repeating: "<", count: 11))
        let line2 = line2Start + composite
        let words = transliterate(record.fullName).split(separator: " ").map(String.init)
        let line3 = pad((words.first ?? "") + "<<" + words.dropFirst().joined(separator: "<"), 30)
        return DERWriter.tlv(0x61, DERWriter.tlv(0x5F1F, Array((line1 + line2 + line3).utf8)))
    }

    private static func pad(_ text: String, _ length: Int) -> String {
        String((text + String(repeating: "<", count: length)).prefix(length))
    }

    /// Upper-case ASCII as ICAO 9303-3 transliterates Vietnamese (Đ → D, diacritics dropped).
    static func transliterate(_ name: String) -> String {
        let folded = name.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "D")
            .folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).uppercased()
        return String(folded.unicodeScalars.filter { ($0 >= "A" && $0 <= "Z") || $0 == " " }.map(Character.init))
    }
}
