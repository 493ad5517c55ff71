/// Deterministic synthetic documents and organizations for generated residents (demo, tests, benchmarks): the same
/// seed and residents give the same records everywhere. Holders and legal representatives are the residents given,
/// so a generated document always belongs to a resident of the same registry.
///
/// Documents: health insurance for most residents (15-character card code carrying the 10-digit social insurance
/// number), social insurance for working-age adults, driving licences (12 digits; A1 without expiry, B2/C for 10
/// years), vehicle registrations with motorcycle plates, birth certificates for those born since 1990, and
/// marriage certificates pairing adults (both spouses index the certificate). About 2% of licences and
/// registrations are suspended or revoked, and 5% of health insurance cards expired at the end of 2025.
///
/// Organizations: Vietnamese legal names with their legal form (`Công ty TNHH`, `Công ty TNHH Một thành viên`,
/// `Công ty Cổ phần`, `Doanh nghiệp tư nhân`), an English trade name for most, a resident's address as head office,
/// an adult resident as legal representative, enterprise codes with the official check digit (10% are 13-digit
/// branch codes), 3% suspended and 2% dissolved.
public struct KindGenerator {
    private var random: SeededRandom
    public let referenceDate: PartialDate

    public init(seed: UInt64, referenceDate: PartialDate = PartialDate(year: 2026, month: 1, day: 1)!) {
        random = SeededRandom(seed: seed ^ 0xD0C5_0000_0000_0021)
        self.referenceDate = referenceDate
    }

    // MARK: Documents

    public mutating func documents<Residents: Sequence<ResidentRecord>>(for residents: Residents) -> [DocumentRecord] {
        var result: [DocumentRecord] = []
        var serial = 0
        var pendingSpouse: ResidentRecord?
        for resident in residents where resident.recordStatus == .active {
            serial += 1
            let age = Int(referenceDate.year) - Int(resident.dateOfBirth.year)
            let province = Self.province(of: resident)
            let provinceCode = resident.idNumber.provinceCode % 100
            // Social insurance number: the birth province's two digits and eight digits unique in this run.
            let socialNumber = Self.digits(provinceCode, 2) + Self.digits(serial, 8)
            if random.chance(0.9) {
                let group = age < 6 ? "TE" : age < 18 ? "HS" : age >= 60 ? "HT" : random.pick(["DN", "DN", "GD", "HC", "HN"])
                let level = group == "HN" || group == "TE" ? "1" : group == "HT" ? "2" : random.pick(["3", "4", "4"])
                let expired = random.chance(0.05)
                let year = expired ? 2025 : 2026
                result.append(DocumentRecord(
                    type: .healthInsurance, number: group + level + Self.digits(provinceCode, 2) + socialNumber,
                    holderIdNumber: resident.idNumber, holderName: resident.fullName,
                    issuer: "Bảo hiểm xã hội \(Self.withoutPrefix(province))",
                    issueDate: PartialDate(year: year, month: 1, day: 1)!,
                    expiryDate: PartialDate(year: year + (expired ? 0 : 1), month: 12, day: 31)!,
                    status: expired ? .expired : .valid))
            }
            if age >= 18 && age < 62 && random.chance(0.45) {
                result.append(DocumentRecord(
                    type: .socialInsurance, number: socialNumber, holderIdNumber: resident.idNumber,
                    holderName: resident.fullName, issuer: "Bảo hiểm xã hội \(Self.withoutPrefix(province))",
                    issueDate: issueDate(yearsBack: min(age - 18, 15) + 1)))
            }
            if age >= 18 && age < 75 && random.chance(0.55) {
                let cars = random.chance(0.22)
                let classes = cars ? (random.chance(0.7) ? ["A1", "B2"] : ["A1", "B2", "C"]) : ["A1"]
                let issued = issueDate(yearsBack: min(age - 18, 20) + 1)
                let expiry = cars ? PartialDate(year: Int(issued.year) + 10, month: Int(issued.month), day: Int(issued.day)) : nil
                result.append(DocumentRecord(
                    type: .drivingLicence, number: Self.digits(provinceCode, 2) + Self.digits(serial, 10),
                    holderIdNumber: resident.idNumber, holderName: resident.fullName,
                    issuer: "Sở Giao thông vận tải \(Self.withoutPrefix(province))", issueDate: issued, expiryDate: expiry,
                    status: occasionallyWithdrawn(), licenceClasses: classes))
            }
            if age >= 18 && random.chance(0.3) {
                let plate = Self.digits(11 + (provinceCode * 7 + serial) % 89, 2) + random.pick(["B", "C", "D", "E", "F", "G", "H", "K", "L", "M", "N", "P"])
                    + String(1 + random.below(9)) + "-" + Self.digits(random.below(1000), 3) + "." + Self.digits(random.below(100), 2)
                result.append(DocumentRecord(
                    type: .vehicleRegistration, number: Self.digits(serial % 1_000_000, 6),
                    holderIdNumber: resident.idNumber, holderName: resident.fullName,
                    issuer: "Phòng Cảnh sát giao thông Công an \(Self.withoutPrefix(province))",
                    issueDate: issueDate(yearsBack: min(age - 18, 10) + 1), status: occasionallyWithdrawn(), vehiclePlate: plate))
            }
            if resident.dateOfBirth.year >= 1990, resident.dateOfBirth.isComplete, random.chance(0.6) {
                let registered = PartialDate(daysSinceEpoch: resident.dateOfBirth.daysSinceEpoch + 3 + random.below(50))
                result.append(DocumentRecord(
                    type: .birthCertificate,
                    number: "\(Self.communeCode(resident.placeOfOrigin))/\(registered.year)/\(serial % 999_999 + 1)",
                    holderIdNumber: resident.idNumber, holderName: resident.fullName,
                    issuer: "Ủy ban nhân dân \(Self.commune(of: resident.placeOfOrigin))", issueDate: registered))
            }
            if age >= 22 && age < 65 {
                if let spouse = pendingSpouse, spouse.sex != resident.sex, random.chance(0.7) {
                    pendingSpouse = nil
                    let registered = issueDate(yearsBack: min(age - 20, 25))
                    result.append(DocumentRecord(
                        type: .marriageCertificate,
                        number: "\(Self.communeCode(resident.placeOfResidence))/\(registered.year)/\(serial % 999_999 + 1)",
                        holderIdNumber: resident.idNumber, holderName: resident.fullName,
                        issuer: "Ủy ban nhân dân \(Self.commune(of: resident.placeOfResidence))", issueDate: registered,
                        spouseIdNumber: spouse.idNumber))
                } else if random.chance(0.5) {
                    pendingSpouse = resident
                }
            }
        }
        return result
    }

    private mutating func issueDate(yearsBack: Int) -> PartialDate {
        PartialDate(daysSinceEpoch: referenceDate.daysSinceEpoch - 30 - random.below(max(1, yearsBack) * 365))
    }

    private mutating func occasionallyWithdrawn() -> DocumentStatus {
        let roll = random.unit()
        return roll < 0.01 ? .suspended : roll < 0.02 ? .revoked : .valid
    }

    // MARK: Organizations

    /// `count` organizations whose representatives are drawn from the first adults among `residents` (at most
    /// `4 × count` of them are kept).
    public mutating func organizations<Residents: Sequence<ResidentRecord>>(count: Int, residents: Residents)
        -> [OrganizationRecord]
    {
        var adults: [ResidentRecord] = []
        for resident in residents
        where resident.recordStatus == .active && Int(referenceDate.year) - Int(resident.dateOfBirth.year) >= 22 {
            adults.append(resident)
            if adults.count >= 4 * count { break }
        }
        guard !adults.isEmpty else { return [] }
        var result: [OrganizationRecord] = []
        var used = Set<OrganizationID>()
        while result.count < count {
            let representative = adults[random.below(adults.count)]
            let brand = random.pick(Self.brands)
            let sector = random.pick(Self.sectors)
            let form = Self.forms.pick(&random)
            let name = "\(form.vietnamese) \(sector.vietnamese) \(brand.vietnamese)"
            let tradeName = random.chance(0.85) ? "\(brand.ascii) \(sector.english) \(form.english)" : nil
            guard let id = enterpriseCode(province: representative.idNumber.provinceCode), used.insert(id).inserted else { continue }
            let roll = random.unit()
            result.append(OrganizationRecord(
                organizationId: id, name: name, tradeName: tradeName, address: representative.placeOfResidence,
                legalRepresentativeIdNumber: representative.idNumber,
                status: roll < 0.03 ? .suspended : roll < 0.05 ? .dissolved : .active,
                registrationDate: issueDate(yearsBack: 20)))
        }
        return result
    }

    /// A code with the official check digit (10th digit from weights 31, 29, 23, 19, 17, 13, 7, 5, 3), 10% with a
    /// 3-digit branch suffix; nil when the drawn digits have no valid check digit.
    private mutating func enterpriseCode(province: Int) -> OrganizationID? {
        var digits = Self.digits(province % 100, 2).compactMap { $0.wholeNumberValue }
        for _ in 0..<7 { digits.append(random.below(10)) }
        let weights = [31, 29, 23, 19, 17, 13, 7, 5, 3]
        let check = 10 - zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 } % 11
        guard check < 10 else { return nil }
        digits.append(check)
        var text = digits.map(String.init).joined()
        if random.chance(0.1) { text += Self.digits(1 + random.below(20), 3) }
        return OrganizationID(text)
    }

    private static let forms = WeightedTable<(vietnamese: String, english: String)>([
        (("Công ty TNHH", "Company Limited"), 40),
        (("Công ty TNHH Một thành viên", "One Member Company Limited"), 15),
        (("Công ty Cổ phần", "Joint Stock Company"), 35),
        (("Doanh nghiệp tư nhân", "Private Enterprise"), 10),
    ])
    private static let sectors: [(vietnamese: String, english: String)] = [
        ("Thương mại và Dịch vụ", "Trading and Services"), ("Xây dựng", "Construction"), ("Đầu tư", "Investment"),
        ("Sản xuất", "Manufacturing"), ("Công nghệ", "Technology"), ("Vận tải", "Transport"),
        ("Thực phẩm", "Food"), ("Du lịch", "Travel"), ("Xuất nhập khẩu", "Import Export"),
        ("Bất động sản", "Real Estate"), ("Dược phẩm", "Pharmaceutical"), ("May mặc", "Garment"),
        ("Thiết bị Y tế", "Medical Equipment"), ("Nông sản", "Agricultural Products"),
    ]
    private static let brands: [(vietnamese: String, ascii: String)] = [
        ("Minh Phát", "Minh Phat"), ("Hoàng Long", "Hoang Long"), ("An Khang", "An Khang"), ("Thành Công", "Thanh Cong"),
        ("Phú Thịnh", "Phu Thinh"), ("Việt Tiến", "Viet Tien"), ("Đại Dương", "Dai Duong"), ("Sao Mai", "Sao Mai"),
        ("Hưng Thịnh", "Hung Thinh"), ("Tân Phú", "Tan Phu"), ("Bình Minh", "Binh Minh"), ("Kim Ngân", "Kim Ngan"),
        ("Trường An", "Truong An"), ("Nam Việt", "Nam Viet"), ("Hòa Bình", "Hoa Binh"), ("Phương Đông", "Phuong Dong"),
        ("Thiên Ân", "Thien An"), ("Đông Á", "Dong A"), ("Lạc Hồng", "Lac Hong"), ("Sông Hồng", "Song Hong"),
        ("Mekong Xanh", "Mekong Xanh"), ("Quang Minh", "Quang Minh"), ("Hải Âu", "Hai Au"), ("Vạn Xuân", "Van Xuan"),
    ]

    // MARK: Helpers

    static func digits(_ value: Int, _ count: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, count - text.count)) + text
    }

    /// The last unit of an address (the province).
    static func province(of resident: ResidentRecord) -> String {
        let parts = resident.placeOfResidence.split(separator: ",")
        return parts.last.map { $0.trimmingSpaces } ?? "Thành phố Hà Nội"
    }

    /// `Tỉnh Đồng Nai` → `Đồng Nai`, `Thành phố Hà Nội` → `Hà Nội` (how agencies are named after their province).
    static func withoutPrefix(_ province: String) -> String {
        for prefix in ["Thành phố ", "Tỉnh "] where province.hasPrefix(prefix) { return String(province.dropFirst(prefix.count)) }
        return province
    }

    /// The commune (second-to-last unit but one when there is a district) of an address, for a civil status issuer.
    static func commune(of address: String) -> String {
        let parts = address.split(separator: ",").map { $0.trimmingSpaces }
        let communes = parts.filter { $0.hasPrefix("Xã ") || $0.hasPrefix("Phường ") || $0.hasPrefix("Thị trấn ") || $0.hasPrefix("Đặc khu ") }
        return communes.last ?? parts.first ?? address
    }

    /// A stable 5-digit code for a commune name (the registry's civil status numbers carry the commune's code).
    static func communeCode(_ address: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in commune(of: address).utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return digits(Int(hash % 32_000) + 1, 5)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
