import IDGateStore

extension MatchEngine {
    /// The passport-keyed path (docs/API.md, "Foreign residents"): looks the foreign resident up by nationality and
    /// passport number and matches. Kept out of line and unspecialized: the ID-number path that `match(_:in:today:)`
    /// inlines stays as it was.
    @usableFromInline @inline(never)
    func matchForeigner<L: ResidentLookup>(_ request: MatchRequest, in lookup: L, today: PartialDate) -> MatchResult {
        guard let key = request.foreignerKey else { preconditionFailure("match requires a validated request") }
        return lookup.withForeigner(key) { match(request, againstForeigner: $0, today: today) }
    }

    /// Matches against a foreign resident already looked up (nil: not found). `status.card` answers the residence
    /// card, `expired` once the permitted stay has ended.
    public func match<F: ForeignerFacts>(_ request: MatchRequest, againstForeigner foreigner: F?, today: PartialDate)
        -> MatchResult
    {
        guard let foreigner else { return .notFound(fields: request.attributes) }
        let stay = CardStatus(stored: .valid, expiry: foreigner.permittedUntil, today: today)
        var result = MatchResult(
            decision: .match, fields: request.attributes, recordStatus: foreigner.recordStatus, cardStatus: stay)
        var sawPartial = false
        var sawMismatch = false
        for attribute in request.attributes {
            let field = policy.applied(to: compareForeign(attribute, of: request, with: foreigner))
            result[attribute] = field
            switch field.outcome {
            case .mismatch: sawMismatch = true
            case .partial: sawPartial = true
            case .match: break
            }
        }
        result.decision = sawMismatch ? .mismatch : (sawPartial ? .partial : .match)
        return result
    }

    func compareForeign<F: ForeignerFacts>(_ attribute: Attribute, of request: MatchRequest, with foreigner: F)
        -> FieldResult
    {
        switch attribute {
        case .fullName:
            return request.withText(.fullName) { submitted in
                foreigner.withNames { surname, givenNames in
                    TravelDocumentNameComparator.compare(
                        submitted: submitted, surname: surname, givenNames: givenNames, thresholds: thresholds)
                }
            }
        case .dateOfBirth:
            return DateComparator.compare(
                submitted: request.dateOfBirth!, stored: foreigner.dateOfBirth, thresholds: thresholds)
        case .sex:
            return request.sex == foreigner.sex ? .exact : .different
        case .residenceCardNumber:
            return request.withText(.residenceCardNumber) { submitted in
                foreigner.withResidenceCardNumber { stored in
                    if TokenizedText.sameBytes(submitted, stored) { return .exact }
                    let upper = submitted.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
                    return upper.elementsEqual(stored) ? thresholds.result(reasons: [.caseDiffers]) : .different
                }
            }
        case .idNumber, .placeOfOrigin, .placeOfResidence, .phoneNumber, .cardIssueDate:
            return .different  // refused for passport-keyed requests (`MatchRequest.validate`)
        }
    }
}
