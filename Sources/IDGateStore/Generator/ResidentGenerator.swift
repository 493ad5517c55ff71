/// Deterministic synthetic Vietnamese residents for demos, tests and benchmarks: the same seed gives the same
/// residents, in the same order, everywhere.
///
/// Plausible rather than statistically exact: weighted family names, gendered middle and given names, ID numbers in
/// the official layout (birth province, century/sex digit, birth year) and unique within one generator, real place
/// names, an age pyramid, some year-only or month-year births, mobile numbers with real operator prefixes, legacy
/// 9-digit numbers for adults, cards dated by the renewal ages (25, 40, 60; none expire after 60), about 1% revoked
/// or lost cards and 0.5% deceased residents.
///
/// Addresses are stored in the administrative units before the 1 July 2025 reorganization (district and commune)
/// for most residents, and in the new units (commune and new province, no district) for those whose card was issued
/// since and for a quarter of the others (records updated): `GeneratedAddress.otherForm` gives the same place in
/// the other units, for requests that state the address the other way. The choice comes from its own random stream,
/// so every other attribute is what it was before the reorganization was modelled.
public struct ResidentGenerator: IteratorProtocol, Sequence {
    /// The "today" the data is generated for (ages, card dates); fixed so output does not depend on the clock.
    public let referenceDate: PartialDate
    private var random: SeededRandom
    /// Decides which residents' addresses are stored in the new units (a separate stream: see above).
    private var unitsRandom: SeededRandom
    private var serialsUsed: [Int: Int] = [:]
    private var legacySerialsUsed: [Int: Int] = [:]
    private let referenceDay: Int

    private static let provinceTable = WeightedTable(VietnamGeography.provinces.map { ($0, $0.weight) })
    private static let migrationTable = WeightedTable(
        VietnamGeography.provinces.compactMap { province in
            VietnamGeography.migrationWeights[province.code].map { (province, $0) }
        })
    private static let northernFamilyNames = VietnameseNames.familyNames(southern: false)
    private static let southernFamilyNames = VietnameseNames.familyNames(southern: true)
    /// Five-year age bands 0–4 … 90–94, weighted like Vietnam's population pyramid.
    private static let ageBands = WeightedTable(
        [7.5, 7.8, 7.7, 6.8, 6.9, 7.8, 8.3, 8.0, 7.5, 7.0, 6.3, 5.5, 4.6, 3.6, 2.5, 1.6, 1.1, 0.7, 0.3].enumerated()
            .map { ($0.offset * 5, $0.element) })
    private static let mobilePrefixes = WeightedTable<String>(
        ["086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039"].map { ($0, 50.0 / 12) }
            + ["088", "091", "094", "081", "082", "083", "084", "085"].map { ($0, 25.0 / 8) }
            + ["089", "090", "093", "070", "076", "077", "078", "079"].map { ($0, 20.0 / 8) }
            + ["092", "056", "058", "099", "059"].map { ($0, 1.0) })
    private static let adultPhoneCounts = WeightedTable([(0, 8.0), (1, 70), (2, 18), (3, 4)])
    /// Chip cards (and their barcode predecessors) were issued from this day on.
    private static let firstCardDay = PartialDate(year: 2016, month: 1, day: 1)!.daysSinceEpoch
    /// The day the 2025 administrative reorganization took effect.
    static let reorganizationDate = PartialDate(year: 2025, month: 7, day: 1)!

    public init(seed: UInt64, referenceDate: PartialDate = PartialDate(year: 2026, month: 1, day: 1)!) {
        self.random = SeededRandom(seed: seed)
        self.unitsRandom = SeededRandom(seed: seed ^ 0x2025_0701_0000_0000)
        self.referenceDate = referenceDate
        self.referenceDay = referenceDate.daysSinceEpoch
    }

    public mutating func next() -> ResidentRecord? {
        let sex: Sex = random.chance(0.5) ? .male : .female
        let age = Self.ageBands.pick(&random) + random.below(5)
        let birthDay = referenceDay - age * 365 - random.below(365) - age / 4
        let exactBirth = PartialDate(daysSinceEpoch: birthDay)
        let birthProvince = Self.provinceTable.pick(&random)
        let dateOfBirth = imprecise(exactBirth)
        let idNumber = nextIDNumber(province: birthProvince.code, year: Int(exactBirth.year), sex: sex)
        let originProvince = random.chance(0.7) ? birthProvince : Self.provinceTable.pick(&random)
        let residenceProvince = random.chance(0.75) ? birthProvince : Self.migrationTable.pick(&random)
        let ethnicity = ethnicity(in: birthProvince)
        let isAdult = age >= 14
        let legacy = isAdult && age >= 19 && random.chance(0.7) ? nextLegacyNumber(province: birthProvince.code) : nil
        let phoneCount = age < 15 ? (random.chance(0.2) ? 1 : 0) : Self.adultPhoneCounts.pick(&random)
        let phones = (0..<phoneCount).map { _ in mobileNumber() }
        let card = isAdult && random.chance(0.97) ? identityCard(number: idNumber.description, birth: exactBirth, dateOfBirth: dateOfBirth) : nil
        let deceased = random.chance(age >= 60 ? 0.02 : 0.002)
        let recordUpdated = unitsRandom.chance(0.25)
        let newUnits = recordUpdated || (card.map { $0.issueDate >= Self.reorganizationDate } ?? false)
        return ResidentRecord(
            idNumber: idNumber, fullName: fullName(sex: sex, age: age, southern: birthProvince.isSouthern),
            dateOfBirth: dateOfBirth, sex: sex, nationality: "Việt Nam", ethnicity: ethnicity,
            placeOfOrigin: address(in: originProvince, withHouse: false, newUnits: newUnits),
            placeOfResidence: address(in: residenceProvince, withHouse: true, newUnits: newUnits), legacyIdNumber: legacy,
            phoneNumbers: phones, card: card, recordStatus: deceased ? .deceased : .active)
    }

    // MARK: Parts

    /// Most births are full dates; older records more often keep only the year (or month and year).
    private mutating func imprecise(_ date: PartialDate) -> PartialDate {
        let yearOnlyShare = date.year < 1960 ? 0.15 : 0.01
        if random.chance(yearOnlyShare) { return PartialDate(year: Int(date.year))! }
        if random.chance(0.01) { return PartialDate(year: Int(date.year), month: Int(date.month))! }
        return date
    }

    /// Province, century/sex digit, two-digit year, then a 6-digit serial unique per (province, digit, year):
    /// a counter scrambled by a multiplication that is a bijection modulo 10⁶.
    private mutating func nextIDNumber(province: Int, year: Int, sex: Sex) -> IDNumber {
        let centurySex = (year / 100 - 19) * 2 + (sex == .female ? 1 : 0)
        let bucket = province * 1000 + centurySex * 100 + year % 100
        let count = serialsUsed[bucket, default: 0]
        precondition(count < 1_000_000, "more than a million residents in one ID bucket")
        serialsUsed[bucket] = count + 1
        let serial = (count * 7_919 + bucket * 104_729) % 1_000_000
        let value = UInt64(province) * 1_000_000_000 + UInt64(centurySex) * 100_000_000 + UInt64(year % 100) * 1_000_000
            + UInt64(serial)
        return IDNumber(unchecked: value)
    }

    /// A 9-digit legacy (CMND) number: a 2-digit prefix from the province, then a scrambled unique serial.
    private mutating func nextLegacyNumber(province: Int) -> String {
        let prefix = province % 100
        let count = legacySerialsUsed[prefix, default: 0]
        legacySerialsUsed[prefix] = count + 1
        let serial = (count * 3_001_003 + prefix * 7_777) % 10_000_000
        let value = prefix * 10_000_000 + serial
        let digits = String(value)
        return String(repeating: "0", count: 9 - digits.count) + digits
    }

    private mutating func fullName(sex: Sex, age: Int, southern: Bool) -> String {
        let family = (southern ? Self.southernFamilyNames : Self.northernFamilyNames).pick(&random)
        let bornBefore1990 = age >= 36
        let middle: String
        let given: String
        if sex == .female {
            middle = random.chance(bornBefore1990 ? 0.7 : 0.25) ? "Thị" : random.pick(VietnameseNames.femaleMiddleNames)
            given = random.pick(VietnameseNames.femaleGivenNames)
        } else {
            middle = random.chance(bornBefore1990 ? 0.5 : 0.15) ? "Văn" : random.pick(VietnameseNames.maleMiddleNames)
            given = random.pick(VietnameseNames.maleGivenNames)
        }
        if random.chance(0.1) {
            let second = random.pick(sex == .female ? VietnameseNames.femaleMiddleNames : VietnameseNames.maleMiddleNames)
            if second != middle && second != given { return "\(family) \(middle) \(second) \(given)" }
        }
        return "\(family) \(middle) \(given)"
    }

    private mutating func ethnicity(in province: Province) -> String {
        var roll = random.unit() * 100
        for (name, share) in province.minorities {
            if roll < share { return name }
            roll -= share
        }
        return "Kinh"
    }

    private mutating func address(in province: Province, withHouse: Bool, newUnits: Bool) -> String {
        let district = random.pick(province.districts)
        let ward = random.pick(district.wards)
        var parts: [String] = []
        if withHouse {
            if ward.old.hasPrefix("Phường") {
                parts.append("Số \(random.between(1...250)), Tổ \(random.between(1...40))")
            } else {
                parts.append("Thôn \(random.pick(["Đông", "Đoài", "Thượng", "Hạ", "Trung", "Nam", "Bắc", "Tân Lập", "Phú Lợi"]))")
            }
        }
        parts += newUnits ? [ward.new, province.newName] : [ward.old, district.name, province.name]
        return parts.joined(separator: ", ")
    }

    private mutating func mobileNumber() -> String {
        let prefix = Self.mobilePrefixes.pick(&random)
        let subscriber = String(random.below(10_000_000))
        return prefix + String(repeating: "0", count: 7 - subscriber.count) + subscriber
    }

    /// Issued at 14 or later, from 2016; expires on the birthday at the next renewal age (25, 40, 60), skipping one
    /// that falls within two years of issue; never expires when issued at 58 or later. Most people renew soon after
    /// a card expires, some have not yet (their card answers `expired`).
    private mutating func identityCard(number: String, birth: PartialDate, dateOfBirth: PartialDate) -> IdentityCard? {
        let fourteenth = birthday(birth, dateOfBirth, atAge: 14)
        let earliest = Swift.max(fourteenth, Self.firstCardDay)
        guard earliest < referenceDay else { return nil }
        var issueDay = earliest + random.below(referenceDay - earliest)
        var expiry = expiryDay(issueDay: issueDay, birth: birth, dateOfBirth: dateOfBirth)
        if let expired = expiry, expired < referenceDay, random.chance(0.8) {
            let renewal = expired + random.below(180)
            if renewal < referenceDay {
                issueDay = renewal
                expiry = expiryDay(issueDay: issueDay, birth: birth, dateOfBirth: dateOfBirth)
            }
        }
        let statusRoll = random.unit()
        let status: StoredCardStatus = statusRoll < 0.006 ? .revoked : statusRoll < 0.010 ? .lost : .valid
        return IdentityCard(
            number: number, issueDate: PartialDate(daysSinceEpoch: issueDay),
            expiryDate: expiry.map { PartialDate(daysSinceEpoch: $0) }, status: status)
    }

    private func expiryDay(issueDay: Int, birth: PartialDate, dateOfBirth: PartialDate) -> Int? {
        for renewalAge in [25, 40, 60] {
            let due = birthday(birth, dateOfBirth, atAge: renewalAge)
            if due - issueDay > 2 * 365 { return due }
        }
        return nil
    }

    /// The day someone turns `age`; with an imprecise recorded birth date, the last day it can be.
    private func birthday(_ birth: PartialDate, _ recorded: PartialDate, atAge age: Int) -> Int {
        let year = Int(birth.year) + age
        switch recorded.precision {
        case .year: return PartialDate(year: year, month: 12, day: 31)!.daysSinceEpoch
        case .month:
            let month = Int(recorded.month)
            return PartialDate(year: year, month: month, day: PartialDate.daysIn(month: month, year: year))!.daysSinceEpoch
        case .day:
            let month = Int(birth.month)
            let day = Swift.min(Int(birth.day), PartialDate.daysIn(month: month, year: year))
            return PartialDate(year: year, month: month, day: day)!.daysSinceEpoch
        }
    }
}
