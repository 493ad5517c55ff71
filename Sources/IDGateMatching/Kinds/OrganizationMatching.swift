import IDGateStore

/// A field a relying party may submit to `/v1/organizations/match`.
public enum OrganizationField: UInt8, Sendable, Hashable, CaseIterable {
    case name, address, legalRepresentativeIdNumber

    public var wireName: String {
        switch self {
        case .name: "name"
        case .address: "address"
        case .legalRepresentativeIdNumber: "legalRepresentativeIdNumber"
        }
    }
}

/// A validated `/v1/organizations/match` request.
public struct OrganizationMatchRequest: Sendable, Hashable {
    public var organizationId: OrganizationID
    public var name: String
    public var address: String?
    public var legalRepresentativeIdNumber: IDNumber?
    public var purpose: String?
    public var ref: String?
    /// The compared fields in submitted order (`name` always among them).
    public var fields: [OrganizationField]

    public init(organizationId: OrganizationID, name: String, fields: [OrganizationField]) {
        self.organizationId = organizationId
        self.name = name
        self.fields = fields
    }
}

/// The answer to one organization match: what the encoder writes and the audit record's decision.
public struct OrganizationMatchResult: Sendable, Hashable {
    public var decision: MatchDecision
    public var fields: [OrganizationField]
    public var results: [FieldResult]
    /// nil when not found.
    public var organizationStatus: OrganizationStatus?
}

/// Compares an organization match request with the registry's organization (docs/MATCHING.md, "Organizations"):
/// `name` against the legal name and the English trade name (the better verdict), legal forms normalized
/// (`OrganizationNameComparator`); `address` unit by unit like residents' addresses; the legal representative's ID
/// number exactly. Status does not change the decision; `status.organization` reports it.
public struct OrganizationMatcher: Sendable {
    public var thresholds: MatchThresholds
    public var policy: ReasonDecisionPolicy

    public init(thresholds: MatchThresholds = MatchThresholds(), policy: ReasonDecisionPolicy = .standard) {
        self.thresholds = thresholds
        self.policy = policy
    }

    /// Compares against `record` (nil: not found, compared against a placeholder and discarded: same cost).
    public func match(_ request: OrganizationMatchRequest, against record: OrganizationRecord?) -> OrganizationMatchResult {
        let compared = record ?? Self.placeholder
        var results: [FieldResult] = []
        var sawPartial = false
        var sawMismatch = false
        for field in request.fields {
            let result = policy.applied(to: compare(field, request, compared))
            results.append(result)
            switch result.outcome {
            case .mismatch: sawMismatch = true
            case .partial: sawPartial = true
            case .match: break
            }
        }
        guard let record else {
            return OrganizationMatchResult(decision: .notFound, fields: request.fields, results: [], organizationStatus: nil)
        }
        return OrganizationMatchResult(
            decision: sawMismatch ? .mismatch : (sawPartial ? .partial : .match), fields: request.fields,
            results: results, organizationStatus: record.status)
    }

    private func compare(_ field: OrganizationField, _ request: OrganizationMatchRequest, _ record: OrganizationRecord)
        -> FieldResult
    {
        switch field {
        case .name:
            var submitted = request.name
            var legal = record.name
            return submitted.withUTF8 { given in
                legal.withUTF8 { held in
                    guard var trade = record.tradeName else {
                        return OrganizationNameComparator.compare(
                            submitted: UnsafeRawBufferPointer(given), legalName: UnsafeRawBufferPointer(held), tradeName: nil,
                            thresholds: thresholds)
                    }
                    return trade.withUTF8 { english in
                        OrganizationNameComparator.compare(
                            submitted: UnsafeRawBufferPointer(given), legalName: UnsafeRawBufferPointer(held),
                            tradeName: UnsafeRawBufferPointer(english), thresholds: thresholds)
                    }
                }
            }
        case .address:
            return DocumentMatcher.withBytes(request.address ?? "", record.address) {
                AddressComparator.compare(submitted: $0, stored: $1, thresholds: thresholds)
            }
        case .legalRepresentativeIdNumber:
            guard let submitted = request.legalRepresentativeIdNumber else { return .different }
            return record.legalRepresentativeIdNumber == submitted ? .exact : .different
        }
    }

    static let placeholder = OrganizationRecord(
        organizationId: OrganizationID("0000000000")!, name: "Công ty TNHH Không Có Thật",
        tradeName: "Nonexistent Company Limited", address: "Phường Không Có, Thành phố Hà Nội",
        legalRepresentativeIdNumber: IDNumber(unchecked: 0))
}
