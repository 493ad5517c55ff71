/// Surnames and given names as the passports of each covered state write them in their visual zone (Latin letters,
/// the state's own romanization: Revised Romanization with hyphenated given names for Korea, Hanyu Pinyin for
/// China, Hepburn for Japan, ICAO's Cyrillic table for Russia, RTGS for Thailand), with the diacritics and
/// apostrophes the MRZ later drops. Common names only, so no entry identifies anyone.
struct ForeignNameTable: Sendable {
    let nationality: String
    let surnames: [String]
    let maleGivenNames: [String]
    let femaleGivenNames: [String]
    /// Relative share of this nationality among generated foreigners (roughly Vietnam's foreign-resident mix).
    let weight: Double
    /// Builds a passport number in the state's format from random draws.
    let passportNumber: @Sendable (inout SeededRandom) -> String
}

enum ForeignNames {
    static func digits(_ count: Int, _ random: inout SeededRandom) -> String {
        String((0..<count).map { _ in Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(random.below(10)))) })
    }

    static func letters(_ count: Int, from alphabet: String = "ABCDEFGHJKLMNPRSTUVWXYZ", _ random: inout SeededRandom) -> String {
        let letters = Array(alphabet)
        return String((0..<count).map { _ in letters[random.below(letters.count)] })
    }

    static let tables: [ForeignNameTable] = [
        ForeignNameTable(
            nationality: "KOR", surnames: ["KIM", "LEE", "PARK", "CHOI", "JUNG", "KANG", "CHO", "YOON", "JANG", "LIM"],
            maleGivenNames: ["MIN-JUN", "JI-HOO", "DO-YUN", "SEO-JUN", "HYUN-WOO", "JUNHO", "SUNGMIN"],
            femaleGivenNames: ["SEO-YEON", "HA-EUN", "JI-WOO", "SU-AH", "MINJI", "YUNA", "EUN-JI"], weight: 30,
            passportNumber: { random in "M" + ForeignNames.digits(8, &random) }),
        ForeignNameTable(
            nationality: "CHN", surnames: ["WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "ZHAO", "HUANG", "ZHOU", "WU"],
            maleGivenNames: ["WEI", "HAO", "JUN", "QIANG", "ZHIWEI", "JIANGUO", "YUXUAN"],
            femaleGivenNames: ["FANG", "XIUYING", "YAN", "MIN", "JING", "LI NA", "XINYI"], weight: 25,
            passportNumber: { random in random.chance(0.7) ? "E" + ForeignNames.digits(8, &random) : "E" + ForeignNames.letters(1, &random) + ForeignNames.digits(7, &random) }),
        ForeignNameTable(
            nationality: "JPN", surnames: ["SATO", "SUZUKI", "TAKAHASHI", "TANAKA", "WATANABE", "ITO", "YAMAMOTO", "NAKAMURA"],
            maleGivenNames: ["HIROSHI", "HARUTO", "KENJI", "TAKESHI", "SOTA", "RYOTA"],
            femaleGivenNames: ["YUKI", "SAKURA", "AOI", "HINA", "YUI", "MISAKI"], weight: 12,
            passportNumber: { random in ForeignNames.letters(2, from: "MTR", &random) + ForeignNames.digits(7, &random) }),
        ForeignNameTable(
            nationality: "USA", surnames: ["SMITH", "JOHNSON", "WILLIAMS", "BROWN", "O'CONNOR", "GARCIA", "MILLER", "DAVIS"],
            maleGivenNames: ["JAMES ROBERT", "MICHAEL", "JOHN PAUL", "DAVID", "WILLIAM HENRY", "DANIEL"],
            femaleGivenNames: ["MARY ELIZABETH", "JENNIFER", "SARAH ANNE", "EMILY", "JESSICA", "LINDA"], weight: 8,
            passportNumber: { random in random.chance(0.5) ? ForeignNames.digits(9, &random) : "A" + ForeignNames.digits(8, &random) }),
        ForeignNameTable(
            nationality: "FRA", surnames: ["MARTIN", "BERNARD", "DUBOIS", "LEFÈVRE", "GIRAUD", "D'ALMEIDA", "FRANÇOIS", "MOREAU"],
            maleGivenNames: ["JEAN-PIERRE", "FRANÇOIS", "LUC", "THÉO", "JÉRÔME", "NICOLAS"],
            femaleGivenNames: ["MARIE-CLAIRE", "HÉLÈNE", "CÉLINE", "CHLOÉ", "AMÉLIE", "ÉLODIE"], weight: 5,
            passportNumber: { random in ForeignNames.digits(2, &random) + ForeignNames.letters(2, &random) + ForeignNames.digits(5, &random) }),
        ForeignNameTable(
            nationality: "DEU", surnames: ["MÜLLER", "SCHMIDT", "SCHRÖDER", "KÖHLER", "GROẞMANN", "FISCHER", "WEIẞ", "BÄCKER"],
            maleGivenNames: ["JÜRGEN", "KLAUS", "SÖREN", "MAXIMILIAN", "LUKAS", "JÖRG"],
            femaleGivenNames: ["ANNA-LENA", "JULIA", "KÄTHE", "SOPHIE", "MARIE", "GRETA"], weight: 5,
            passportNumber: { random in ForeignNames.letters(1, from: "CFGHJK", &random) + ForeignNames.letters(8, from: "0123456789CFGHJKLMNPRTVWXYZ", &random) }),
        ForeignNameTable(
            nationality: "RUS", surnames: ["IVANOV", "SMIRNOV", "KUZNETSOV", "POPOVA", "SOKOLOVA", "VOLKOV", "MOROZOVA"],
            maleGivenNames: ["ALEKSANDR", "DMITRII", "SERGEI", "ANDREI", "MIKHAIL", "IURII"],
            femaleGivenNames: ["ELENA", "NATALIA", "OLGA", "TATIANA", "IULIIA", "ANASTASIIA"], weight: 5,
            passportNumber: { random in ForeignNames.digits(2, &random) + ForeignNames.digits(7, &random) }),
        ForeignNameTable(
            nationality: "THA", surnames: ["SRISUK", "CHAIYAPORN", "WONGSAWAT", "SAETANG", "BOONMA", "KAEWMANEE"],
            maleGivenNames: ["SOMCHAI", "NATTAPONG", "ANAN", "KITTISAK", "PRASERT"],
            femaleGivenNames: ["SUDARAT", "KANYA", "PORNTIP", "SIRIPORN", "WARAPORN"], weight: 4,
            passportNumber: { random in ForeignNames.letters(2, from: "ABC", &random) + ForeignNames.digits(7, &random) }),
        ForeignNameTable(
            nationality: "IND", surnames: ["SHARMA", "PATEL", "SINGH", "KUMAR", "REDDY", "IYER"],
            maleGivenNames: ["RAHUL", "AMIT", "VIKRAM", "ARJUN", "SURESH"],
            femaleGivenNames: ["PRIYA", "SUNITA", "ANJALI", "DIVYA", "LAKSHMI"], weight: 3,
            passportNumber: { random in ForeignNames.letters(1, &random) + ForeignNames.digits(7, &random) }),
        ForeignNameTable(
            nationality: "NOR", surnames: ["SØRENSEN", "HANSEN", "JOHANSEN", "ÅSHEIM", "LØVÅS"],
            maleGivenNames: ["BJØRN", "OLE", "HÅKON", "ESPEN"], femaleGivenNames: ["ÅSE", "INGRID", "SOLVEIG", "KJERSTI"],
            weight: 1.5, passportNumber: { random in ForeignNames.digits(8, &random) }),
        ForeignNameTable(
            nationality: "ESP", surnames: ["NÚÑEZ", "PEÑA", "GARCÍA", "MUÑOZ", "IBÁÑEZ"],
            maleGivenNames: ["JOSÉ LUIS", "ÍÑIGO", "ÁLVARO", "JAVIER"], femaleGivenNames: ["MARÍA JOSÉ", "LUCÍA", "ROCÍO", "INÉS"],
            weight: 1.5, passportNumber: { random in ForeignNames.letters(3, &random) + ForeignNames.digits(6, &random) }),
    ]
}

/// Deterministic synthetic foreign residents: the same seed gives the same records everywhere. Names from several
/// nationalities in their passports' romanization, passport numbers in each state's format (unique per nationality),
/// dates of birth of working-age adults, residence cards `TT` (temporary, most) or `TR` (permanent) with 8 digits,
/// permitted stays of one to three years of which about 10% have ended by the reference date.
public struct ForeignerGenerator: IteratorProtocol, Sequence {
    public let referenceDate: PartialDate
    private var random: SeededRandom
    private var used = Set<ForeignerKey>()
    private var cardSerial = 0
    private static let nationalities = WeightedTable(ForeignNames.tables.map { ($0, $0.weight) })

    public init(seed: UInt64, referenceDate: PartialDate = PartialDate(year: 2026, month: 1, day: 1)!) {
        self.random = SeededRandom(seed: seed ^ 0xF0_4E16_4E55)
        self.referenceDate = referenceDate
    }

    public mutating func next() -> ForeignerRecord? {
        let table = Self.nationalities.pick(&random)
        let nationality = Nationality(table.nationality)!
        var key: ForeignerKey
        repeat {
            key = ForeignerKey(nationality: nationality, passportNumber: PassportNumber(table.passportNumber(&random))!)
        } while !used.insert(key).inserted
        let sex: Sex = random.chance(0.5) ? .male : .female
        let reference = referenceDate.daysSinceEpoch
        let age = random.between(20...65)
        let birth = PartialDate(daysSinceEpoch: reference - age * 365 - random.below(365) - age / 4)
        let years = random.between(1...3)
        // Running on the reference date (it started less than its length before), unless ended on purpose below.
        let from = PartialDate(daysSinceEpoch: reference - random.below(years * 365 - 1))
        var until = PartialDate(daysSinceEpoch: from.daysSinceEpoch + years * 365 - 1)
        if random.chance(0.1) { until = PartialDate(daysSinceEpoch: reference - 1 - random.below(200)) }
        if until < from { until = from }
        cardSerial += 1
        let card = (random.chance(0.85) ? "TT" : "TR") + String(10_000_000 + (cardSerial * 7919) % 90_000_000)
        return ForeignerRecord(
            key: key, surname: random.pick(table.surnames),
            givenNames: random.pick(sex == .male ? table.maleGivenNames : table.femaleGivenNames), dateOfBirth: birth,
            sex: sex, residenceCardNumber: card, permittedFrom: from, permittedUntil: until)
    }
}
