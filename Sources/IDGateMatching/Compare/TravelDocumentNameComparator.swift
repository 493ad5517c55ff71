/// Compares a submitted full name with a foreign resident's surname and given names as a travel document writes
/// them (docs/MATCHING.md, "Foreign residents").
///
/// Tried in turn, first with the surname first, then with the given names first (`name_order_swapped`): the same
/// text; the same apart from case and spacing (`case_differs`); the same apart from apostrophes, hyphens and
/// periods (`punctuation_differs`); the same in MRZ letters, in either of ICAO's transliterations
/// (`transliterated`); the same MRZ letters with the spaces between words moved (`punctuation_differs`). Failing
/// those, the MRZ letters of both sides go through the citizens' `NameComparator` (a missing middle name, one typo
/// per word, another order), so foreigners get the same tolerance as citizens and nothing more.
///
/// Strings are built here (unlike the citizens' allocation-free path): passport-keyed requests are a small share of
/// the traffic and their names are short.
enum TravelDocumentNameComparator {
    static func compare(
        submitted: UnsafeRawBufferPointer, surname: UnsafeRawBufferPointer, givenNames: UnsafeRawBufferPointer,
        thresholds: MatchThresholds
    ) -> FieldResult {
        // The name exactly as stored, surname first (the common case): answered without building any string.
        if isSurnameFirst(submitted, surname: surname, givenNames: givenNames),
            surname.contains(where: { $0 != UInt8(ascii: " ") })
        {
            return .exact
        }
        let given = String(decoding: submitted, as: UTF8.self)
        let surnameText = String(decoding: surname, as: UTF8.self)
        let givenText = String(decoding: givenNames, as: UTF8.self)
        guard !MRZTransliteration.transliterate(given, form: .simple).isEmpty else { return .different }
        let hasGivenNames = !MRZTransliteration.transliterate(givenText, form: .simple).isEmpty
        let surnameFirst = hasGivenNames ? surnameText + " " + givenText : surnameText
        let givenFirst = givenText + " " + surnameText
        if let reasons = agreement(given, surnameFirst) { return thresholds.result(reasons: reasons) }
        if hasGivenNames, var reasons = agreement(given, givenFirst) {
            reasons.insert(.nameOrderSwapped)
            return thresholds.result(reasons: reasons)
        }
        // Word by word on the MRZ letters (either transliteration): a missing middle name, a typo, another order.
        func tolerant(_ stored: String) -> FieldResult {
            var best = FieldResult.different
            for form in [MRZTransliteration.Form.recommended, .simple] {
                let submittedLetters = Array(MRZTransliteration.transliterate(given, form: form).utf8)
                let storedLetters = Array(MRZTransliteration.transliterate(stored, form: form).utf8)
                let result = submittedLetters.withUnsafeBytes { a in
                    storedLetters.withUnsafeBytes { b in NameComparator.compare(submitted: a, stored: b, thresholds: thresholds) }
                }
                if result.outcome != .mismatch && (best.outcome == .mismatch || result.score > best.score) { best = result }
            }
            return best
        }
        var best = tolerant(surnameFirst)
        if hasGivenNames {
            var swapped = tolerant(givenFirst)
            if swapped.outcome != .mismatch {
                swapped.reasons.insert(.nameOrderSwapped)
                if swapped.score > best.score || best.outcome == .mismatch { best = swapped }
            }
        }
        if best.outcome != .mismatch, !isASCII(given) || !isASCII(surnameFirst) { best.reasons.insert(.transliterated) }
        return best
    }

    /// `submitted` is byte for byte `surname givenNames` (or `surname` alone without given names).
    static func isSurnameFirst(
        _ submitted: UnsafeRawBufferPointer, surname: UnsafeRawBufferPointer, givenNames: UnsafeRawBufferPointer
    ) -> Bool {
        if givenNames.isEmpty { return TokenizedText.sameBytes(submitted, surname) }
        guard submitted.count == surname.count + 1 + givenNames.count,
            submitted[surname.count] == UInt8(ascii: " ")
        else { return false }
        return TokenizedText.sameBytes(UnsafeRawBufferPointer(rebasing: submitted[..<surname.count]), surname)
            && TokenizedText.sameBytes(UnsafeRawBufferPointer(rebasing: submitted[(surname.count + 1)...]), givenNames)
    }

    /// The reasons two names written in the same order agree despite; nil when they do not agree that way.
    static func agreement(_ submitted: String, _ stored: String) -> MatchReasons? {
        if submitted == stored { return [] }
        let spacedSubmitted = collapsingSpaces(submitted)
        let spacedStored = collapsingSpaces(stored)
        if spacedSubmitted == spacedStored { return [] }
        let upperSubmitted = spacedSubmitted.uppercased()
        let upperStored = spacedStored.uppercased()
        if upperSubmitted == upperStored { return [.caseDiffers] }
        if withoutPunctuation(upperSubmitted) == withoutPunctuation(upperStored) { return [.punctuationDiffers] }
        let punctuationDiffers = punctuation(upperSubmitted) != punctuation(upperStored)
        var reasons: MatchReasons = punctuationDiffers ? [.transliterated, .punctuationDiffers] : [.transliterated]
        let recommended = (
            MRZTransliteration.transliterate(submitted, form: .recommended),
            MRZTransliteration.transliterate(stored, form: .recommended)
        )
        let simple = (
            MRZTransliteration.transliterate(submitted, form: .simple),
            MRZTransliteration.transliterate(stored, form: .simple)
        )
        if recommended.0 == recommended.1 || simple.0 == simple.1 { return reasons }
        func joined(_ text: String) -> String { text.replacingSpaces() }
        if joined(recommended.0) == joined(recommended.1) || joined(simple.0) == joined(simple.1) {
            reasons.insert(.punctuationDiffers)
            if isASCII(upperSubmitted) && isASCII(upperStored) { reasons.remove(.transliterated) }
            return reasons
        }
        return nil
    }

    static func isASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    /// Apostrophes, periods and hyphens as MRZ writes them (dropped, or a filler), case kept.
    static func withoutPunctuation(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "'", "\u{2019}", "\u{02BC}", "`", ".": continue
            case "-", "\u{2010}", "\u{2011}", ",": out.unicodeScalars.append(" ")
            default: out.unicodeScalars.append(scalar)
            }
        }
        return collapsingSpaces(out)
    }

    /// The punctuation marks of a name, in order.
    static func punctuation(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.filter { "'\u{2019}\u{02BC}`.-\u{2010}\u{2011},".unicodeScalars.contains($0) }
    }

    static func collapsingSpaces(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{A0}" }).joined(separator: " ")
    }
}

extension String {
    fileprivate func replacingSpaces() -> String { String(unicodeScalars.filter { $0 != " " }) }
}
