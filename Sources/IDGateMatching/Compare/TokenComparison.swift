/// How two tokens (syllables or address words) relate, letter code by letter code.
struct TokenComparison {
    var caseDiffers = false
    var diacriticsDiffer = false
    var typo = false

    /// nil when the tokens are different words.
    static func compare(_ a: UnsafeBufferPointer<LetterCode>, _ b: UnsafeBufferPointer<LetterCode>, allowTypo: Bool)
        -> TokenComparison?
    {
        if a.count == b.count {
            var result = TokenComparison()
            var sameBase = true
            for i in 0..<a.count {
                let x = a[i].raw
                let y = b[i].raw
                if x == y { continue }
                if (x ^ y) & LetterCode.baseMask != 0 {
                    sameBase = false
                    break
                }
                if (x ^ y) & LetterCode.accentedMask != 0 { result.diacriticsDiffer = true } else { result.caseDiffers = true }
            }
            if sameBase { return result }
        }
        guard allowTypo, withinOneEdit(a, b) else { return nil }
        return TokenComparison(typo: true)
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
