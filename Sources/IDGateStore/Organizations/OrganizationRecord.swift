/// An enterprise or tax code (mã số doanh nghiệp): 10 digits for an enterprise, 13 for a dependent unit (the
/// parent's 10 digits and a 3-digit branch number, often written `0101234567-001`).
public struct OrganizationID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The registry key: digit count in the top byte, the numeric value below (leading zeros are significant).
    public let key: UInt64

    public static let format = "10 digits (enterprise code) or 13 digits (branch: 10 digits, optionally '-', 3 digits)"

    public init?(_ bytes: UnsafeRawBufferPointer) {
        // At most 13 digits and a '-': a longer run of digits overflowed `value` and trapped, crashing the gateway on
        // one /v1/organizations/match request (found by fuzzing, 2026-12-02).
        guard bytes.count <= 14 else { return nil }
        var value: UInt64 = 0
        var digits = 0
        for (index, c) in bytes.enumerated() {
            if c == UInt8(ascii: "-"), index == 10, digits == 10 { continue }
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + UInt64(c - 0x30)
            digits += 1
        }
        guard digits == 10 || digits == 13, bytes.count == digits || (digits == 13 && bytes.count == 14) else { return nil }
        key = UInt64(digits) << 56 | value
    }

    public init?(_ string: String) {
        var text = string
        guard let id = text.withUTF8({ OrganizationID(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = id
    }

    init(key: UInt64) { self.key = key }

    /// Plain digits (`0101234567`, `0101234567001`).
    public var description: String {
        let digits = Int(key >> 56)
        let value = String(key & 0x00FF_FFFF_FFFF_FFFF)
        return String(repeating: "0", count: max(0, digits - value.count)) + value
    }

    public static func < (lhs: OrganizationID, rhs: OrganizationID) -> Bool { lhs.key < rhs.key }
}

/// Whether an organization may trade (Law on Enterprises 2020: operating, suspended, dissolved).
public enum OrganizationStatus: UInt8, Sendable, Hashable, CaseIterable {
    case active = 0
    case suspended = 1
    case dissolved = 2

    public var name: String {
        switch self {
        case .active: "active"
        case .suspended: "suspended"
        case .dissolved: "dissolved"
        }
    }

    public init?(name: String) {
        guard let found = OrganizationStatus.allCases.first(where: { $0.name == name }) else { return nil }
        self = found
    }
}

/// An organization or enterprise as registered: Vietnamese legal name (with its legal form), English trade name,
/// head-office address, legal representative.
public struct OrganizationRecord: Sendable, Hashable {
    public var organizationId: OrganizationID
    /// Vietnamese legal name in NFC (`Công ty TNHH Thương mại Minh Phát`).
    public var name: String
    /// English name, when registered (`Minh Phat Trading Company Limited`).
    public var tradeName: String?
    public var address: String
    public var legalRepresentativeIdNumber: IDNumber?
    public var status: OrganizationStatus
    public var registrationDate: PartialDate?
    public var sequence: UInt64 = 0

    public init(
        organizationId: OrganizationID, name: String, tradeName: String? = nil, address: String,
        legalRepresentativeIdNumber: IDNumber? = nil, status: OrganizationStatus = .active,
        registrationDate: PartialDate? = nil
    ) {
        self.organizationId = organizationId
        self.name = name
        self.tradeName = tradeName
        self.address = address
        self.legalRepresentativeIdNumber = legalRepresentativeIdNumber
        self.status = status
        self.registrationDate = registrationDate
    }
}

/// The binary organization record (docs/DATA.md, "Organization record").
enum OrganizationRecordCodec {
    static let formatVersion: UInt8 = 1
    static let headerSize = 24

    static func encode(_ record: OrganizationRecord) throws(RecordStrings.TooLarge) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: headerSize)
        out[0] = formatVersion
        out[1] = record.status.rawValue
        out[2] = record.legalRepresentativeIdNumber != nil ? 1 : 0
        out.storeLittleEndian(record.registrationDate?.packed ?? 0, at: 4)
        out.storeLittleEndian(record.legalRepresentativeIdNumber?.value ?? 0, at: 8)
        out.storeLittleEndian(record.sequence, at: 16)
        try RecordStrings.append([record.name, record.tradeName ?? "", record.address], to: &out)
        return out
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, id: OrganizationID) -> OrganizationRecord? {
        guard bytes.count >= headerSize, bytes[0] == formatVersion, let status = OrganizationStatus(rawValue: bytes[1]),
            let strings = RecordStrings.read(count: 3, from: bytes, at: headerSize)
        else { return nil }
        var record = OrganizationRecord(
            organizationId: id, name: strings[0], tradeName: strings[1].isEmpty ? nil : strings[1], address: strings[2],
            legalRepresentativeIdNumber: bytes[2] & 1 != 0
                ? IDNumber(unchecked: bytes.loadLittleEndian(UInt64.self, at: 8)) : nil,
            status: status, registrationDate: PartialDate(packed: bytes.loadLittleEndian(UInt32.self, at: 4)))
        record.sequence = bytes.loadLittleEndian(UInt64.self, at: 16)
        return record
    }
}
