/// A 12-digit Vietnamese personal identification number (số định danh cá nhân).
///
/// Layout (Circular 59/2021/TT-BCA): 3-digit province code of the birth registration, 1 digit for century and sex
/// (0/1: 1900s male/female, 2/3: 2000s, 4/5: 2100s, 6/7: 2200s, 8/9: 2300s), 2 digits of birth year, 6 random digits.
/// Held as a `UInt64` so it is a fixed-size, order-preserving store key (8 bytes big-endian).
public struct IDNumber: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let value: UInt64

    /// Province codes in use (01…96, with gaps, as the 3-digit form 001…096).
    public static let provinceCodes: Set<Int> = [
        1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40, 42, 44,
        45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89,
        91, 92, 93, 94, 95, 96,
    ]

    public enum LayoutError: Error, Equatable, Sendable {
        case notTwelveDigits
        case unknownProvince(Int)
    }

    /// `provinceCodes` as a bitmap (codes are below 128): the check on every parsed number costs no hashing.
    private static let provinceBits: (UInt64, UInt64) = provinceCodes.reduce(into: (0, 0)) { bits, code in
        if code < 64 { bits.0 |= 1 << UInt64(code) } else { bits.1 |= 1 << UInt64(code - 64) }
    }

    public static func isProvinceCode(_ code: Int) -> Bool {
        switch code {
        case 0..<64: provinceBits.0 & (1 << UInt64(code)) != 0
        case 64..<128: provinceBits.1 & (1 << UInt64(code - 64)) != 0
        default: false
        }
    }

    /// Validates the layout of 12 ASCII digits without allocating.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<IDNumber, LayoutError> {
        guard bytes.count == 12 else { return .failure(.notTwelveDigits) }
        var value: UInt64 = 0
        for c in bytes {
            guard c >= 0x30 && c <= 0x39 else { return .failure(.notTwelveDigits) }
            value = value &* 10 &+ UInt64(c &- 0x30)
        }
        let province = Int(value / 1_000_000_000)
        guard isProvinceCode(province) else { return .failure(.unknownProvince(province)) }
        return .success(IDNumber(unchecked: value))
    }

    public init?(_ string: String) {
        var s = string
        guard case .success(let id) = s.withUTF8({ IDNumber.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = id
    }

    public init(unchecked value: UInt64) { self.value = value }

    public var provinceCode: Int { Int(value / 1_000_000_000) }
    /// The century/sex digit (4th digit).
    public var centurySexDigit: Int { Int(value / 100_000_000 % 10) }
    /// Two-digit birth year (5th and 6th digits).
    public var birthYearTwoDigits: Int { Int(value / 1_000_000 % 100) }
    /// The birth year encoded in the number.
    public var birthYear: Int { 1900 + (centurySexDigit / 2) * 100 + birthYearTwoDigits }
    public var encodedSex: Sex { centurySexDigit % 2 == 0 ? .male : .female }

    /// Big-endian 8-byte key: byte order equals numeric order, so bulk import can append sorted keys.
    public var storeKey: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) {
        let v = value.bigEndian
        return withUnsafeBytes(of: v) { ($0[0], $0[1], $0[2], $0[3], $0[4], $0[5], $0[6], $0[7]) }
    }

    public var description: String {
        let s = String(value)
        return String(repeating: "0", count: 12 - s.count) + s
    }

    public static func < (lhs: IDNumber, rhs: IDNumber) -> Bool { lhs.value < rhs.value }
}
