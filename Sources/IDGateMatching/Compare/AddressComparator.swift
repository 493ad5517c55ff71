/// Compares addresses unit by unit from the province (the last comma-separated part) down (docs/MATCHING.md,
/// "Addresses"). Administrative-unit words and their abbreviations at the start of a unit (`Tỉnh`, `TP.`, `Quận`,
/// `P.`, …) are ignored, as is a trailing `Việt Nam`. Addresses written in the units before the 1 July 2025
/// reorganization on one side and after it on the other are compared through `AdministrativeUnits2025`.
@usableFromInline
enum AddressComparator {
    @usableFromInline
    static func compare(submitted: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer, thresholds: MatchThresholds)
        -> FieldResult
    {
        // The same bytes as stored: every unit agrees exactly; only the unit count (after prefixes and a trailing
        // country) decides between a match and nothing to compare, so one side is tokenized.
        if TokenizedText.sameBytes(submitted, stored) {
            let reasons = UTF8Decoding.containsInvisible(submitted) ? MatchReasons(.invisibleCharacters) : MatchReasons()
            // Two units with tokens (a separator with tokens on both sides) leave at least one after dropping a
            // trailing country; otherwise count the units properly.
            if let comma = stored.firstIndex(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") }),
                TokenizedText.hasTokens(UnsafeRawBufferPointer(rebasing: stored[..<comma])),
                TokenizedText.hasTokens(UnsafeRawBufferPointer(rebasing: stored[(comma + 1)...]))
            {
                return thresholds.result(reasons: reasons)
            }
            return TokenizedText.withTokens(of: stored, splitDigits: true) { held in
                Units.withUnits(of: held) { $0.count > 0 ? thresholds.result(reasons: reasons) : .different }
            }
        }
        return TokenizedText.withTokens(of: submitted, splitDigits: true) { given in
            TokenizedText.withTokens(of: stored, splitDigits: true) { held in
                Units.withUnits(of: given) { givenUnits in
                    Units.withUnits(of: held) { heldUnits in
                        var result = compare(givenUnits, heldUnits, thresholds: thresholds)
                        if given.hasInvisibleCharacters { result.reasons.insert(.invisibleCharacters) }
                        return result
                    }
                }
            }
        }
    }

    private static func compare(_ given: Units, _ held: Units, thresholds: MatchThresholds) -> FieldResult {
        let depth = min(given.count, held.count)
        var agreeing = 0
        var marks = MarkAgreement()
        while agreeing < depth {
            guard let unitMarks = given.compare(agreeing, with: held, agreeing) else { break }
            marks.formUnion(unitMarks)
            agreeing += 1
        }
        let deepest = max(given.count, held.count)
        if agreeing > 0 && agreeing == deepest { return thresholds.result(reasons: marks.reasons(submitted: given.text)) }
        // Not the same units: maybe the same place named by its units before and after the 2025 reorganization.
        if let renamed = AdministrativeUnits2025.shared.compare(
            given, held, agreeingAsWritten: agreeing, thresholds: thresholds)
        {
            return renamed
        }
        guard agreeing > 0 else { return .different }
        return partial(agreeing: agreeing, depth: depth, deepest: deepest, marks: marks, given: given)
    }

    /// The result when `agreeing` units (from the province down) agree out of `deepest`, `depth` being the
    /// shorter side's unit count.
    static func partial(agreeing: Int, depth: Int, deepest: Int, marks: MarkAgreement, given: Units) -> FieldResult {
        var reasons = marks.reasons(submitted: given.text)
        if agreeing == 1 {
            reasons.insert(.provinceOnly)
        } else {
            reasons.insert(agreeing == depth ? .lessSpecific : .differentValue)
        }
        return FieldResult(outcome: .partial, score: UInt8(100 * agreeing / deepest), reasons: reasons)
    }

    /// What a unit's type word says it is (a leading `Phường` is a commune, `Quận` a district), so an address can be
    /// read as old (district and commune) or new (commune only) when the names alone fit both.
    enum UnitKind: UInt8 {
        case unknown, commune, district, provinceOrDistrict
    }

    /// The units of an address as token ranges, without unit-type prefixes and without a trailing country.
    struct Units {
        typealias Range = (start: Int, end: Int)
        let text: TokenizedText
        /// Per unit, counted from the province: first and end token index (prefix words skipped).
        let ranges: UnsafeMutableBufferPointer<Range>
        /// Per unit, what its type word says.
        let kinds: UnsafeMutableBufferPointer<UnitKind>
        private(set) var count = 0

        /// Lends the units of `text`, kept on the stack.
        static func withUnits<R>(of text: TokenizedText, _ body: (Units) -> R) -> R {
            withScratchBuffer(of: Range.self, capacity: max(text.tokenCount, 1)) { storage in
                withScratchBuffer(of: UnitKind.self, capacity: max(text.tokenCount, 1)) { kinds in
                    var units = Units(text: text, ranges: storage, kinds: kinds)
                    units.fill()
                    return body(units)
                }
            }
        }

        private init(text: TokenizedText, ranges: UnsafeMutableBufferPointer<Range>, kinds: UnsafeMutableBufferPointer<UnitKind>) {
            self.text = text
            self.ranges = ranges
            self.kinds = kinds
        }

        private mutating func fill() {
            var end = text.tokenCount
            while end > 0 {
                let unit = text.tokens[end - 1].unit
                var start = end - 1
                while start > 0 && text.tokens[start - 1].unit == unit { start -= 1 }
                let unitStart = start
                let (length, kind) = Vocabulary.prefix(text, from: start, to: end)
                start += length
                if !(count == 0 && end == text.tokenCount && Vocabulary.isCountry(text, from: start, to: end)) {
                    ranges[count] = (start, end)
                    kinds[count] = kind
                    count += 1
                }
                end = unitStart
            }
        }

        /// The marks (case, diacritics) when unit `index` (0 = province) agrees with `other`'s unit `otherIndex`, nil
        /// when it differs.
        func compare(_ index: Int, with other: Units, _ otherIndex: Int) -> MarkAgreement? {
            let (a, b) = (ranges[index], other.ranges[otherIndex])
            guard a.end - a.start == b.end - b.start else {
                return Vocabulary.sameByAlias(text, a, other.text, b) ? MarkAgreement() : nil
            }
            var marks = MarkAgreement()
            for k in 0..<(a.end - a.start) {
                let x = text[token: a.start + k]
                let y = other.text[token: b.start + k]
                if let comparison = TokenComparison.compare(x, y, allowTypo: false) {
                    marks.add(comparison)
                } else if !TokenComparison.baseEqual(x, y) {
                    return Vocabulary.sameByAlias(text, a, other.text, b) ? MarkAgreement() : nil
                }
            }
            return marks
        }

        /// A hash of unit `index`'s letters without marks or case, numbers without leading zeros, words separated:
        /// `Phường 05` and `P. 5` give the key of `5`, `Hà Nội` and `HA NOI` that of `ha noi`. Aliases (`HCM`) are
        /// resolved by the caller.
        func key(_ index: Int) -> UInt64 {
            Vocabulary.nameKey(text, ranges[index])
        }
    }

    /// Unit-type words, abbreviations and aliases, in folded ASCII.
    ///
    /// Unit-type prefixes, longest first (`to dan pho` wins over `to`), matched as packed keys in `prefix`:
    /// `to dan pho`, `thanh pho`, `thi xa`, `thi tran`, `khu pho`, `dac khu`, `tinh`, `huyen`, `quan`, `xa`, `phuong`, `tp`,
    /// `tx`, `tt`, `kp`, `thon`, `ap`, `xom`, `so`, `duong`, `ngo`, `hem`, `to`, `q`, `p`, `h`, `x`, `t`.
    /// Countries (a whole trailing unit): `viet nam`, `vietnam`, `vn`.
    enum Vocabulary {
        /// Abbreviations of province names, compared as the full name.
        static let aliases: [(short: [StaticString], full: [StaticString])] = [
            (["hcm"], ["ho", "chi", "minh"]), (["tphcm"], ["ho", "chi", "minh"]), (["hn"], ["ha", "noi"]),
        ]

        static func matches(_ text: TokenizedText, from start: Int, _ words: [StaticString]) -> Bool {
            guard start + words.count <= text.tokenCount else { return false }
            for (offset, word) in words.enumerated() {
                let token = text[token: start + offset]
                guard token.count == word.utf8CodeUnitCount else { return false }
                for k in 0..<token.count where token[k].base != UInt32(word.utf8Start[k]) { return false }
            }
            return true
        }

        /// A token's base letters packed little-endian into a word (`"to"` = 0x6F74), or 0 when it cannot be one of
        /// the vocabulary's words (longer than 8 letters or not ASCII). The constants below are these keys.
        @inline(__always)
        static func key(_ text: TokenizedText, _ index: Int) -> UInt64 {
            let token = text[token: index]
            guard token.count <= 8 else { return 0 }
            var key: UInt64 = 0
            for k in 0..<token.count {
                let base = token[k].base
                guard base < 0x80 else { return 0 }
                key |= UInt64(base) << UInt64(8 * k)
            }
            return key
        }

        /// How many leading tokens of the unit are a unit-type word (never the whole unit), and what kind of unit the
        /// word names: the first of `prefixes` that matches, as keys.
        static func prefix(_ text: TokenizedText, from start: Int, to end: Int) -> (length: Int, kind: UnitKind) {
            let length = end - start
            guard length > 1 else { return (0, .unknown) }
            let first = key(text, start)
            if length > 3 && first == 0x6F74 /* to */ && key(text, start + 1) == 0x6E_6164 /* dan */
                && key(text, start + 2) == 0x6F_6870 /* pho */
            {
                return (3, .unknown)
            }
            if length > 2 {
                switch first {
                case 0x68_6E61_6874 /* thanh */:
                    if key(text, start + 1) == 0x6F_6870 /* pho */ { return (2, .provinceOrDistrict) }
                case 0x75_686B /* khu */:
                    if key(text, start + 1) == 0x6F_6870 /* pho */ { return (2, .unknown) }
                case 0x63_6164 /* dac */:
                    if key(text, start + 1) == 0x75_686B /* khu */ { return (2, .commune) }
                case 0x69_6874 /* thi */:
                    let second = key(text, start + 1)
                    if second == 0x6178 /* xa */ { return (2, .district) }
                    if second == 0x6E61_7274 /* tran */ { return (2, .commune) }
                default: break
                }
            }
            switch first {
            case 0x6178 /* xa */, 0x676E_6F75_6870 /* phuong */, 0x7474 /* tt */, 0x70 /* p */, 0x78 /* x */:
                return (1, .commune)
            case 0x6E_6579_7568 /* huyen */, 0x6E61_7571 /* quan */, 0x7874 /* tx */, 0x71 /* q */, 0x68 /* h */:
                return (1, .district)
            case 0x7074 /* tp */:
                return (1, .provinceOrDistrict)
            case 0x686E_6974 /* tinh */, 0x706B /* kp */, 0x6E6F_6874 /* thon */, 0x7061 /* ap */, 0x6D_6F78 /* xom */,
                0x6F73 /* so */, 0x67_6E6F_7564 /* duong */, 0x6F_676E /* ngo */, 0x6D_6568 /* hem */, 0x6F74 /* to */,
                0x74 /* t */:
                return (1, .unknown)
            default:
                return (0, .unknown)
            }
        }

        /// FNV-1a over the base letters of tokens `range`, a space between tokens, leading zeros of numbers skipped.
        static func nameKey(_ text: TokenizedText, _ range: (start: Int, end: Int)) -> UInt64 {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for index in range.start..<range.end {
                if index > range.start { hash = (hash ^ 0x20) &* 0x100_0000_01B3 }
                let token = text[token: index]
                var k = 0
                while k + 1 < token.count && token[k].base == UInt32(UInt8(ascii: "0")) { k += 1 }
                while k < token.count {
                    hash = (hash ^ UInt64(token[k].base)) &* 0x100_0000_01B3
                    k += 1
                }
            }
            return hash
        }

        /// `viet nam`, `vietnam` or `vn` (the whole unit).
        static func isCountry(_ text: TokenizedText, from start: Int, to end: Int) -> Bool {
            switch end - start {
            case 1:
                let word = key(text, start)
                return word == 0x6D_616E_7465_6976 /* vietnam */ || word == 0x6E76 /* vn */
            case 2:
                return key(text, start) == 0x7465_6976 /* viet */ && key(text, start + 1) == 0x6D_616E /* nam */
            default:
                return false
            }
        }

        static func sameByAlias(
            _ a: TokenizedText, _ ra: (start: Int, end: Int), _ b: TokenizedText, _ rb: (start: Int, end: Int)
        ) -> Bool {
            func canonical(_ t: TokenizedText, _ r: (start: Int, end: Int)) -> [StaticString]? {
                aliases.first { $0.short.count == r.end - r.start && matches(t, from: r.start, $0.short) }?.full
            }
            if let full = canonical(a, ra) {
                return (full.count == rb.end - rb.start && matches(b, from: rb.start, full))
                    || canonical(b, rb).map { $0.map(\.description) == full.map(\.description) } == true
            }
            if let full = canonical(b, rb) { return full.count == ra.end - ra.start && matches(a, from: ra.start, full) }
            return false
        }
    }
}
