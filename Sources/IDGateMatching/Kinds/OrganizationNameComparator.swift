/// Compares organization names (docs/MATCHING.md, "Organization names"): the Vietnamese legal name or the English
/// trade name, written with the legal form spelled out, abbreviated or left out.
///
/// Each side is split into its legal form and its distinctive words. Legal forms are recognised in every usual
/// spelling, with or without diacritics and in any case: `Công ty trách nhiệm hữu hạn` = `Công ty TNHH` = `Cty TNHH` =
/// `TNHH` = `Company Limited` = `Co., Ltd`; `Công ty cổ phần` = `Công ty CP` = `CTCP` = `Joint Stock Company` =
/// `JSC`; `Doanh nghiệp tư nhân` = `DNTN` = `Private Enterprise`; `Một thành viên` = `1TV` = `MTV` = `One Member` marks
/// a single-member limited company. A bare `Công ty` / `Cty` / `Company` is no form. The distinctive words are
/// compared like a person's name, in order (case, diacritics, one typo per word, one missing word of three or
/// more); `và`, `and` and `&` are ignored. Different legal forms are a `mismatch`; a form given on one side only,
/// or a limited company without its single-member mark, is `less_specific` (partial).
enum OrganizationNameComparator {
    enum LegalForm: UInt8 {
        case limited, singleMemberLimited, jointStock, privateEnterprise
    }

    /// Phrases by legal form, longest first within each, as base letters (no marks, lower case).
    private static let phrases: [(words: [String], form: LegalForm?, singleMember: Bool)] = {
        let limited: [[String]] = [
            ["cong", "ty", "trach", "nhiem", "huu", "han"], ["trach", "nhiem", "huu", "han"], ["cong", "ty", "tnhh"],
            ["cty", "tnhh"], ["tnhh"], ["company", "limited"], ["limited", "company"], ["limited", "liability", "company"],
            ["co", "ltd"], ["ltd"], ["llc"],
        ]
        let jointStock: [[String]] = [
            ["cong", "ty", "co", "phan"], ["cong", "ty", "cp"], ["cty", "co", "phan"], ["cty", "cp"], ["ctcp"],
            ["joint", "stock", "company"], ["joint", "stock", "co"], ["jsc"], ["corporation"], ["corp"],
        ]
        let privateEnterprise: [[String]] = [["doanh", "nghiep", "tu", "nhan"], ["dntn"], ["private", "enterprise"]]
        let singleMember: [[String]] = [["mot", "thanh", "vien"], ["1", "thanh", "vien"], ["1tv"], ["mtv"], ["one", "member"], ["single", "member"]]
        let twoMembers: [[String]] = [["hai", "thanh", "vien", "tro", "len"], ["2", "thanh", "vien", "tro", "len"], ["2tv"]]
        let generic: [[String]] = [["cong", "ty"], ["cty"], ["company"]]
        var all: [(words: [String], form: LegalForm?, singleMember: Bool)] = []
        all += limited.map { ($0, .limited, false) }
        all += jointStock.map { ($0, .jointStock, false) }
        all += privateEnterprise.map { ($0, .privateEnterprise, false) }
        all += singleMember.map { ($0, nil, true) }
        all += twoMembers.map { ($0, .limited, false) }
        all += generic.map { ($0, nil, false) }
        return all.sorted { $0.words.count > $1.words.count }
    }()
    private static let ignoredWords: Set<String> = ["va", "and"]

    /// A name split into its legal form and the indices of its distinctive tokens.
    struct Parsed {
        var form: LegalForm?
        var words: [Int]
    }

    static func parse(_ text: TokenizedText) -> Parsed {
        let bases: [String] = (0..<text.tokenCount).map { index in
            String(decoding: text[token: index].map { letter -> UInt8 in
                let base = letter.base
                return base < 0x80 ? UInt8(base) : 0xFF
            }, as: UTF8.self)
        }
        var form: LegalForm?
        var singleMember = false
        var consumed = [Bool](repeating: false, count: bases.count)
        for phrase in phrases {
            var start = 0
            while start + phrase.words.count <= bases.count {
                let range = start..<(start + phrase.words.count)
                if !consumed[range].contains(true), Array(bases[range]) == phrase.words {
                    for index in range { consumed[index] = true }
                    if let found = phrase.form, form == nil { form = found }
                    if phrase.singleMember { singleMember = true }
                    start = range.upperBound
                } else {
                    start += 1
                }
            }
        }
        if singleMember && (form == nil || form == .limited) { form = .singleMemberLimited }
        let words = bases.indices.filter { !consumed[$0] && !ignoredWords.contains(bases[$0]) }
        return Parsed(form: form, words: words)
    }

    static func compare(
        submitted: UnsafeRawBufferPointer, legalName: UnsafeRawBufferPointer, tradeName: UnsafeRawBufferPointer?,
        thresholds: MatchThresholds
    ) -> FieldResult {
        var best = compare(submitted: submitted, stored: legalName, thresholds: thresholds)
        if best.outcome != .match || best.score < 100, let tradeName {
            let other = compare(submitted: submitted, stored: tradeName, thresholds: thresholds)
            if other.score > best.score || (best.outcome == .mismatch && other.outcome != .mismatch) { best = other }
        }
        return best
    }

    static func compare(submitted: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer, thresholds: MatchThresholds)
        -> FieldResult
    {
        if TokenizedText.sameBytes(submitted, stored) {
            return TokenizedText.hasTokens(submitted) ? thresholds.result(reasons: []) : .different
        }
        return TokenizedText.withTokens(of: submitted, splitDigits: false) { given in
            TokenizedText.withTokens(of: stored, splitDigits: false) { held in
                var result = compare(given, parse(given), held, parse(held), thresholds: thresholds)
                if given.hasInvisibleCharacters { result.reasons.insert(.invisibleCharacters) }
                return result
            }
        }
    }

    private static func compare(
        _ given: TokenizedText, _ givenName: Parsed, _ held: TokenizedText, _ heldName: Parsed, thresholds: MatchThresholds
    ) -> FieldResult {
        let n = givenName.words.count
        let m = heldName.words.count
        guard n > 0, m > 0 else { return .different }
        var lessSpecific = false
        switch (givenName.form, heldName.form) {
        case (nil, nil): break
        case (nil, _), (_, nil): lessSpecific = true
        case (let a?, let b?) where a == b: break
        case (.limited?, .singleMemberLimited?), (.singleMemberLimited?, .limited?): lessSpecific = true
        default: return .different
        }
        func inOrder(skippingGiven: Int = -1, skippingHeld: Int = -1) -> (MarkAgreement, Int)? {
            var marks = MarkAgreement()
            var typos = 0
            var i = 0
            var j = 0
            while i < n || j < m {
                if i == skippingGiven { i += 1; continue }
                if j == skippingHeld { j += 1; continue }
                guard i < n, j < m,
                    let comparison = TokenComparison.compare(
                        given[token: givenName.words[i]], held[token: heldName.words[j]], allowTypo: true)
                else { return nil }
                marks.add(comparison)
                if comparison.typo { typos += 1 }
                i += 1
                j += 1
            }
            return (marks, typos)
        }
        var agreement: (marks: MarkAgreement, typos: Int, missing: Bool)?
        if n == m, let found = inOrder() { agreement = (found.0, found.1, false) }
        if agreement == nil, abs(n - m) == 1, max(n, m) >= 3 {
            for skipped in 0..<max(n, m) {
                if let found = n > m ? inOrder(skippingGiven: skipped) : inOrder(skippingHeld: skipped) {
                    agreement = (found.0, found.1, true)
                    break
                }
            }
        }
        guard let agreement else { return .different }
        var reasons = agreement.marks.reasons(submitted: given)
        if agreement.typos > 0 { reasons.insert(.typo) }
        if agreement.missing { reasons.insert(.missingToken) }
        var result = thresholds.result(reasons: reasons, typos: agreement.typos)
        if lessSpecific {
            result.reasons.insert(.lessSpecific)
            result.score = min(result.score, 80)
            if result.outcome == .match { result.outcome = .partial }
        }
        return result
    }
}
