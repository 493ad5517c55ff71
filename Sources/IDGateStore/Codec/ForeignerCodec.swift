import IDGateCore

/// Foreign residents as NDJSON, both ways: one object per line with the field names of the match API
/// (`passportNumber`, `nationality`, `surname`, `givenNames`, `dateOfBirth`, `sex`, `residenceCardNumber`,
/// `permittedFrom`, `permittedUntil`, optional `recordStatus`). Decoding checks every field and names the one at fault;
/// encoding writes what decoding reads, so `idgate registry sample --kind foreigners` output imports again.
public enum ForeignerCodec {
    public static let fieldNames = [
        "passportNumber", "nationality", "surname", "givenNames", "dateOfBirth", "sex", "residenceCardNumber",
        "permittedFrom", "permittedUntil", "recordStatus",
    ]

    public static func decodeNDJSON(_ line: UnsafeRawBufferPointer, lineNumber: Int) throws(InputError) -> ForeignerRecord {
        var values: [String: String] = [:]
        var scanner = JSONScanner(line)
        do {
            try scanner.beginObject()
            var isFirst = true
            while let keyBytes = try scanner.nextKey(isFirst: isFirst) {
                isFirst = false
                let key = String(decoding: keyBytes, as: UTF8.self)
                guard fieldNames.contains(key) else { throw InputError(line: lineNumber, field: key, reason: "unknown field") }
                guard values[key] == nil else { throw InputError(line: lineNumber, field: key, reason: "given more than once") }
                if scanner.consumeNull() { continue }
                let value = try scanner.withString { bytes -> String in
                    guard let text = String(validating: bytes, as: UTF8.self) else {
                        throw InputError(line: lineNumber, field: key, reason: "not valid UTF-8")
                    }
                    return text
                }
                values[key] = value
            }
            try scanner.endOfInput()
        } catch let error as InputError {
            throw error
        } catch let error as JSONScanner.Failure {
            throw InputError(line: lineNumber, reason: "malformed JSON: \(error.reason)")
        } catch {
            throw InputError(line: lineNumber, reason: "\(error)")
        }
        return try record(from: values, lineNumber: lineNumber)
    }

    public static func decodeNDJSON(_ line: String, lineNumber: Int = 1) throws(InputError) -> ForeignerRecord {
        let bytes = Array(line.utf8)
        var result: Result<ForeignerRecord, InputError>!
        bytes.withUnsafeBytes { raw in result = Result { () throws(InputError) in try decodeNDJSON(raw, lineNumber: lineNumber) } }
        return try result.get()
    }

    /// Builds and checks a record from decoded field values.
    static func record(from values: [String: String], lineNumber: Int) throws(InputError) -> ForeignerRecord {
        func required(_ field: String) throws(InputError) -> String {
            guard let value = values[field] else { throw InputError(line: lineNumber, field: field, reason: "missing") }
            return value
        }
        func date(_ field: String) throws(InputError) -> PartialDate {
            let text = try required(field)
            guard let date = PartialDate(iso: text) else {
                throw InputError(line: lineNumber, field: field, reason: "'\(text)' is not a real date as YYYY-MM-DD, YYYY-MM or YYYY")
            }
            return date
        }
        let passportText = try required("passportNumber")
        guard let passport = PassportNumber(passportText) else {
            throw InputError(line: lineNumber, field: "passportNumber", reason: "'\(passportText)' is not \(PassportNumber.formatDescription)")
        }
        let nationalityText = try required("nationality")
        guard let nationality = Nationality(nationalityText) else {
            throw InputError(line: lineNumber, field: "nationality", reason: "'\(nationalityText)' is not an ICAO 9303 nationality code")
        }
        let surname = try latinName(try required("surname"), field: "surname", lineNumber: lineNumber, allowEmpty: false)
        let givenNames = try latinName(values["givenNames"] ?? "", field: "givenNames", lineNumber: lineNumber, allowEmpty: true)
        let sexText = try required("sex")
        guard let sex = Sex(name: sexText) else {
            throw InputError(line: lineNumber, field: "sex", reason: "'\(sexText)' is not male or female")
        }
        let card = try required("residenceCardNumber").uppercased()
        guard ResidenceCardNumber.isValid(card) else {
            throw InputError(line: lineNumber, field: "residenceCardNumber", reason: "'\(card)' is not \(ResidenceCardNumber.formatDescription)")
        }
        let from = try date("permittedFrom")
        let until = try date("permittedUntil")
        guard !(until < from) else {
            throw InputError(line: lineNumber, field: "permittedUntil", reason: "the permitted stay ends before it begins")
        }
        var status = RecordStatus.active
        if let text = values["recordStatus"] {
            guard let parsed = RecordStatus(name: text) else {
                throw InputError(line: lineNumber, field: "recordStatus", reason: "'\(text)' is not active or deceased")
            }
            status = parsed
        }
        return ForeignerRecord(
            key: ForeignerKey(nationality: nationality, passportNumber: passport), surname: surname, givenNames: givenNames,
            dateOfBirth: try date("dateOfBirth"), sex: sex, residenceCardNumber: card, permittedFrom: from,
            permittedUntil: until, recordStatus: status)
    }

    /// A name as a travel document's visual zone writes it: Latin letters (with their diacritics), spaces, hyphens
    /// and apostrophes; stored in NFC. At most 128 bytes.
    static func latinName(_ text: String, field: String, lineNumber: Int, allowEmpty: Bool) throws(InputError) -> String {
        let name = UnicodeNormalization.nfc(text)
        guard name.utf8.count <= 128 else { throw InputError(line: lineNumber, field: field, reason: "longer than 128 bytes") }
        var letters = 0
        for scalar in name.unicodeScalars {
            if isLatinLetter(scalar) {
                letters += 1
            } else if !(scalar == " " || scalar == "-" || scalar == "'" || scalar == "\u{2019}" || scalar == ".") {
                throw InputError(
                    line: lineNumber, field: field,
                    reason: "'\(scalar.escaped(asASCII: true))' is not a Latin letter, space, hyphen or apostrophe")
            }
        }
        guard allowEmpty || letters > 0 else { throw InputError(line: lineNumber, field: field, reason: "has no letters") }
        return name
    }

    /// Basic Latin, Latin-1 Supplement, Latin Extended-A and -B, and Latin Extended Additional letters.
    public static func isLatinLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A: true
        case 0xC0...0x24F: scalar.value != 0xD7 && scalar.value != 0xF7
        case 0x1E00...0x1EFF: true
        default: false
        }
    }

    /// Appends `record` as one NDJSON line, with the trailing newline.
    public static func appendNDJSON(_ record: ForeignerRecord, to out: inout [UInt8]) {
        let fields: [(String, String)] = [
            ("passportNumber", record.passportNumber.text), ("nationality", record.nationality.code),
            ("surname", record.surname), ("givenNames", record.givenNames), ("dateOfBirth", record.dateOfBirth.description),
            ("sex", record.sex.name), ("residenceCardNumber", record.residenceCardNumber),
            ("permittedFrom", record.permittedFrom.description), ("permittedUntil", record.permittedUntil.description),
            ("recordStatus", record.recordStatus.name),
        ]
        for (index, (name, value)) in fields.enumerated() {
            out.append(index == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: "\":".utf8)
            out.write(jsonString: value)
        }
        out.append(contentsOf: "}\n".utf8)
    }

    public static func ndjson(_ record: ForeignerRecord) -> String {
        var out: [UInt8] = []
        appendNDJSON(record, to: &out)
        out.removeLast()
        return String(decoding: out, as: UTF8.self)
    }
}
