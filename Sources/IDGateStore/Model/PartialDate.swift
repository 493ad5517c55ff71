/// A calendar date whose month and day may be unknown.
///
/// The registry holds year-only and month-year births (older records, people born where civil registration was
/// incomplete), and callers may submit them too, so every date attribute is a `PartialDate`. `month == 0` means
/// "month unknown" and implies `day == 0`.
public struct PartialDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var year: UInt16
    public var month: UInt8
    public var day: UInt8

    public enum Precision: UInt8, Sendable { case year = 1, month = 2, day = 3 }

    /// Validating initializer: nil for impossible dates (month 13, 30 February, day without month, year 0).
    public init?(year: Int, month: Int = 0, day: Int = 0) {
        guard (1...9999).contains(year), (0...12).contains(month), day >= 0 else { return nil }
        if month == 0 && day != 0 { return nil }
        if day != 0 && day > PartialDate.daysIn(month: month, year: year) { return nil }
        self.year = UInt16(year)
        self.month = UInt8(month)
        self.day = UInt8(day)
    }

    public var precision: Precision { month == 0 ? .year : (day == 0 ? .month : .day) }
    public var isComplete: Bool { day != 0 }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeap(year) ? 29 : 28
        default: return 0
        }
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY` from UTF-8 bytes without allocating.
    public init?(iso bytes: UnsafeRawBufferPointer) {
        func digits(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for i in from..<(from + count) {
                let c = bytes[i]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                value = value * 10 + Int(c - 0x30)
            }
            return value
        }
        switch bytes.count {
        case 4:
            guard let y = digits(0, 4) else { return nil }
            self.init(year: y)
        case 7:
            guard bytes[4] == 0x2D, let y = digits(0, 4), let m = digits(5, 2), m >= 1 else { return nil }
            self.init(year: y, month: m)
        case 10:
            guard bytes[4] == 0x2D, bytes[7] == 0x2D, let y = digits(0, 4), let m = digits(5, 2), let d = digits(8, 2),
                m >= 1, d >= 1
            else { return nil }
            self.init(year: y, month: m, day: d)
        default:
            return nil
        }
    }

    public init?(iso string: String) {
        var s = string
        guard let parsed = s.withUTF8({ PartialDate(iso: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// Packs into 32 bits (`yyyy << 16 | mm << 8 | dd`) for the store's binary record; order-preserving.
    public var packed: UInt32 { UInt32(year) << 16 | UInt32(month) << 8 | UInt32(day) }

    public init?(packed: UInt32) {
        self.init(year: Int(packed >> 16), month: Int((packed >> 8) & 0xFF), day: Int(packed & 0xFF))
    }

    /// Days since 1970-01-01 of the first day this date can denote (for age and expiry arithmetic).
    public var daysSinceEpoch: Int {
        PartialDate.daysFromCivil(year: Int(year), month: Int(max(month, 1)), day: Int(max(day, 1)))
    }

    /// Howard Hinnant's days_from_civil.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The complete date of a day count since 1970-01-01 (inverse of `daysFromCivil`).
    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.year = UInt16(y)
        self.month = UInt8(m)
        self.day = UInt8(d)
    }

    /// Today's date in UTC+7 (Vietnam), the calendar in which card expiry is judged.
    public static func today(secondsSinceEpoch: Double) -> PartialDate {
        PartialDate(daysSinceEpoch: Int(((secondsSinceEpoch + 7 * 3600) / 86400).rounded(.down)))
    }

    public var description: String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        switch precision {
        case .year: return pad(Int(year), 4)
        case .month: return "\(pad(Int(year), 4))-\(pad(Int(month), 2))"
        case .day: return "\(pad(Int(year), 4))-\(pad(Int(month), 2))-\(pad(Int(day), 2))"
        }
    }

    public static func < (lhs: PartialDate, rhs: PartialDate) -> Bool { lhs.packed < rhs.packed }
}
