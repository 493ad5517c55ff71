/// The kinds of personal document the registry integrates (issue 21: documents issued through the national e-ID
/// app, which agencies must accept instead of paper copies). Raw values are stored in records and keys: never reuse one.
public enum DocumentType: UInt8, Sendable, Hashable, CaseIterable {
    case drivingLicence = 1
    case healthInsurance = 2
    case vehicleRegistration = 3
    case birthCertificate = 4
    case marriageCertificate = 5
    case socialInsurance = 6

    /// The name in requests, records and client policy (`documentTypes` in `clients.json`).
    public var wireName: String {
        switch self {
        case .drivingLicence: "driving-licence"
        case .healthInsurance: "health-insurance"
        case .vehicleRegistration: "vehicle-registration"
        case .birthCertificate: "birth-certificate"
        case .marriageCertificate: "marriage-certificate"
        case .socialInsurance: "social-insurance"
        }
    }

    public init?(wireName: String) {
        guard let found = DocumentType.allCases.first(where: { $0.wireName == wireName }) else { return nil }
        self = found
    }

    public init?(wireName bytes: UnsafeRawBufferPointer) {
        guard let found = DocumentType.allCases.first(where: { type in
            var name = type.wireName
            return name.withUTF8 { $0.count == bytes.count && $0.elementsEqual(bytes) }
        }) else { return nil }
        self = found
    }

    /// Every wire name, comma-separated (for error messages that list the accepted values).
    public static var wireNames: String { allCases.map(\.wireName).joined(separator: ", ") }

    /// The expected form of `documentNumber`, as error messages and docs/DATA.md state it.
    public var numberFormat: String {
        switch self {
        case .drivingLicence: "12 digits (PET licence number)"
        case .healthInsurance: "15 characters: 2-letter beneficiary group, benefit level 1-5, 2-digit province code, 10-digit social insurance number (DN4010123456789)"
        case .vehicleRegistration: "6 digits (registration certificate number)"
        case .birthCertificate, .marriageCertificate:
            "civil status entry: 5-digit commune code, 4-digit year, 1-6 digit entry number, joined by '/' (26881/2020/125)"
        case .socialInsurance: "10 digits (social insurance number)"
        }
    }

    /// Whether holders of this document need an expiry date (birth and marriage certificates do not expire).
    public var expires: Bool {
        switch self {
        case .birthCertificate, .marriageCertificate, .socialInsurance: false
        case .drivingLicence, .healthInsurance, .vehicleRegistration: true
        }
    }

    /// The canonical bytes of a document number (letters upper-cased, leading zeros of a civil status entry number
    /// dropped), or nil when it is not in this type's format. The registry key is the type byte then these bytes.
    public func canonicalNumber(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        @inline(__always) func upper(_ c: UInt8) -> UInt8 { c >= 0x61 && c <= 0x7A ? c - 0x20 : c }
        switch self {
        case .drivingLicence:
            return bytes.count == 12 && bytes.allSatisfy(isDigit) ? Array(bytes) : nil
        case .vehicleRegistration:
            return bytes.count == 6 && bytes.allSatisfy(isDigit) ? Array(bytes) : nil
        case .socialInsurance:
            return bytes.count == 10 && bytes.allSatisfy(isDigit) ? Array(bytes) : nil
        case .healthInsurance:
            guard bytes.count == 15 else { return nil }
            let letters = [upper(bytes[0]), upper(bytes[1])]
            guard letters.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }), (0x31...0x35).contains(bytes[2]),
                bytes[3...].allSatisfy(isDigit)
            else { return nil }
            return letters + Array(bytes[2...])
        case .birthCertificate, .marriageCertificate:
            let parts = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 5, parts[1].count == 4, (1...6).contains(parts[2].count),
                parts.allSatisfy({ $0.allSatisfy(isDigit) })
            else { return nil }
            var entry = Array(parts[2].drop { $0 == UInt8(ascii: "0") })
            if entry.isEmpty { return nil }  // entry 0 does not exist
            entry = Array(parts[0]) + [UInt8(ascii: "/")] + Array(parts[1]) + [UInt8(ascii: "/")] + entry
            return entry
        }
    }

    public func canonicalNumber(_ string: String) -> String? {
        var text = string
        return text.withUTF8 { canonicalNumber(UnsafeRawBufferPointer($0)) }.map { String(decoding: $0, as: UTF8.self) }
    }
}

/// The status a document was given by its issuer. `expired` may be stored (an issuer's own mark), and a `valid`
/// document past its expiry date is reported `expired` at query time.
public enum DocumentStatus: UInt8, Sendable, Hashable, CaseIterable {
    case valid = 0
    case expired = 1
    case suspended = 2
    case revoked = 3

    public var name: String {
        switch self {
        case .valid: "valid"
        case .expired: "expired"
        case .suspended: "suspended"
        case .revoked: "revoked"
        }
    }

    public init?(name: String) {
        guard let found = DocumentStatus.allCases.first(where: { $0.name == name }) else { return nil }
        self = found
    }

    /// The status reported on `today`: a valid document past its expiry date has expired.
    public func effective(expiry: PartialDate?, today: PartialDate) -> DocumentStatus {
        if self == .valid, let expiry, expiry < today { return .expired }
        return self
    }
}

/// Driving licence classes (Road Traffic Order and Safety Law 2024, in force 2025, and the classes issued before
/// it, which stay valid): what `licenceClasses` may list.
public enum LicenceClass {
    public static let all: [String] = [
        "A1", "A", "B1", "B", "C1", "C", "D1", "D2", "D", "BE", "C1E", "CE", "D1E", "D2E", "DE",
        "A2", "A3", "A4", "B2", "E", "FB2", "FC", "FD", "FE",
    ]
    private static let known = Set(all)

    /// The classes in a list written `A1,B2` (commas and/or spaces, any case), upper-cased, in the order given and
    /// without repeats; nil when one is not a licence class.
    public static func parse(_ text: String) -> [String]? {
        var result: [String] = []
        for part in text.uppercased().split(whereSeparator: { $0 == "," || $0 == " " }) {
            let name = String(part)
            guard known.contains(name) else { return nil }
            if !result.contains(name) { result.append(name) }
        }
        return result.isEmpty ? nil : result
    }
}

/// Vehicle number plates (`30A-123.45`, `29H1-234.56`): compared on their letters and digits alone.
public enum VehiclePlate {
    /// Upper-case letters and digits of a plate (separators dropped); nil unless 2-digit province code, series
    /// letter(s) and 4 or 5 more digits (an optional digit after the series letter for motorcycles).
    public static func canonical(_ text: String) -> String? {
        let kept = text.uppercased().unicodeScalars.filter { $0 != "-" && $0 != "." && $0 != " " }
        let chars = Array(String(String.UnicodeScalarView(kept)).utf8)
        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        @inline(__always) func isLetter(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
        guard chars.count >= 7, chars.count <= 10, isDigit(chars[0]), isDigit(chars[1]), isLetter(chars[2]) else { return nil }
        var index = 3
        if index < chars.count, isLetter(chars[index]) { index += 1 }
        let rest = chars[index...]
        guard rest.allSatisfy(isDigit), (4...6).contains(rest.count) else { return nil }
        return String(decoding: chars, as: UTF8.self)
    }
}
