import IDGateMatching
import IDGateStore
import Testing

@Suite struct AddressComparatorTests {
    func residence(_ submitted: String, stored: String = "Số 12 Ngõ 5, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội")
        throws -> FieldResult
    {
        try Fixtures.field(.placeOfResidence, submitted, against: Fixtures.resident(placeOfResidence: stored))
    }

    @Test func unitPrefixesAndAbbreviationsAreIgnored() throws {
        #expect(try residence("Số 12 Ngõ 5, P. Dịch Vọng, Q. Cầu Giấy, TP. Hà Nội") == .exact)
        #expect(try residence("Số 12 Ngõ 5, Dịch Vọng, Cầu Giấy, Hà Nội") == .exact)
        #expect(try residence("So 12 Ngo 5, phuong Dich Vong, quan Cau Giay, Ha Noi, Viet Nam")
            == FieldResult(outcome: .match, score: 95, reasons: Fixtures.reasons(.noDiacritics)))
    }

    @Test func placeOfOriginWithRuralUnits() throws {
        #expect(try Fixtures.field(.placeOfOrigin, "Quảng Phú, Quảng Điền, Thừa Thiên Huế") == .exact)
        #expect(try Fixtures.field(.placeOfOrigin, "X. Quảng Phú, H. Quảng Điền, T. Thừa Thiên Huế").outcome != .mismatch)
        #expect(try Fixtures.field(.placeOfOrigin, "Xã Quảng Phú, Huyện Quảng Điền, Tỉnh Thừa Thiên Huế") == .exact)
    }

    @Test func numberedDistrictsCompareByNumber() throws {
        let stored = "Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh"
        #expect(try residence("P. Bến Nghé, Q.1, TP.HCM", stored: stored) == .exact)
        #expect(try residence("Bến Nghé, Q1, Hồ Chí Minh", stored: stored) == .exact)
        #expect(try residence("Phường Bến Nghé, Quận 01, TPHCM", stored: stored) == .exact)
        #expect(try residence("Phường Bến Nghé, Quận 3, TP. Hồ Chí Minh", stored: stored)
            == FieldResult(outcome: .partial, score: 33, reasons: Fixtures.reasons(.provinceOnly)))
    }

    @Test func provinceOnlyIsPartial() throws {
        #expect(try residence("Hà Nội") == FieldResult(outcome: .partial, score: 25, reasons: Fixtures.reasons(.provinceOnly)))
        #expect(try residence("Phường Láng Hạ, Quận Đống Đa, Hà Nội").reasons == Fixtures.reasons(.provinceOnly))
    }

    @Test func lessSpecificButConsistentIsPartial() throws {
        #expect(try residence("Dịch Vọng, Cầu Giấy, Hà Nội")
            == FieldResult(outcome: .partial, score: 75, reasons: Fixtures.reasons(.lessSpecific)))
        #expect(try residence("Quận Cầu Giấy, Hà Nội") == FieldResult(outcome: .partial, score: 50, reasons: Fixtures.reasons(.lessSpecific)))
    }

    @Test func lowerUnitContradictingIsPartialWithDifferentValue() throws {
        #expect(try residence("Số 99, Dịch Vọng, Cầu Giấy, Hà Nội")
            == FieldResult(outcome: .partial, score: 75, reasons: Fixtures.reasons(.differentValue)))
    }

    @Test func differentProvinceIsMismatch() throws {
        #expect(try residence("Số 12 Ngõ 5, Dịch Vọng, Cầu Giấy, Đà Nẵng") == .different)
        #expect(try residence("Hải Phòng") == .different)
    }
}
