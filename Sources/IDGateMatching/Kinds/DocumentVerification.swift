import IDGateStore

/// A field a relying party may submit to `/v1/documents/verify`, in the order answers list them when submitted.
public enum DocumentField: UInt8, Sendable, Hashable, CaseIterable {
    case holderIdNumber, fullName, issuer, issueDate, expiryDate, licenceClasses, vehiclePlate, spouseIdNumber

    public var wireName: String {
        switch self {
        case .holderIdNumber: "holderIdNumber"
        case .fullName: "fullName"
        case .issuer: "issuer"
        case .issueDate: "issueDate"
        case .expiryDate: "expiryDate"
        case .licenceClasses: "licenceClasses"
        case .vehiclePlate: "vehiclePlate"
        case .spouseIdNumber: "spouseIdNumber"
        }
    }

    public init?(wireName: String) {
        guard let found = DocumentField.allCases.first(where: { $0.wireName == wireName }) else { return nil }
        self = found
    }
}

/// A validated `/v1/documents/verify` request: the document's key, its claimed holder and the fields to check.
public struct DocumentVerifyRequest: Sendable, Hashable {
    public var documentType: DocumentType
    /// Canonical (`DocumentType.canonicalNumber`).
    public var documentNumber: String
    public var holderIdNumber: IDNumber
    public var fullName: String?
    public var issuer: String?
    public var issueDate: PartialDate?
    public var expiryDate: PartialDate?
    public var licenceClasses: [String]?
    /// As submitted; compared on its letters and digits.
    public var vehiclePlate: String?
    public var spouseIdNumber: IDNumber?
    public var purpose: String?
    public var ref: String?
    /// The compared fields in submitted order (`holderIdNumber` always among them).
    public var fields: [DocumentField]
    public init(documentType: DocumentType, documentNumber: String, holderIdNumber: IDNumber, fields: [DocumentField]) {
        self.documentType = documentType
        self.documentNumber = documentNumber
        self.holderIdNumber = holderIdNumber
        self.fields = fields
    }
}

/// The answer to one document verification: a verdict per submitted field, the decision and the document's status.
public struct DocumentVerifyResult: Sendable, Hashable {
    public var decision: MatchDecision
    public var fields: [DocumentField]
    public var results: [FieldResult]
    /// nil when not found.
    public var documentStatus: DocumentStatus?
}

/// Compares a document verification request with the registry's document (docs/MATCHING.md, "Documents").
///
/// The holder link comes first: `holderIdNumber` matches only the document's holder (or, on a marriage certificate,
/// either spouse); a valid document presented with someone else's ID number is a `mismatch` on that field and so
/// a `mismatch` decision. Other fields: `fullName` and `issuer` as names, dates as dates, `licenceClasses` match
/// when the licence holds every class submitted, `vehiclePlate` on its letters and digits, `spouseIdNumber`
/// exactly. Status does not change the decision (as for identity matches): `status.document` reports it, a valid
/// document past its expiry date as `expired`.
public struct DocumentMatcher: Sendable {
    public var thresholds: MatchThresholds
    public var policy: ReasonDecisionPolicy

    public init(thresholds: MatchThresholds = MatchThresholds(), policy: ReasonDecisionPolicy = .standard) {
        self.thresholds = thresholds
        self.policy = policy
    }

    /// Compares against `record` (nil: not found). An unknown document costs the same comparisons as a known one
    /// (made against a placeholder and discarded), so timing does not tell which numbers exist.
    public func verify(_ request: DocumentVerifyRequest, against record: DocumentRecord?, today: PartialDate)
        -> DocumentVerifyResult
    {
        let compared = record ?? Self.placeholder(request)
        var results: [FieldResult] = []
        results.reserveCapacity(request.fields.count)
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
            return DocumentVerifyResult(decision: .notFound, fields: request.fields, results: [], documentStatus: nil)
        }
        return DocumentVerifyResult(
            decision: sawMismatch ? .mismatch : (sawPartial ? .partial : .match), fields: request.fields,
            results: results, documentStatus: record.status.effective(expiry: record.expiryDate, today: today))
    }

    private func compare(_ field: DocumentField, _ request: DocumentVerifyRequest, _ record: DocumentRecord) -> FieldResult {
        switch field {
        case .holderIdNumber:
            return record.isHeld(by: request.holderIdNumber) ? .exact : .different
        case .fullName:
            return Self.withBytes(request.fullName ?? "", record.holderName) {
                NameComparator.compare(submitted: $0, stored: $1, thresholds: thresholds)
            }
        case .issuer:
            return Self.withBytes(request.issuer ?? "", record.issuer) {
                NameComparator.compare(submitted: $0, stored: $1, thresholds: thresholds)
            }
        case .issueDate:
            guard let submitted = request.issueDate else { return .different }
            return DateComparator.compare(submitted: submitted, stored: record.issueDate, thresholds: thresholds)
        case .expiryDate:
            guard let submitted = request.expiryDate, let stored = record.expiryDate else { return .different }
            return DateComparator.compare(submitted: submitted, stored: stored, thresholds: thresholds)
        case .licenceClasses:
            guard let submitted = request.licenceClasses, !record.licenceClasses.isEmpty else { return .different }
            return submitted.allSatisfy(record.licenceClasses.contains) ? .exact : .different
        case .vehiclePlate:
            guard let submitted = request.vehiclePlate.flatMap(VehiclePlate.canonical),
                let stored = record.vehiclePlate.flatMap(VehiclePlate.canonical)
            else { return .different }
            return submitted == stored ? .exact : .different
        case .spouseIdNumber:
            // The other spouse relative to the submitted holder.
            let other = request.holderIdNumber == record.holderIdNumber ? record.spouseIdNumber : record.holderIdNumber
            return other == request.spouseIdNumber ? .exact : .different
        }
    }

    static func withBytes<R>(_ a: String, _ b: String, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R) -> R {
        var first = a
        var second = b
        return first.withUTF8 { x in second.withUTF8 { y in body(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) } }
    }

    /// A record of the requested type shaped like a real one, for the comparisons of an unknown document.
    static func placeholder(_ request: DocumentVerifyRequest) -> DocumentRecord {
        DocumentRecord(
            type: request.documentType, number: request.documentNumber, holderIdNumber: IDNumber(unchecked: 0),
            holderName: "Nguyễn Văn Không Có", issuer: "Không có cơ quan cấp", issueDate: PartialDate(year: 2000, month: 1, day: 1)!,
            expiryDate: PartialDate(year: 2000, month: 1, day: 2), licenceClasses: ["A1"], vehiclePlate: "00A0-000.00")
    }
}
