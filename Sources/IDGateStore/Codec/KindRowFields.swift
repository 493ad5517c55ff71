/// The string fields of one NDJSON row of a non-resident kind (documents, organizations), read strictly: unknown
/// keys, a key given twice and malformed JSON are errors naming the line; `null` or an empty string is absent.
struct KindRowFields {
    let line: Int
    private var values: [String: String] = [:]

    init(_ bytes: UnsafeRawBufferPointer, line: Int, known: Set<String>) throws(InputError) {
        self.line = line
        var scanner = JSONScanner(bytes)
        var values: [String: String] = [:]
        do {
            try scanner.beginObject()
            var isFirst = true
            while let keyBytes = try scanner.nextKey(isFirst: isFirst) {
                isFirst = false
                let key = String(decoding: keyBytes, as: UTF8.self)
                guard known.contains(key) else { throw InputError(line: line, field: key, reason: "unknown field") }
                guard values[key] == nil else { throw InputError(line: line, field: key, reason: "given twice") }
                if scanner.consumeNull() { continue }
                let text = try scanner.withString { raw throws(InputError) -> String in
                    try Self.text(raw, field: key, line: line)
                }
                if !text.isEmpty { values[key] = text }
            }
            try scanner.endOfInput()
        } catch let error as InputError {
            throw error
        } catch let error as JSONScanner.Failure {
            throw InputError(line: line, reason: "malformed JSON: \(error.reason)")
        } catch {
            throw InputError(line: line, reason: "\(error)")
        }
        self.values = values
    }

    /// Checks a text value (at most 512 bytes, UTF-8, no control characters) and returns it in NFC.
    static func text(_ bytes: UnsafeRawBufferPointer, field: String, line: Int) throws(InputError) -> String {
        guard bytes.count <= 512 else { throw InputError(line: line, field: field, reason: "longer than 512 bytes") }
        let scan = UnicodeNormalization.scan(bytes)
        guard !scan.hasControlCharacters else { throw InputError(line: line, field: field, reason: "contains control characters") }
        guard scan.isValidUTF8 else { throw InputError(line: line, field: field, reason: "not valid UTF-8") }
        let text = String(decoding: bytes, as: UTF8.self)
        return scan.isStableNFC ? text : UnicodeNormalization.nfc(text)
    }

    func optional(_ field: String) -> String? { values[field] }

    func required(_ field: String) throws(InputError) -> String {
        guard let value = values[field] else { throw InputError(line: line, field: field, reason: "missing") }
        return value
    }

    func fail(_ field: String, _ reason: String) -> InputError { InputError(line: line, field: field, reason: reason) }

    func idNumber(_ field: String, required: Bool) throws(InputError) -> IDNumber? {
        guard let text = required ? try self.required(field) : optional(field) else { return nil }
        guard let id = IDNumber(text) else { throw fail(field, "'\(text)' is not a 12-digit ID number") }
        return id
    }

    func date(_ field: String, required: Bool) throws(InputError) -> PartialDate? {
        guard let text = required ? try self.required(field) : optional(field) else { return nil }
        guard let date = PartialDate(iso: text), date.isComplete else {
            throw fail(field, "'\(text)' is not a possible date (YYYY-MM-DD)")
        }
        return date
    }
}

/// Appends JSON members for the NDJSON writers of the non-resident kinds.
struct KindRowWriter {
    var out: [UInt8] = [UInt8(ascii: "{")]

    mutating func string(_ key: String, _ value: String?) {
        guard let value else { return }
        if out.count > 1 { out.append(UInt8(ascii: ",")) }
        ResidentCodec.appendJSONString(key, to: &out)
        out.append(UInt8(ascii: ":"))
        ResidentCodec.appendJSONString(value, to: &out)
    }

    mutating func finish() -> [UInt8] {
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// Document rows as NDJSON, named as in `/v1/documents/verify` (docs/DATA.md, "Document rows").
public enum DocumentCodec {
    public static let fieldNames: Set<String> = [
        "documentType", "documentNumber", "holderIdNumber", "fullName", "issuer", "issueDate", "expiryDate", "status",
        "licenceClasses", "vehiclePlate", "spouseIdNumber",
    ]

    public static func decodeNDJSON(_ line: UnsafeRawBufferPointer, lineNumber: Int) throws(InputError) -> DocumentRecord {
        let row = try KindRowFields(line, line: lineNumber, known: fieldNames)
        let typeName = try row.required("documentType")
        guard let type = DocumentType(wireName: typeName) else {
            throw row.fail("documentType", "'\(typeName)' is not one of \(DocumentType.wireNames)")
        }
        let numberText = try row.required("documentNumber")
        guard let number = type.canonicalNumber(numberText) else {
            throw row.fail("documentNumber", "'\(numberText)' is not a \(type.wireName) number: \(type.numberFormat)")
        }
        let holder = try row.idNumber("holderIdNumber", required: true)!
        let issued = try row.date("issueDate", required: true)!
        let expiry = try row.date("expiryDate", required: false)
        if let expiry, expiry <= issued { throw row.fail("expiryDate", "not after the issue date") }
        var status = DocumentStatus.valid
        if let name = row.optional("status") {
            guard let parsed = DocumentStatus(name: name) else {
                throw row.fail("status", "'\(name)' is not valid, expired, suspended or revoked")
            }
            status = parsed
        }
        var classes: [String] = []
        if let text = row.optional("licenceClasses") {
            guard type == .drivingLicence else { throw row.fail("licenceClasses", "only driving licences have classes") }
            guard let parsed = LicenceClass.parse(text) else {
                throw row.fail("licenceClasses", "'\(text)' is not a list of licence classes (A1,B2,…)")
            }
            classes = parsed
        }
        let plate = row.optional("vehiclePlate")
        if let plate {
            guard type == .vehicleRegistration else { throw row.fail("vehiclePlate", "only vehicle registrations have a plate") }
            guard VehiclePlate.canonical(plate) != nil else {
                throw row.fail("vehiclePlate", "'\(plate)' is not a number plate (30A-123.45)")
            }
        }
        let spouse = try row.idNumber("spouseIdNumber", required: false)
        if spouse != nil, type != .marriageCertificate {
            throw row.fail("spouseIdNumber", "only marriage certificates have a spouse")
        }
        if spouse == holder { throw row.fail("spouseIdNumber", "the same as the holder") }
        return DocumentRecord(
            type: type, number: number, holderIdNumber: holder, holderName: try row.required("fullName"),
            issuer: try row.required("issuer"), issueDate: issued, expiryDate: expiry, status: status,
            licenceClasses: classes, vehiclePlate: plate, spouseIdNumber: spouse)
    }

    public static func decodeNDJSON(_ line: String, lineNumber: Int = 1) throws(InputError) -> DocumentRecord {
        var result: Result<DocumentRecord, InputError>!
        Array(line.utf8).withUnsafeBytes { raw in
            result = Result { () throws(InputError) in try decodeNDJSON(raw, lineNumber: lineNumber) }
        }
        return try result.get()
    }

    public static func appendNDJSON(_ record: DocumentRecord, to out: inout [UInt8]) {
        var row = KindRowWriter()
        row.string("documentType", record.type.wireName)
        row.string("documentNumber", record.number)
        row.string("holderIdNumber", record.holderIdNumber.description)
        row.string("fullName", record.holderName)
        row.string("issuer", record.issuer)
        row.string("issueDate", record.issueDate.description)
        row.string("expiryDate", record.expiryDate?.description)
        row.string("status", record.status.name)
        row.string("licenceClasses", record.licenceClasses.isEmpty ? nil : record.licenceClasses.joined(separator: ","))
        row.string("vehiclePlate", record.vehiclePlate)
        row.string("spouseIdNumber", record.spouseIdNumber?.description)
        out.append(contentsOf: row.finish())
        out.append(0x0A)
    }

    public static func ndjson(_ record: DocumentRecord) -> String {
        var out: [UInt8] = []
        appendNDJSON(record, to: &out)
        return String(decoding: out.dropLast(), as: UTF8.self)
    }
}

/// Organization rows as NDJSON, named as in `/v1/organizations/match` (docs/DATA.md, "Organization rows").
public enum OrganizationCodec {
    public static let fieldNames: Set<String> = [
        "organizationId", "name", "tradeName", "address", "legalRepresentativeIdNumber", "status", "registrationDate",
    ]

    public static func decodeNDJSON(_ line: UnsafeRawBufferPointer, lineNumber: Int) throws(InputError) -> OrganizationRecord {
        let row = try KindRowFields(line, line: lineNumber, known: fieldNames)
        let idText = try row.required("organizationId")
        guard let id = OrganizationID(idText) else {
            throw row.fail("organizationId", "'\(idText)' is not an enterprise code: \(OrganizationID.format)")
        }
        var status = OrganizationStatus.active
        if let name = row.optional("status") {
            guard let parsed = OrganizationStatus(name: name) else {
                throw row.fail("status", "'\(name)' is not active, suspended or dissolved")
            }
            status = parsed
        }
        return OrganizationRecord(
            organizationId: id, name: try row.required("name"), tradeName: row.optional("tradeName"),
            address: try row.required("address"),
            legalRepresentativeIdNumber: try row.idNumber("legalRepresentativeIdNumber", required: false),
            status: status, registrationDate: try row.date("registrationDate", required: false))
    }

    public static func decodeNDJSON(_ line: String, lineNumber: Int = 1) throws(InputError) -> OrganizationRecord {
        var result: Result<OrganizationRecord, InputError>!
        Array(line.utf8).withUnsafeBytes { raw in
            result = Result { () throws(InputError) in try decodeNDJSON(raw, lineNumber: lineNumber) }
        }
        return try result.get()
    }

    public static func appendNDJSON(_ record: OrganizationRecord, to out: inout [UInt8]) {
        var row = KindRowWriter()
        row.string("organizationId", record.organizationId.description)
        row.string("name", record.name)
        row.string("tradeName", record.tradeName)
        row.string("address", record.address)
        row.string("legalRepresentativeIdNumber", record.legalRepresentativeIdNumber?.description)
        row.string("status", record.status.name)
        row.string("registrationDate", record.registrationDate?.description)
        out.append(contentsOf: row.finish())
        out.append(0x0A)
    }

    public static func ndjson(_ record: OrganizationRecord) -> String {
        var out: [UInt8] = []
        appendNDJSON(record, to: &out)
        return String(decoding: out.dropLast(), as: UTF8.self)
    }
}
