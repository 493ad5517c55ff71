import IDGateCore
import IDGateMatching
import IDGateStore

/// A parsed `/v1/documents/verify` body: the request and its digest, computed while the members are at hand so the
/// answer's `requestDigest` needs no second pass over the body.
public struct ParsedDocumentVerify: Sendable {
    public var request: DocumentVerifyRequest
    public var digest: SHA256Key
}

/// Parses `/v1/documents/verify` bodies (docs/API.md): strict like the identity-match parser. `documentType` must
/// be one of the six types (else 422 naming `documentType`), `documentNumber` in that type's format (else 422
/// naming it with the expected format), `holderIdNumber` a citizen ID number; type-specific fields only for their
/// type.
public enum DocumentVerifyParser {
    static let fieldNames: Set<String> = [
        "documentType", "documentNumber", "holderIdNumber", "fullName", "issuer", "issueDate", "expiryDate",
        "licenceClasses", "vehiclePlate", "spouseIdNumber", "purpose", "ref",
    ]
    /// The canonical form's order (docs/API.md, `requestDigest`).
    static let digestOrder = [
        "documentType", "documentNumber", "holderIdNumber", "fullName", "issuer", "issueDate", "expiryDate",
        "licenceClasses", "vehiclePlate", "spouseIdNumber",
    ]

    /// The parsed request, or the error to answer.
    public static func parse(_ body: UnsafeRawBufferPointer) -> Result<ParsedDocumentVerify, WireError> {
        let reader: KindRequestReader
        switch KindRequestReader.read(body, known: fieldNames) {
        case .success(let read): reader = read
        case .failure(let error): return .failure(error)
        }
        do throws(WireError) {
            guard let typeName = reader.value("documentType") else {
                throw WireError(.missingField, message: "documentType is required", field: "documentType")
            }
            guard let type = DocumentType(wireName: typeName) else {
                throw WireError(
                    .invalidField, message: "documentType must be one of \(DocumentType.wireNames)", field: "documentType")
            }
            guard let numberText = reader.value("documentNumber") else {
                throw WireError(.missingField, message: "documentNumber is required", field: "documentNumber")
            }
            guard let number = type.canonicalNumber(numberText) else {
                throw WireError(
                    .invalidField, message: "documentNumber of a \(type.wireName) must be \(type.numberFormat)",
                    field: "documentNumber")
            }
            guard let holder = try reader.idNumber("holderIdNumber", required: true).get() else {
                throw WireError(.missingField, message: "holderIdNumber is required", field: "holderIdNumber")
            }
            var fields: [DocumentField] = []
            for member in reader.members {
                if let field = DocumentField(wireName: member.name), !fields.contains(field) { fields.append(field) }
            }
            var request = DocumentVerifyRequest(
                documentType: type, documentNumber: number, holderIdNumber: holder, fields: fields)
            request.fullName = try reader.text("fullName", required: false).get()
            request.issuer = try reader.text("issuer", required: false).get()
            request.issueDate = try reader.date("issueDate").get()
            request.expiryDate = try reader.date("expiryDate").get()
            func only(_ field: String, for allowed: DocumentType) throws(WireError) {
                guard reader.value(field) == nil || type == allowed else {
                    throw WireError(.invalidField, message: "\(field) applies to \(allowed.wireName) only", field: field)
                }
            }
            try only("licenceClasses", for: .drivingLicence)
            try only("vehiclePlate", for: .vehicleRegistration)
            try only("spouseIdNumber", for: .marriageCertificate)
            if let classes = reader.value("licenceClasses") {
                guard let parsed = LicenceClass.parse(classes) else {
                    throw WireError(
                        .invalidField, message: "licenceClasses must list licence classes such as \"A1,B2\"",
                        field: "licenceClasses")
                }
                request.licenceClasses = parsed
            }
            if let plate = reader.value("vehiclePlate") {
                guard VehiclePlate.canonical(plate) != nil else {
                    throw WireError(.invalidField, message: "vehiclePlate must be a number plate such as 30A-123.45", field: "vehiclePlate")
                }
                request.vehiclePlate = plate
            }
            request.spouseIdNumber = try reader.idNumber("spouseIdNumber", required: false).get()
            let (purpose, ref) = try reader.purposeAndRef().get()
            request.purpose = purpose
            request.ref = ref
            return .success(ParsedDocumentVerify(request: request, digest: reader.digest(order: digestOrder)))
        } catch {
            return .failure(error)
        }
    }
}
