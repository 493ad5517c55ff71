/// A Vietnamese phone number reduced to its national significant number, so `+84 912 345 678`, `84912345678` and
/// `0912345678` compare equal, and an old 11-digit mobile number (`0162xxxxxxx`) equals its 2018 10-digit form
/// (`032xxxxxxx`).
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    /// The national significant number (the digits after the trunk prefix 0), e.g. 912345678.
    public let significantNumber: UInt64
    /// Its digit count: 9 for mobiles, 10 for landlines (area code 2xx).
    public let digitCount: UInt8

    public init(significantNumber: UInt64, digitCount: UInt8) {
        self.significantNumber = significantNumber
        self.digitCount = digitCount
    }

    /// The 2018 re-mapping of 11-digit mobile prefixes (as 3-digit significant prefixes 1xy) to 10-digit ones.
    static func remappedMobilePrefix(_ oldPrefix: Int) -> UInt64? {
        switch oldPrefix {
        case 162...169: UInt64(oldPrefix - 130)  // Viettel 0162-0169 → 032-039
        case 120: 70
        case 121: 79
        case 122: 77
        case 126: 76
        case 128: 78  // MobiFone
        case 123: 83
        case 124: 84
        case 125: 85
        case 127: 81
        case 129: 82  // VinaPhone
        case 186: 56
        case 188: 58  // Vietnamobile
        case 199: 59  // Gmobile
        default: nil
        }
    }

    /// Parses `0…`, `+84…` or `84…` forms; spaces, dots, dashes and parentheses between digits are ignored.
    /// `remapped` tells whether an old 11-digit mobile prefix was translated.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> (number: PhoneNumber, remapped: Bool)? {
        var digits: UInt64 = 0
        var count = 0
        var international = false
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard count < 15 else { return nil }
                digits = digits &* 10 &+ UInt64(byte &- 0x30)
                count += 1
            case UInt8(ascii: "+") where index == 0:
                international = true
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"):
                continue
            default:
                return nil
            }
        }
        func power(_ n: Int) -> UInt64 {
            var result: UInt64 = 1
            for _ in 0..<n { result &*= 10 }
            return result
        }
        let leading = count > 0 ? digits / power(count - 1) : 0
        let leadingTwo = count > 1 ? digits / power(count - 2) : 0
        var significantCount: Int
        if international || (leadingTwo == 84 && (count == 11 || count == 12)) {
            guard leadingTwo == 84 else { return nil }
            significantCount = count - 2
        } else {
            guard leading == 0 else { return nil }
            significantCount = count - 1
        }
        guard significantCount == 9 || significantCount == 10 else { return nil }
        var significant = digits % power(significantCount)
        guard significant / power(significantCount - 1) != 0 else { return nil }
        var remapped = false
        if significantCount == 10, let newPrefix = remappedMobilePrefix(Int(significant / power(7))) {
            significant = newPrefix * power(7) + significant % power(7)
            significantCount = 9
            remapped = true
        }
        return (PhoneNumber(significantNumber: significant, digitCount: UInt8(significantCount)), remapped)
    }

    /// The national form `0…`.
    public var description: String {
        let digits = String(significantNumber)
        return "0" + String(repeating: "0", count: max(0, Int(digitCount) - digits.count)) + digits
    }
}
