import IDGateStore

/// Compares a validated `MatchRequest` with a registry record, field by field, and decides.
///
/// Pure computation (no I/O); generic over the stored side so the store's non-copying view and the owning
/// `ResidentRecord` each get a specialized copy.
///
/// `thresholds` score every field the same way for everyone; `policy` then applies a client's decisions per reason
/// (docs/MATCHING.md, "Decisions per reason"). For a per-client policy, copy the engine and set `policy` (a copy is a
/// few words, no allocation).
public struct MatchEngine: Sendable {
    public var thresholds: MatchThresholds
    public var policy: ReasonDecisionPolicy

    public init(thresholds: MatchThresholds = MatchThresholds(), policy: ReasonDecisionPolicy = .standard) {
        self.thresholds = thresholds
        self.policy = policy
    }

    /// Looks the request's ID number (or passport, `MatchEngine+Foreigners.swift`) up and matches; `not_found` when no
    /// resident holds it.
    /// The request must have passed `validate()`.
    @inlinable
    public func match<L: ResidentLookup>(_ request: MatchRequest, in lookup: L, today: PartialDate) -> MatchResult {
        guard let idNumber = request.idNumber else { return matchForeigner(request, in: lookup, today: today) }
        return lookup.withResident(idNumber) { match(request, against: $0, today: today) }
    }

    /// Matches against a resident already looked up (nil: not found). `today` decides whether a card has expired.
    /// Inlinable so each caller's module specializes it for its concrete resident type.
    @inlinable
    public func match<F: ResidentFacts>(_ request: MatchRequest, against resident: F?, today: PartialDate)
        -> MatchResult
    {
        guard let resident else { return .notFound(fields: request.attributes) }
        let cardStatus = resident.storedCardStatus.map {
            CardStatus(stored: $0, expiry: resident.cardExpiryDate, today: today)
        }
        var result = MatchResult(
            decision: .match, fields: request.attributes, recordStatus: resident.recordStatus, cardStatus: cardStatus)
        // The decision, worked out on the way: any mismatch wins, then any partial, else match.
        var sawPartial = false
        var sawMismatch = false
        for attribute in request.attributes {
            let field = policy.applied(to: compare(attribute, of: request, with: resident))
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

    @inlinable
    func compare<F: ResidentFacts>(_ attribute: Attribute, of request: MatchRequest, with resident: F)
        -> FieldResult
    {
        switch attribute {
        case .idNumber:
            return .exact
        case .fullName:
            return request.withText(.fullName) { submitted in
                resident.withFullName {
                    NameComparator.compare(submitted: submitted, stored: $0, thresholds: thresholds)
                }
            }
        case .dateOfBirth:
            return DateComparator.compare(
                submitted: request.dateOfBirth!, stored: resident.dateOfBirth, thresholds: thresholds)
        case .sex:
            return request.sex == resident.sex ? .exact : .different
        case .placeOfOrigin:
            return request.withText(.placeOfOrigin) { submitted in
                resident.withPlaceOfOrigin {
                    AddressComparator.compare(submitted: submitted, stored: $0, thresholds: thresholds)
                }
            }
        case .placeOfResidence:
            return request.withText(.placeOfResidence) { submitted in
                resident.withPlaceOfResidence {
                    AddressComparator.compare(submitted: submitted, stored: $0, thresholds: thresholds)
                }
            }
        case .phoneNumber:
            return PhoneComparator.compare(
                submitted: request.phoneNumber!, submittedWasRemapped: request.phoneNumberWasRemapped,
                resident: resident, thresholds: thresholds)
        case .residenceCardNumber:
            return .different  // never in an ID-number-keyed request (`MatchRequest.validate`)
        case .cardIssueDate:
            guard let issued = resident.cardIssueDate else { return .different }
            return DateComparator.compare(submitted: request.cardIssueDate!, stored: issued, thresholds: thresholds)
        }
    }
}
