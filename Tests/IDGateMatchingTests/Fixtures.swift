import IDGateMatching
import IDGateStore

/// A registry record and helpers shared by the matching tests.
enum Fixtures {
    static let today = PartialDate(year: 2026, month: 11, day: 23)!

    static func resident(
        fullName: String = "Nguyễn Văn An", dateOfBirth: String = "1985-03-14", sex: Sex = .male,
        placeOfOrigin: String = "Xã Quảng Phú, Huyện Quảng Điền, Tỉnh Thừa Thiên Huế",
        placeOfResidence: String = "Số 12 Ngõ 5, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội",
        phoneNumbers: [String] = ["0912345678", "0321234567"],
        card: IdentityCard? = IdentityCard(
            number: "001085012345", issueDate: PartialDate(year: 2021, month: 4, day: 20)!,
            expiryDate: PartialDate(year: 2045, month: 3, day: 14)!, status: .valid),
        recordStatus: RecordStatus = .active
    ) -> ResidentRecord {
        ResidentRecord(
            idNumber: IDNumber("001085012345")!, fullName: fullName, dateOfBirth: PartialDate(iso: dateOfBirth)!,
            sex: sex, placeOfOrigin: placeOfOrigin, placeOfResidence: placeOfResidence, phoneNumbers: phoneNumbers,
            card: card, recordStatus: recordStatus)
    }

    /// Matches one attribute (plus the ID number) against a resident.
    static func field(
        _ field: RequestField, _ value: String, against resident: ResidentRecord = resident(),
        thresholds: MatchThresholds = MatchThresholds()
    ) throws -> FieldResult {
        let request = try MatchRequest([.idNumber: "001085012345", field: value])
        let result = MatchEngine(thresholds: thresholds).match(request, against: resident, today: today)
        return result[field.attribute!]
    }

    static func reasons(_ reasons: MatchReason...) -> MatchReasons {
        var set = MatchReasons()
        for reason in reasons { set.insert(reason) }
        return set
    }
}
