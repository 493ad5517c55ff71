import IDGateCore
import IDGateMatching
import IDGateStore

/// A parsed `/v1/organizations/match` body and its digest (see `ParsedDocumentVerify`).
public struct ParsedOrganizationMatch: Sendable {
    public var request: OrganizationMatchRequest
    public var digest: SHA256Key
}

/// Parses `/v1/organizations/match` bodies (docs/API.md): `organizationId` an enterprise code of 10 or 13 digits
/// (else 422 naming it with the expected format), `name` required, `address` and `legalRepresentativeIdNumber`
/// optional.
public enum OrganizationMatchParser {
    static let fieldNames: Set<String> = [
        "organizationId", "name", "address", "legalRepresentativeIdNumber", "purpose", "ref",
    ]
    static let digestOrder = ["organizationId", "name", "address", "legalRepresentativeIdNumber"]

    public static func parse(_ body: UnsafeRawBufferPointer) -> Result<ParsedOrganizationMatch, WireError> {
        let reader: KindRequestReader
        switch KindRequestReader.read(body, known: fieldNames) {
        case .success(let read): reader = read
        case .failure(let error): return .failure(error)
        }
        do throws(WireError) {
            guard let idText = reader.value("organizationId") else {
                throw WireError(.missingField, message: "organizationId is required", field: "organizationId")
            }
            guard let id = OrganizationID(idText) else {
                throw WireError(.invalidField, message: "organizationId must be \(OrganizationID.format)", field: "organizationId")
            }
            guard let name = try reader.text("name", required: true).get() else {
                throw WireError(.missingField, message: "name is required", field: "name")
            }
            var fields: [OrganizationField] = []
            for member in reader.members {
                let field: OrganizationField? =
                    switch member.name {
                    case "name": .name
                    case "address": .address
                    case "legalRepresentativeIdNumber": .legalRepresentativeIdNumber
                    default: nil
                    }
                if let field, !fields.contains(field) { fields.append(field) }
            }
            var request = OrganizationMatchRequest(organizationId: id, name: name, fields: fields)
            request.address = try reader.text("address", required: false, maximumLength: 512).get()
            request.legalRepresentativeIdNumber = try reader.idNumber("legalRepresentativeIdNumber", required: false).get()
            let (purpose, ref) = try reader.purposeAndRef().get()
            request.purpose = purpose
            request.ref = ref
            return .success(ParsedOrganizationMatch(request: request, digest: reader.digest(order: digestOrder)))
        } catch {
            return .failure(error)
        }
    }
}
