import Foundation
import Testing
@testable import IDGateStore

@Suite struct ResidentGeneratorTests {
    static let sample = Array(ResidentGenerator(seed: 2026).prefix(20_000))

    @Test func sameSeedSameResidentsOtherSeedOthers() {
        #expect(Array(ResidentGenerator(seed: 2026).prefix(500)) == Array(Self.sample.prefix(500)))
        #expect(Array(ResidentGenerator(seed: 2027).prefix(500)) != Array(Self.sample.prefix(500)))
    }

    @Test func everyRecordPassesImportValidationAndIDsAreUnique() throws {
        var ids = Set<IDNumber>()
        var legacy = Set<String>()
        for (index, record) in Self.sample.enumerated() {
            #expect(try ResidentCodec.decodeNDJSON(ResidentCodec.ndjson(record), lineNumber: index + 1) == record)
            #expect(ids.insert(record.idNumber).inserted)
            if let number = record.legacyIdNumber { #expect(legacy.insert(number).inserted) }
        }
    }

    @Test func idLayoutMatchesBirthYearSexAndAKnownProvince() {
        for record in Self.sample {
            #expect(record.idNumber.birthYear == Int(record.dateOfBirth.year))
            #expect(record.idNumber.encodedSex == record.sex)
            #expect(IDNumber.provinceCodes.contains(record.idNumber.provinceCode))
        }
    }

    @Test func namesAreNFCWithAPlausibleFamilyNameMix() {
        var nguyen = 0
        for record in Self.sample {
            #expect(Array(record.fullName.unicodeScalars) == Array(record.fullName.precomposedStringWithCanonicalMapping.unicodeScalars))
            let parts = record.fullName.split(separator: " ")
            #expect((3...4).contains(parts.count))
            if parts[0] == "Nguyễn" { nguyen += 1 }
        }
        let share = Double(nguyen) / Double(Self.sample.count)
        #expect((0.33...0.43).contains(share), "Nguyễn share \(share)")
        let women = Self.sample.filter { $0.sex == .female }
        #expect(women.contains { $0.fullName.contains(" Thị ") })
        #expect(!Self.sample.filter { $0.sex == .male }.contains { $0.fullName.contains(" Thị ") })
    }

    @Test func sharesOfImpreciseBirthsStatusesAndPhonesArePlausible() {
        let count = Double(Self.sample.count)
        func share(_ predicate: (ResidentRecord) -> Bool) -> Double { Double(Self.sample.filter(predicate).count) / count }
        #expect((0.01...0.06).contains(share { $0.dateOfBirth.precision == .year }))
        #expect((0.002...0.02).contains(share { $0.dateOfBirth.precision == .month }))
        #expect((0.003...0.008).contains(share { $0.recordStatus == .deceased }))
        let cards = Self.sample.compactMap(\.card)
        let revokedOrLost = Double(cards.filter { $0.status != .valid }.count) / Double(cards.count)
        #expect((0.006...0.014).contains(revokedOrLost), "\(revokedOrLost)")
        #expect((0.7...0.95).contains(share { $0.card != nil }))
        #expect((0.6...0.95).contains(share { !$0.phoneNumbers.isEmpty }))
        let prefixes = ["086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039", "088", "091",
                        "094", "081", "082", "083", "084", "085", "089", "090", "093", "070", "076", "077", "078", "079",
                        "092", "056", "058", "099", "059"]
        for phone in Self.sample.flatMap(\.phoneNumbers) {
            #expect(phone.count == 10 && prefixes.contains(String(phone.prefix(3))))
        }
    }

    @Test func cardDatesFollowTheRenewalAges() {
        for record in Self.sample {
            guard let card = record.card else { continue }
            let birthYear = Int(record.dateOfBirth.year)
            let issueAge = Int(card.issueDate.year) - birthYear
            #expect(issueAge >= 13)
            #expect(card.issueDate < ResidentGenerator(seed: 0).referenceDate)
            #expect(card.number == record.idNumber.description)
            if let expiry = card.expiryDate {
                #expect([25, 40, 60].contains(Int(expiry.year) - birthYear), "\(record)")
                #expect(expiry > card.issueDate)
            } else {
                #expect(issueAge >= 57, "only cards issued near or after 60 never expire: \(record)")
            }
        }
    }
}
