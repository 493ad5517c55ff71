@testable import IDGateMatching
import IDGateStore
import Testing

/// Addresses in the units before and after the 1 July 2025 reorganization (pairs from the vn-admin-2025 data set).
@Suite struct AdministrativeUnitsTests {
    func residence(_ submitted: String, stored: String) throws -> FieldResult {
        try Fixtures.field(.placeOfResidence, submitted, against: Fixtures.resident(placeOfResidence: stored))
    }

    static let renamed = FieldResult(outcome: .match, score: 100, reasons: [.administrativeUnitRenamed])

    @Test(arguments: [
        // Old commune, district, province → the new commune and province (00166 → 00166 Cầu Giấy or 00160 Nghĩa Đô).
        ("Số 12 Ngõ 5, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội", "Số 12 Ngõ 5, Phường Cầu Giấy, Thành phố Hà Nội"),
        ("Số 12 Ngõ 5, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội", "Số 12 Ngõ 5, Phường Nghĩa Đô, Thành phố Hà Nội"),
        // A province merged into another: Hà Giang into Tuyên Quang (00691 → 00691 Hà Giang 2).
        ("Tổ 3, Phường Trần Phú, Thành phố Hà Giang, Tỉnh Hà Giang", "Tổ 3, Phường Hà Giang 2, Tỉnh Tuyên Quang"),
        // Bình Dương into Hồ Chí Minh City (25741 → 25747 Thủ Dầu Một).
        ("Phường Hiệp Thành, Thành phố Thủ Dầu Một, Tỉnh Bình Dương", "Phường Thủ Dầu Một, Thành phố Hồ Chí Minh"),
        // Numbered district, abbreviations and no type words (26737 Đa Kao → 26740 Sài Gòn).
        ("P. Đa Kao, Q.1, TP.HCM", "Phường Sài Gòn, TP. Hồ Chí Minh"),
        ("Đa Kao, Quận 1, Hồ Chí Minh", "Sài Gòn, Hồ Chí Minh"),
        // A district without communes became a special zone (755 Côn Đảo → 26732).
        ("Huyện Côn Đảo, Tỉnh Bà Rịa - Vũng Tàu", "Đặc khu Côn Đảo, Thành phố Hồ Chí Minh"),
        // The card-era name of Huế.
        ("Phường Vĩnh Ninh, Quận Thuận Hóa, Tỉnh Thừa Thiên Huế", "Phường Thuận Hóa, Thành phố Huế"),
    ])
    func oldAndNewNamesOfOnePlaceMatch(old: String, new: String) throws {
        #expect(try residence(new, stored: old) == Self.renamed)
        #expect(try residence(old, stored: new) == Self.renamed)
    }

    @Test func newUnitsWithoutDiacriticsStillMatch() throws {
        let result = try residence("So 12 Ngo 5, Phuong Cau Giay, Ha Noi", stored: "Số 12 Ngõ 5, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội")
        #expect(result == FieldResult(outcome: .match, score: 95, reasons: [.noDiacritics, .administrativeUnitRenamed]))
    }

    @Test func aRealMoveIsToldApartFromARenaming() throws {
        let stored = "Số 12 Ngõ 5, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội"
        // Another commune of the same province: moved within Hà Nội.
        #expect(try residence("Số 12 Ngõ 5, Phường Hoàn Kiếm, Thành phố Hà Nội", stored: stored)
            == FieldResult(outcome: .partial, score: 33, reasons: [.provinceOnly]))
        // The right commune, another house.
        #expect(try residence("Số 40, Phường Cầu Giấy, Thành phố Hà Nội", stored: stored)
            == FieldResult(outcome: .partial, score: 66, reasons: [.administrativeUnitRenamed, .differentValue]))
        // Less specific: only the new commune.
        #expect(try residence("Phường Cầu Giấy, Thành phố Hà Nội", stored: stored)
            == FieldResult(outcome: .partial, score: 66, reasons: [.administrativeUnitRenamed, .lessSpecific]))
        // Another province altogether.
        #expect(try residence("Số 12 Ngõ 5, Phường Sài Gòn, Thành phố Hồ Chí Minh", stored: stored) == .different)
        // Within a merged province, another commune: the province agrees through its rename.
        #expect(try residence("Phường Minh Xuân, Tỉnh Tuyên Quang", stored: "Phường Trần Phú, Thành phố Hà Giang, Tỉnh Hà Giang")
            == FieldResult(outcome: .partial, score: 50, reasons: [.administrativeUnitRenamed, .provinceOnly]))
    }

    @Test func sameUnitsStillCompareAsWritten() throws {
        let stored = "Số 12 Ngõ 5, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội"
        #expect(try residence("Dịch Vọng, Cầu Giấy, Hà Nội", stored: stored).reasons == [.lessSpecific])
        #expect(try residence("Phường Láng Hạ, Quận Đống Đa, Hà Nội", stored: stored).reasons == [.provinceOnly])
        #expect(try residence("Quận Cầu Giấy, Hà Nội", stored: stored).reasons == [.lessSpecific])
        #expect(try residence("Phường Cầu Giấy, Hà Nội", stored: "Phường Nghĩa Đô, Hà Nội").reasons == [.provinceOnly])
    }

    @Test func unknownPlacesFallBackToTheTextComparison() throws {
        #expect(try residence("Thôn 1, Xã Không Có, Tỉnh Tuyên Quang", stored: "Tổ 3, Phường Trần Phú, Thành phố Hà Giang, Tỉnh Hà Giang") == .different)
        #expect(try residence("Số 1, Phường Mới, Thành phố Hà Nội", stored: "Số 1, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội")
            == FieldResult(outcome: .partial, score: 25, reasons: [.provinceOnly]))
    }

    @Test func theEmbeddedDataHasEveryUnit() {
        let units = AdministrativeUnits2025.shared
        #expect(units.newProvinces.count == 34)
        #expect(units.newCommunes.count == 3_321)
        #expect(units.oldProvinces.count == 63)
        #expect(units.oldDistricts.count == 696)
        #expect(units.oldCommunes.count == 10_047)
        #expect(units.targetStart.count == units.oldCommunes.count + 1)
        #expect(units.loneDistrictCommune.filter { $0 >= 0 }.count == 5)
        // Where the sources disagree, the NSO table's pairs: Xã Tân Phú 30622 (An Giang) stays in An Giang.
        let tanPhu = units.oldCommunes.firstIndex { $0.code == "30622" }!
        #expect(units.newCommunes(ofOldCommune: Int32(tanPhu)).map { units.newCommunes[Int($0)].code } == ["30604"])
    }

    /// Every old commune of the data set, written with its district and province, against every new commune it
    /// became: the same place.
    @Test func everyOldCommuneMatchesEachNewCommuneItBecame() throws {
        let units = AdministrativeUnits2025.shared
        let engine = MatchEngine()
        var failures: [String] = []
        var pairs = 0
        for (index, commune) in units.oldCommunes.enumerated() {
            let district = units.oldDistricts[Int(commune.parent)]
            let province = units.oldProvinces[Int(district.parent)]
            let old = "Thôn 1, \(commune.name), \(district.name), \(province.name)"
            for target in units.newCommunes(ofOldCommune: Int32(index)) {
                let newCommune = units.newCommunes[Int(target)]
                let new = "Thôn 1, \(newCommune.name), \(units.newProvinces[Int(newCommune.parent)].name)"
                pairs += 1
                let request = try MatchRequest([.idNumber: "001085012345", .placeOfResidence: new])
                let result = engine.match(request, against: Fixtures.resident(placeOfResidence: old), today: Fixtures.today)
                if result[.placeOfResidence] != Self.renamed { failures.append("\(old) / \(new): \(result[.placeOfResidence])") }
            }
        }
        #expect(pairs > 10_500)
        #expect(failures.isEmpty, "\(failures.count) of \(pairs): \(failures.prefix(20).joined(separator: "\n"))")
    }

    @Test func migratesAnOldAddressToTheNewUnits() {
        #expect(AdministrativeUnits2025.migrate("Tổ 3, Phường Trần Phú, Thành phố Hà Giang, Tỉnh Hà Giang")
            == .migrated("Tổ 3, Phường Hà Giang 2, Tỉnh Tuyên Quang"))
        #expect(AdministrativeUnits2025.migrate("Huyện Côn Đảo, Tỉnh Bà Rịa - Vũng Tàu, Việt Nam")
            == .migrated("Đặc khu Côn Đảo, Thành phố Hồ Chí Minh"))
        #expect(AdministrativeUnits2025.migrate("Số 12 Ngõ 5, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội")
            == .ambiguous(["Số 12 Ngõ 5, Phường Nghĩa Đô, Thành phố Hà Nội", "Số 12 Ngõ 5, Phường Cầu Giấy, Thành phố Hà Nội"]))
        #expect(AdministrativeUnits2025.migrate("Số 12, Phường Cầu Giấy, Thành phố Hà Nội") == .current)
        #expect(AdministrativeUnits2025.migrate("Phường Hà Giang 2, Tỉnh Hà Giang") == .migrated("Phường Hà Giang 2, Tỉnh Tuyên Quang"))
        #expect(AdministrativeUnits2025.migrate("Somewhere, Atlantis") == .unrecognized)
        #expect(AdministrativeUnits2025.migrate("") == .unrecognized)
        #expect(AdministrativeUnits2025.migrate(",,,") == .unrecognized)
    }

    @Test func generatedAddressesInTheOtherUnitsAreTheSamePlace() throws {
        var checked = 0
        var renamed = 0
        for record in ResidentGenerator(seed: 7).prefix(2_000) {
            for stored in [record.placeOfResidence, record.placeOfOrigin] {
                let other = try #require(GeneratedAddress.otherForm(stored), "\(stored)")
                let request = try MatchRequest([.idNumber: "001085012345", .placeOfResidence: other])
                let result = MatchEngine().match(request, against: Fixtures.resident(placeOfResidence: stored), today: Fixtures.today)
                #expect(result[.placeOfResidence].outcome == .match, "\(stored) / \(other)")
                if result[.placeOfResidence].reasons.contains(.administrativeUnitRenamed) { renamed += 1 }
                checked += 1
            }
        }
        #expect(renamed == checked)
    }
}

@Suite struct GeneratedAddressTests {
    @Test func otherFormRewritesTheUnitsAndKeepsTheHouse() {
        #expect(GeneratedAddress.otherForm("Số 7, Tổ 2, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội")
            == "Số 7, Tổ 2, Phường Nghĩa Đô, Thành phố Hà Nội")
        #expect(GeneratedAddress.otherForm("Thôn Đông, Xã Lũng Cú, Huyện Đồng Văn, Tỉnh Hà Giang")
            == "Thôn Đông, Xã Lũng Cú, Tỉnh Tuyên Quang")
        #expect(GeneratedAddress.otherForm("Xã Lũng Cú, Tỉnh Tuyên Quang") == "Xã Lũng Cú, Huyện Đồng Văn, Tỉnh Hà Giang")
        #expect(GeneratedAddress.otherForm("Somewhere else") == nil)
        #expect(GeneratedAddress.otherForm("") == nil)
    }

    @Test func someGeneratedResidentsAreStoredInTheNewUnitsDeterministically() {
        let residents = Array(ResidentGenerator(seed: 11).prefix(4_000))
        #expect(residents == Array(ResidentGenerator(seed: 11).prefix(4_000)))
        let new = residents.filter { resident in
            AdministrativeUnits2025.migrate(resident.placeOfOrigin) == .current
        }
        // A quarter updated, plus the cards issued since 1 July 2025.
        #expect(new.count > 4_000 * 25 / 100 && new.count < 4_000 * 35 / 100, "\(new.count)")
        // Every generated address is located, in either units.
        for resident in residents.prefix(500) {
            #expect(AdministrativeUnits2025.migrate(resident.placeOfResidence) != .unrecognized, "\(resident.placeOfResidence)")
        }
    }
}

@Suite struct AdministrativeUnitsLoadTests {
    @Test func loadIsIdempotent() {
        AdministrativeUnits2025.load()
        AdministrativeUnits2025.load()
        #expect(AdministrativeUnits2025.migrate("Phường Hà Giang 2, Tỉnh Tuyên Quang") == .current)
    }
}
