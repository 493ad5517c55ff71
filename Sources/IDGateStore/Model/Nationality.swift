/// A nationality (or issuing authority) as ICAO Doc 9303 writes it: a three-letter code, or Germany's `D`.
///
/// Source of the table (copied into the repository; no file outside it is read): ICAO Doc 9303 *Machine Readable
/// Travel Documents*, 8th edition (2021), Part 3, section 5 "Three-letter codes" — the ISO 3166-1 alpha-3 country
/// codes (249, as of ISO 3166-1:2020) plus the codes ICAO adds: `D` (Germany, written `D<<` in the MRZ), the British
/// nationality classes `GBD`, `GBN`, `GBO`, `GBP`, `GBS`, the United Nations `UNO`, `UNA`, `UNK` (Kosovo, documents
/// issued by UNMIK), the European Union `EUE`, the organizations `XBA`, `XIM`, `XCC`, `XCE`, `XCO`, `XEC`, `XPO`,
/// `XES`, `XMP`, `XOM`, `XDC`, and the persons without a nationality `XXA` (stateless), `XXB` (refugee, 1951
/// Convention), `XXC` (refugee, other), `XXX` (unspecified). `RKS` (Kosovo, used in Kosovo's own passports and
/// accepted by most readers) is included too. Germany's `D` and the ISO `DEU` name one state: both are accepted
/// and stored as `DEU`, so the same passport is one key whichever the caller writes.
///
/// Stored packed in a `UInt32` (three ASCII letters), so the key of a foreign resident is fixed-size arithmetic.
public struct Nationality: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The three ASCII letters, first letter in the most significant of the low three bytes.
    public let packed: UInt32

    /// The canonical three-letter code (`DEU` for `D`).
    public var code: String {
        String(decoding: [UInt8(truncatingIfNeeded: packed >> 16), UInt8(truncatingIfNeeded: packed >> 8),
                          UInt8(truncatingIfNeeded: packed)], as: UTF8.self)
    }
    public var description: String { code }

    /// Looks a code up in the ICAO table (upper case only, as documents write it); nil for an unknown code.
    public init?(code bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 1 || bytes.count == 3 else { return nil }
        if bytes.count == 1 {
            guard bytes[0] == UInt8(ascii: "D") else { return nil }
            self.packed = Nationality.pack("DEU")
            return
        }
        let packed = UInt32(bytes[0]) << 16 | UInt32(bytes[1]) << 8 | UInt32(bytes[2])
        guard Nationality.known.contains(packed) else { return nil }
        self.packed = packed
    }

    public init?(_ code: String) {
        var text = code
        guard let found = text.withUTF8({ Nationality(code: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = found
    }

    public static func < (lhs: Nationality, rhs: Nationality) -> Bool { lhs.packed < rhs.packed }

    private static func pack(_ code: StaticString) -> UInt32 {
        let p = code.utf8Start
        return UInt32(p[0]) << 16 | UInt32(p[1]) << 8 | UInt32(p[2])
    }

    /// Every code of the table, packed.
    static let known: Set<UInt32> = Set((isoCodes + icaoCodes).map { code in
        let bytes = Array(code.utf8)
        return UInt32(bytes[0]) << 16 | UInt32(bytes[1]) << 8 | UInt32(bytes[2])
    })

    /// ISO 3166-1 alpha-3 (ICAO Doc 9303 Part 3, section 5, table of states and territories).
    static let isoCodes: [String] = [
        "AFG", "ALA", "ALB", "DZA", "ASM", "AND", "AGO", "AIA", "ATA", "ATG", "ARG", "ARM", "ABW", "AUS", "AUT",
        "AZE", "BHS", "BHR", "BGD", "BRB", "BLR", "BEL", "BLZ", "BEN", "BMU", "BTN", "BOL", "BES", "BIH", "BWA",
        "BVT", "BRA", "IOT", "BRN", "BGR", "BFA", "BDI", "CPV", "KHM", "CMR", "CAN", "CYM", "CAF", "TCD", "CHL",
        "CHN", "CXR", "CCK", "COL", "COM", "COG", "COD", "COK", "CRI", "CIV", "HRV", "CUB", "CUW", "CYP", "CZE",
        "DNK", "DJI", "DMA", "DOM", "ECU", "EGY", "SLV", "GNQ", "ERI", "EST", "SWZ", "ETH", "FLK", "FRO", "FJI",
        "FIN", "FRA", "GUF", "PYF", "ATF", "GAB", "GMB", "GEO", "DEU", "GHA", "GIB", "GRC", "GRL", "GRD", "GLP",
        "GUM", "GTM", "GGY", "GIN", "GNB", "GUY", "HTI", "HMD", "VAT", "HND", "HKG", "HUN", "ISL", "IND", "IDN",
        "IRN", "IRQ", "IRL", "IMN", "ISR", "ITA", "JAM", "JPN", "JEY", "JOR", "KAZ", "KEN", "KIR", "PRK", "KOR",
        "KWT", "KGZ", "LAO", "LVA", "LBN", "LSO", "LBR", "LBY", "LIE", "LTU", "LUX", "MAC", "MDG", "MWI", "MYS",
        "MDV", "MLI", "MLT", "MHL", "MTQ", "MRT", "MUS", "MYT", "MEX", "FSM", "MDA", "MCO", "MNG", "MNE", "MSR",
        "MAR", "MOZ", "MMR", "NAM", "NRU", "NPL", "NLD", "NCL", "NZL", "NIC", "NER", "NGA", "NIU", "NFK", "MKD",
        "MNP", "NOR", "OMN", "PAK", "PLW", "PSE", "PAN", "PNG", "PRY", "PER", "PHL", "PCN", "POL", "PRT", "PRI",
        "QAT", "REU", "ROU", "RUS", "RWA", "BLM", "SHN", "KNA", "LCA", "MAF", "SPM", "VCT", "WSM", "SMR", "STP",
        "SAU", "SEN", "SRB", "SYC", "SLE", "SGP", "SXM", "SVK", "SVN", "SLB", "SOM", "ZAF", "SGS", "SSD", "ESP",
        "LKA", "SDN", "SUR", "SJM", "SWE", "CHE", "SYR", "TWN", "TJK", "TZA", "THA", "TLS", "TGO", "TKL", "TON",
        "TTO", "TUN", "TUR", "TKM", "TCA", "TUV", "UGA", "UKR", "ARE", "GBR", "USA", "UMI", "URY", "UZB", "VUT",
        "VEN", "VNM", "VGB", "VIR", "WLF", "ESH", "YEM", "ZMB", "ZWE"
    ]

    /// The codes ICAO Doc 9303 Part 3 adds to ISO 3166-1 (`D` is handled apart: it is one letter), and `RKS`.
    static let icaoCodes: [String] = [
        "GBD", "GBN", "GBO", "GBP", "GBS", "UNO", "UNA", "UNK", "EUE", "XBA", "XIM", "XCC", "XCE", "XCO", "XEC",
        "XPO", "XES", "XMP", "XOM", "XDC", "XXA", "XXB", "XXC", "XXX", "RKS",
    ]
}
