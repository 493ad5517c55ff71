/// Compares full names syllable by syllable (docs/MATCHING.md, "Full name").
///
/// Tried in turn: the same syllables in the same order; the same with one middle syllable missing on either side
/// (`missing_token`); the same syllables in another order (`token_order_differs`). Within each, a syllable may
/// differ in case, diacritics or by one typo. Anything else, a different family or given name included, is a
/// `mismatch` with `different_value`.
@usableFromInline
enum NameComparator {
    @usableFromInline
    static func compare(submitted: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer, thresholds: MatchThresholds)
        -> FieldResult
    {
        // The same bytes as stored (the common case): every syllable agrees exactly, no need to fold either side.
        if TokenizedText.sameBytes(submitted, stored) {
            guard TokenizedText.hasTokens(submitted) else { return .different }
            let invisible = UTF8Decoding.containsInvisible(submitted)
            return thresholds.result(reasons: invisible ? MatchReasons(.invisibleCharacters) : MatchReasons())
        }
        return TokenizedText.withTokens(of: submitted, splitDigits: false) { given in
            TokenizedText.withTokens(of: stored, splitDigits: false) { held in
                var result = compare(given, held, thresholds: thresholds)
                // Invisible characters are named even when the names differ anyway.
                if given.hasInvisibleCharacters { result.reasons.insert(.invisibleCharacters) }
                return result
            }
        }
    }

    private struct Agreement {
        var marks = MarkAgreement()
        var typos = 0

        mutating func add(_ comparison: TokenComparison) {
            marks.add(comparison)
            if comparison.typo { typos += 1 }
        }

        func reasons(submitted: TokenizedText) -> MatchReasons {
            var reasons = marks.reasons(submitted: submitted)
            if typos > 0 { reasons.insert(.typo) }
            return reasons
        }
    }

    private static func compare(_ given: TokenizedText, _ held: TokenizedText, thresholds: MatchThresholds)
        -> FieldResult
    {
        let n = given.tokenCount
        let m = held.tokenCount
        guard n > 0, m > 0 else { return .different }

        func inOrder(skippingGiven: Int = -1, skippingHeld: Int = -1) -> Agreement? {
            var agreement = Agreement()
            var i = 0
            var j = 0
            while i < n || j < m {
                if i == skippingGiven { i += 1; continue }
                if j == skippingHeld { j += 1; continue }
                guard i < n, j < m,
                    let comparison = TokenComparison.compare(given[token: i], held[token: j], allowTypo: true)
                else { return nil }
                agreement.add(comparison)
                i += 1
                j += 1
            }
            return agreement
        }

        if n == m, let agreement = inOrder() {
            return thresholds.result(reasons: agreement.reasons(submitted: given), typos: agreement.typos)
        }
        if abs(n - m) == 1 && max(n, m) >= 3 {
            for middle in 1..<(max(n, m) - 1) {
                if let agreement = n > m ? inOrder(skippingGiven: middle) : inOrder(skippingHeld: middle) {
                    var reasons = agreement.reasons(submitted: given)
                    reasons.insert(.missingToken)
                    return thresholds.result(reasons: reasons, typos: agreement.typos)
                }
            }
        }
        if n == m && n <= 64, let agreement = reordered(given, held) {
            var reasons = agreement.reasons(submitted: given)
            reasons.insert(.tokenOrderDiffers)
            return thresholds.result(reasons: reasons, typos: agreement.typos)
        }
        return .different
    }

    /// Pairs every submitted syllable with a distinct stored one regardless of order, preferring pairs without a typo.
    private static func reordered(_ given: TokenizedText, _ held: TokenizedText) -> Agreement? {
        var agreement = Agreement()
        var used: UInt64 = 0
        for i in 0..<given.tokenCount {
            var typoCandidate = -1
            var found = -1
            for j in 0..<held.tokenCount where used & (1 << UInt64(j)) == 0 {
                guard let comparison = TokenComparison.compare(given[token: i], held[token: j], allowTypo: true)
                else { continue }
                if comparison.typo {
                    if typoCandidate < 0 { typoCandidate = j }
                } else {
                    found = j
                    agreement.add(comparison)
                    break
                }
            }
            if found < 0 {
                guard typoCandidate >= 0 else { return nil }
                found = typoCandidate
                agreement.add(TokenComparison(typo: true))
            }
            used |= 1 << UInt64(found)
        }
        return agreement
    }
}
