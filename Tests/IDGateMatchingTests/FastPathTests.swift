import Foundation
import IDGateMatching
import IDGateStore
import Testing

/// The comparators answer a submitted text byte-equal to the stored one without folding both sides. These tests
/// check that shortcut against the general path: a copy with a trailing space (or NFD marks) tokenizes identically
/// but is not byte-equal, so it takes the general path and must give the same result.
@Suite struct FastPathTests {
    static let names = [
        "Nguyễn Văn An", "Đặng Thị Ánh", "ĐỖ ĐỨC ƯỚC", "Lê An", "Nguyễn Thị Minh Khai", "Ơn", "A", "Phạm-Văn Đạt",
        "Nguyen Van An", "Trần  Văn   Bình", "李 小龍", "—", "...", "Jean-Luc O'Neil", "Ngô 2", "Hoàng Hữu Khuê",
    ]
    static let addresses = [
        "Số 12 Ngõ 5, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội", "Hà Nội", "Việt Nam", "Tỉnh Việt Nam",
        "Hà Nội, Việt Nam", "VN", "Hà Nội, VN", ", Hà Nội", "Hà Nội,", ",,,", "Việt Nam, Hà Nội", "Q1, HCM",
        "Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh", "Tổ dân phố 7, Thị trấn Đông Anh", "Số, Đường",
        "Thôn 3; Xã Ea Tu; Tỉnh Đắk Lắk", "— , Hà Nội", "Hà Nội , —", "Quận 01", "Thành phố", "Viet Nam",
        "Xã Quảng Phú, Huyện Quảng Điền, Tỉnh Thừa Thiên Huế, Việt Nam", "vietnam", "Ấp Bình Hòa, VN",
    ]

    func result(_ field: RequestField, _ submitted: String, stored: String) throws -> FieldResult {
        let resident =
            field == .fullName
            ? Fixtures.resident(fullName: stored) : Fixtures.resident(placeOfResidence: stored)
        return try Fixtures.field(field, submitted, against: resident)
    }

    @Test(arguments: names)
    func byteEqualNameAgreesWithGeneralPath(_ name: String) throws {
        let same = try result(.fullName, name, stored: name)
        #expect(same == (try result(.fullName, name + " ", stored: name)))
        let nfd = name.decomposedStringWithCanonicalMapping
        if nfd.utf8.count != name.utf8.count { #expect(same == (try result(.fullName, nfd, stored: name))) }
    }

    @Test(arguments: addresses)
    func byteEqualAddressAgreesWithGeneralPath(_ address: String) throws {
        let same = try result(.placeOfResidence, address, stored: address)
        #expect(same == (try result(.placeOfResidence, address + " ", stored: address)))
        #expect(same == (try result(.placeOfResidence, " " + address, stored: address)))
        let nfd = address.decomposedStringWithCanonicalMapping
        if nfd.utf8.count != address.utf8.count {
            #expect(same == (try result(.placeOfResidence, nfd, stored: address)))
        }
    }

    @Test func byteEqualEdgeCases() throws {
        #expect(try result(.placeOfResidence, "Việt Nam", stored: "Việt Nam") == .different)
        #expect(try result(.placeOfResidence, "Hà Nội, Việt Nam", stored: "Hà Nội, Việt Nam") == .exact)
        #expect(try result(.placeOfResidence, ",,,", stored: ",,,") == .different)
        #expect(try result(.fullName, "...", stored: "...") == .different)
        #expect(try result(.fullName, "Đặng Thị Ánh", stored: "Đặng Thị Ánh") == .exact)
    }
}
