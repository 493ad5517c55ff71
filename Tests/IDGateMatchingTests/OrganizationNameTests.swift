import IDGateStore
import Testing
@testable import IDGateMatching

/// Organization names: legal forms in their usual spellings, diacritics, case and spacing, English trade names.
@Suite struct OrganizationNameTests {
    static let stored = "Công ty TNHH Thương mại Minh Phát"
    static let trade = "Minh Phat Trading Company Limited"

    func compare(_ submitted: String, stored: String = stored, trade: String? = trade) -> FieldResult {
        var given = submitted
        var legal = stored
        return given.withUTF8 { g in
            legal.withUTF8 { l in
                guard var english = trade else {
                    return OrganizationNameComparator.compare(
                        submitted: UnsafeRawBufferPointer(g), legalName: UnsafeRawBufferPointer(l), tradeName: nil,
                        thresholds: MatchThresholds())
                }
                return english.withUTF8 { e in
                    OrganizationNameComparator.compare(
                        submitted: UnsafeRawBufferPointer(g), legalName: UnsafeRawBufferPointer(l),
                        tradeName: UnsafeRawBufferPointer(e), thresholds: MatchThresholds())
                }
            }
        }
    }

    @Test func legalFormSpellingsAreTheSameForm() {
        for spelling in [
            "Công ty TNHH Thương mại Minh Phát", "CTY TNHH Thương mại Minh Phát",
            "Công ty trách nhiệm hữu hạn Thương mại Minh Phát", "công ty tnhh thương mại minh phát",
            "  Công ty   TNHH Thương mại  Minh Phát ", "Thương mại Minh Phát Co., Ltd",
        ] {
            #expect(compare(spelling).outcome == .match, "\(spelling)")
        }
        #expect(compare("Công ty trách nhiệm hữu hạn Thương mại Minh Phát").score == 100)
    }

    @Test func jointStockAndPrivateEnterpriseSpellings() {
        let jointStock = "Công ty Cổ phần Xây dựng Hoàng Long"
        for spelling in ["CTCP Xây dựng Hoàng Long", "Công ty CP Xây dựng Hoàng Long", "Cong ty Co phan Xay dung Hoang Long"] {
            #expect(compare(spelling, stored: jointStock, trade: nil).outcome == .match, "\(spelling)")
        }
        let privateEnterprise = "Doanh nghiệp tư nhân Vận tải Sao Mai"
        #expect(compare("DNTN Vận tải Sao Mai", stored: privateEnterprise, trade: nil).outcome == .match)
        // Another legal form is another organization.
        #expect(compare("Công ty Cổ phần Thương mại Minh Phát").outcome == .mismatch)
        #expect(compare("DNTN Thương mại Minh Phát").reasons.contains(.differentValue))
    }

    @Test func diacriticsAndCaseAreReported() {
        let plain = compare("CONG TY TNHH THUONG MAI MINH PHAT")
        #expect(plain.outcome == .match)
        #expect(plain.reasons.contains(.noDiacritics))
        #expect(plain.reasons.contains(.caseDiffers))
        #expect(compare("Công ty TNHH Thương mại Minh Phất").reasons.contains(.diacriticsDiffer))
    }

    @Test func singleMemberMarkAndMissingFormAreLessSpecific() {
        let singleMember = "Công ty TNHH Một thành viên Thương mại Minh Phát"
        #expect(compare("Công ty TNHH MTV Thương mại Minh Phát", stored: singleMember, trade: nil).outcome == .match)
        let withoutMark = compare("Công ty TNHH Thương mại Minh Phát", stored: singleMember, trade: nil)
        #expect(withoutMark.outcome == .partial)
        #expect(withoutMark.reasons.contains(.lessSpecific))
        let bare = compare("Thương mại Minh Phát")
        #expect(bare.outcome == .partial)
        #expect(bare.reasons.contains(.lessSpecific))
    }

    @Test func englishTradeNameMatches() {
        #expect(compare("Minh Phat Trading Company Limited").outcome == .match)
        #expect(compare("MINH PHAT TRADING CO., LTD").outcome == .match)
        #expect(compare("Minh Phat Trading JSC").outcome == .mismatch)  // not a joint stock company
        #expect(compare("Minh Phat Trading Company Limited", trade: nil).outcome == .mismatch)
    }

    @Test func otherNamesMismatchAndTyposArePartialAtMost() {
        #expect(compare("Công ty TNHH Thương mại Minh Long").outcome == .mismatch)
        #expect(compare("Công ty TNHH Thương mại Minh Phat Hưng").reasons.contains(.missingToken))
        let typo = compare("Công ty TNHH Thuong mai Minh Phta")
        #expect(typo.reasons.contains(.typo))
        #expect(compare("Công ty TNHH", stored: Self.stored, trade: nil) == .different)
    }

    @Test func documentHolderLinkAndFields() {
        let record = DocumentRecord(
            type: .drivingLicence, number: "010123456789", holderIdNumber: IDNumber("001085012345")!,
            holderName: "Nguyễn Văn An", issuer: "Sở Giao thông vận tải Hà Nội",
            issueDate: PartialDate(year: 2020, month: 5, day: 4)!, expiryDate: PartialDate(year: 2030, month: 5, day: 4)!,
            licenceClasses: ["A1", "B2"])
        var request = DocumentVerifyRequest(
            documentType: .drivingLicence, documentNumber: "010123456789", holderIdNumber: IDNumber("001085012345")!,
            fields: [.holderIdNumber, .fullName, .licenceClasses])
        request.fullName = "Nguyen Van An"
        request.licenceClasses = ["B2"]
        let today = PartialDate(year: 2026, month: 12, day: 2)!
        let matched = DocumentMatcher().verify(request, against: record, today: today)
        #expect(matched.decision == .match)
        #expect(matched.results.map(\.outcome) == [.match, .match, .match])
        #expect(matched.documentStatus == .valid)
        request.holderIdNumber = IDNumber("001190000123")!
        let someoneElse = DocumentMatcher().verify(request, against: record, today: today)
        #expect(someoneElse.decision == .mismatch)
        #expect(someoneElse.results[0] == .different)
        request.holderIdNumber = record.holderIdNumber
        request.licenceClasses = ["C"]
        #expect(DocumentMatcher().verify(request, against: record, today: today).results[2] == .different)
        var expired = record
        expired.expiryDate = PartialDate(year: 2025, month: 1, day: 1)!
        #expect(DocumentMatcher().verify(request, against: expired, today: today).documentStatus == .expired)
        let unknown = DocumentMatcher().verify(request, against: nil, today: today)
        #expect(unknown.decision == .notFound)
        #expect(unknown.documentStatus == nil)
    }
}
