/// How two tokens (syllables or address words) relate, letter code by letter code. The first token is the submitted
/// one: how marks differ depends on which side carries them.
struct TokenComparison {
    var caseDiffers = false
    /// Same letters and tone, the tone on the other vowel of `oa`/`oe`/`uy` (`hòa`/`hoà`).
    var toneMarkPlacement = false
    /// The submitted token has no marks, the stored one has (`Nguyen`/`Nguyễn`).
    var marksMissing = false
    /// The submitted token has marks and they differ from the stored ones (`Tân`/`Tấn`, `Hùng`/`Hưng`).
    var marksDiffer = false
    var typo = false

    /// nil when the tokens are different words.
    static func compare(_ a: UnsafeBufferPointer<LetterCode>, _ b: UnsafeBufferPointer<LetterCode>, allowTypo: Bool)
        -> TokenComparison?
    {
        if a.count == b.count {
            var result = TokenComparison()
            var sameBase = true
            var marksDiffer = false
            // The submitted letters' marks, OR-ed: none at all (typed without diacritics) settles how marks differ
            // without a second pass.
            var submittedMarks: UInt32 = 0
            for i in 0..<a.count {
                let x = a[i].raw
                let y = b[i].raw
                submittedMarks |= x
                if x == y { continue }
                if (x ^ y) & LetterCode.baseMask != 0 {
                    sameBase = false
                    break
                }
                if (x ^ y) & LetterCode.accentedMask != 0 { marksDiffer = true } else { result.caseDiffers = true }
            }
            if sameBase {
                if marksDiffer {
                    if submittedMarks & LetterCode.marksMask == 0 {
                        // No marks on the submitted side: no tone to have moved (`toneMoved` needs one on each side).
                        result.marksMissing = true
                    } else {
                        result.classifyMarks(submitted: a, stored: b)
                    }
                }
                return result
            }
        }
        guard allowTypo, withinOneEdit(a, b) else { return nil }
        return TokenComparison(typo: true)
    }

    /// Tokens with the same letters whose marks differ: a moved tone mark, marks left out, or other marks.
    private mutating func classifyMarks(submitted a: UnsafeBufferPointer<LetterCode>, stored b: UnsafeBufferPointer<LetterCode>) {
        if Self.toneMoved(a, b) {
            toneMarkPlacement = true
        } else if a.allSatisfy({ $0.raw & LetterCode.marksMask == 0 }) {
            marksMissing = true
        } else {
            marksDiffer = true
        }
    }

    /// The same modifiers everywhere and one tone mark on each side, the same tone, on the two vowels of `oa`, `oe`
    /// or `uy` (neither with a modifier): the old (`hòa`, `khỏe`, `thúy`) and new (`hoà`, `khoẻ`, `thuý`) placements.
    private static func toneMoved(_ a: UnsafeBufferPointer<LetterCode>, _ b: UnsafeBufferPointer<LetterCode>) -> Bool {
        var toneA = -1
        var toneB = -1
        for i in 0..<a.count {
            let x = a[i].raw
            let y = b[i].raw
            if (x ^ y) & LetterCode.modifierMask != 0 { return false }
            if x & LetterCode.toneMask != 0 {
                guard toneA < 0 else { return false }
                toneA = i
            }
            if y & LetterCode.toneMask != 0 {
                guard toneB < 0 else { return false }
                toneB = i
            }
        }
        guard toneA >= 0, toneB >= 0, abs(toneA - toneB) == 1,
            a[toneA].raw & LetterCode.toneMask == b[toneB].raw & LetterCode.toneMask
        else { return false }
        let first = min(toneA, toneB)
        guard a[first].raw & LetterCode.modifierMask == 0, a[first + 1].raw & LetterCode.modifierMask == 0 else {
            return false
        }
        switch (a[first].base, a[first + 1].base) {
        case (0x6F, 0x61), (0x6F, 0x65), (0x75, 0x79): return true  // oa, oe, uy
        default: return false
        }
    }

    /// One insertion, deletion, substitution or transposition of adjacent letters (ignoring marks and case), not in
    /// the first letter, in tokens of at least 3 letters: `Nguyen`/`Nguyn`, `Thanh`/`Thnah`, but not `Minh`/`Linh`.
    static func withinOneEdit(_ a: UnsafeBufferPointer<LetterCode>, _ b: UnsafeBufferPointer<LetterCode>) -> Bool {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        guard long.count - short.count <= 1, long.count >= 3, short.count >= 1, short[0].base == long[0].base else {
            return false
        }
        var i = 1
        while i < short.count && short[i].base == long[i].base { i += 1 }
        func tailsEqual(_ from: Int, _ offset: Int) -> Bool {
            var k = from
            while k < short.count {
                if short[k].base != long[k + offset].base { return false }
                k += 1
            }
            return true
        }
        if short.count == long.count {
            if i == short.count { return true }
            if tailsEqual(i + 1, 0) { return true }  // substitution
            return i + 1 < short.count && short[i].base == long[i + 1].base && short[i + 1].base == long[i].base
                && tailsEqual(i + 2, 0)  // transposition
        }
        return tailsEqual(i, 1)  // one letter inserted in the longer token at i
    }

    /// Same letters ignoring marks and case, with leading zeros of numbers ignored (`01` = `1`).
    static func baseEqual(_ a: UnsafeBufferPointer<LetterCode>, _ b: UnsafeBufferPointer<LetterCode>) -> Bool {
        func withoutLeadingZeros(_ t: UnsafeBufferPointer<LetterCode>) -> UnsafeBufferPointer<LetterCode> {
            var start = 0
            while start + 1 < t.count && t[start].base == UInt32(UInt8(ascii: "0")) { start += 1 }
            return UnsafeBufferPointer(rebasing: t[start...])
        }
        let x = withoutLeadingZeros(a)
        let y = withoutLeadingZeros(b)
        guard x.count == y.count else { return false }
        for i in 0..<x.count where x[i].base != y[i].base { return false }
        return true
    }
}

/// The case and diacritics reasons of a whole value, gathered over its tokens' comparisons.
///
/// Whether marks that differ are `no_diacritics` or `diacritics_differ` depends on the submitted value as a whole:
/// typed without any diacritics, the difference says nothing about the spelling; typed with them, a difference
/// names another spelling (`Tân` is not `Tấn`), even where one syllable was left without.
struct MarkAgreement {
    var caseDiffers = false
    var toneMarkPlacement = false
    var marksMissing = false
    var marksDiffer = false

    mutating func add(_ comparison: TokenComparison) {
        caseDiffers = caseDiffers || comparison.caseDiffers
        toneMarkPlacement = toneMarkPlacement || comparison.toneMarkPlacement
        marksMissing = marksMissing || comparison.marksMissing
        marksDiffer = marksDiffer || comparison.marksDiffer
    }

    mutating func formUnion(_ other: MarkAgreement) {
        caseDiffers = caseDiffers || other.caseDiffers
        toneMarkPlacement = toneMarkPlacement || other.toneMarkPlacement
        marksMissing = marksMissing || other.marksMissing
        marksDiffer = marksDiffer || other.marksDiffer
    }

    /// The reasons, `invisible_characters` included when the submitted text had any.
    func reasons(submitted: TokenizedText) -> MatchReasons {
        var reasons = MatchReasons()
        if caseDiffers { reasons.insert(.caseDiffers) }
        if toneMarkPlacement { reasons.insert(.toneMarkPlacement) }
        if marksDiffer || marksMissing {
            reasons.insert(marksDiffer || submitted.carriesDiacritics ? .diacriticsDiffer : .noDiacritics)
        }
        if submitted.hasInvisibleCharacters { reasons.insert(.invisibleCharacters) }
        return reasons
    }
}
