import Foundation
import IDGateGateway
import IDGateCore
import IDGateDemo
import IDGateAudit
import IDGateWire
import IDGateMatching
import IDGateStore

enum WireFixtures {
    static let today = PartialDate(year: 2026, month: 11, day: 23)!

    static let resident = ResidentRecord(
        idNumber: IDNumber("001085012345")!, fullName: "Nguyễn Văn An", dateOfBirth: PartialDate(iso: "1985-03-14")!,
        sex: .male, placeOfOrigin: "Xã Quảng Phú, Huyện Quảng Điền, Tỉnh Thừa Thiên Huế",
        placeOfResidence: "Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội", phoneNumbers: ["0912345678"],
        card: IdentityCard(
            number: "001085012345", issueDate: PartialDate(year: 2021, month: 4, day: 20)!,
            expiryDate: PartialDate(year: 2045, month: 3, day: 14)!, status: .valid))

    static let registry = [resident.idNumber: resident]

    /// Parses a body given as a string; returns the error, if any, and the parser.
    static func parse(_ body: String) -> (WireError?, MatchRequestParser) {
        parse(Array(body.utf8))
    }

    static func parse(_ body: [UInt8]) -> (WireError?, MatchRequestParser) {
        var parser = MatchRequestParser()
        let error = body.withUnsafeBytes { parser.parse($0) }
        return (error, parser)
    }

    static func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
    }
}
