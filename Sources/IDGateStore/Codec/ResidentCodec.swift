import IDGateCore

/// Resident rows as text, both ways: NDJSON objects and CSV lines with a header, named as in the match API.
///
/// Decoding validates every field (ID layout, possible dates, phone forms, card consistency) and reports the line
/// and field at fault. Encoding writes exactly what decoding reads, so `registry sample` output imports again.
public enum ResidentCodec {
    // MARK: NDJSON

    /// Decodes one NDJSON line (one JSON object).
    public static func decodeNDJSON(_ line: UnsafeRawBufferPointer, lineNumber: Int) throws(InputError) -> ResidentRecord {
        var values = ResidentRowValues(line: lineNumber)
        try decodeNDJSON(line, into: &values)
        return try values.record()
    }

    /// Reads one NDJSON line into `values` (reset to the line's number by the caller), checking each field.
    ///
    /// Compact rows without escapes (what `gen` and `registry sample` write, and most exports) take a hand-written
    /// path over the raw bytes; anything else (whitespace, escapes, malformed JSON, unknown keys) is read again
    /// from the start by the general scanner, so errors and results are the same either way.
    @inline(__always)
    static func decodeNDJSON(_ line: UnsafeRawBufferPointer, into values: inout ResidentRowValues) throws(InputError) {
        if try decodeCompactNDJSON(line, into: &values) { return }
        values.reset(line: values.line)
        try decodeNDJSONGeneral(line, into: &values)
    }

    /// The fast path of `decodeNDJSON`: false (with `values` partly filled) when the row needs the general scanner.
    /// Field errors are thrown as they are met, in the same order as the general scanner meets them.
    static func decodeCompactNDJSON(_ line: UnsafeRawBufferPointer, into values: inout ResidentRowValues) throws(InputError) -> Bool {
        guard let base = line.baseAddress, line.count >= 2 else { return false }
        let end = line.count
        @inline(__always) func at(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        /// The end of the string starting at `from` (just past its opening quote), or nil for escapes, control
        /// characters or a missing closing quote.
        @inline(__always) func stringEnd(_ from: Int) -> Int? {
            var index = from
            while index < end {
                let c = at(index)
                if c == quote { return index }
                if c == backslash || c < 0x20 { return nil }
                index += 1
            }
            return nil
        }
        guard at(0) == UInt8(ascii: "{"), at(1) == quote else { return false }
        var index = 1
        var hint = 0
        while true {
            // The key: most rows list the fields in the usual order, so first compare with the expected name.
            guard index < end, at(index) == quote else { return false }
            index += 1
            let field: ResidentField
            if let expected = ResidentField(rawValue: hint), let after = expected.matchesKey(base, at: index, end: end) {
                field = expected
                index = after
            } else {
                guard let keyEnd = stringEnd(index),
                    let found = ResidentField.match(UnsafeRawBufferPointer(start: base + index, count: keyEnd - index), hint: hint),
                    keyEnd + 1 < end, at(keyEnd + 1) == UInt8(ascii: ":")
                else { return false }
                field = found
                index = keyEnd + 2
            }
            hint = field.rawValue + 1
            try values.markSeen(field)
            guard index < end else { return false }
            switch at(index) {
            case quote:
                guard field != .phoneNumbers, let valueEnd = stringEnd(index + 1) else { return false }
                try values.set(field, UnsafeRawBufferPointer(start: base + index + 1, count: valueEnd - index - 1))
                index = valueEnd + 1
            case UInt8(ascii: "[") where field == .phoneNumbers:
                index += 1
                guard index < end else { return false }
                if at(index) == UInt8(ascii: "]") {
                    index += 1
                } else {
                    while true {
                        guard index < end, at(index) == quote, let valueEnd = stringEnd(index + 1) else { return false }
                        try values.addPhoneNumber(UnsafeRawBufferPointer(start: base + index + 1, count: valueEnd - index - 1))
                        index = valueEnd + 1
                        guard index < end else { return false }
                        let next = at(index)
                        index += 1
                        if next == UInt8(ascii: "]") { break }
                        guard next == UInt8(ascii: ",") else { return false }
                    }
                }
            case UInt8(ascii: "n"):
                guard index + 4 <= end, at(index + 1) == UInt8(ascii: "u"), at(index + 2) == UInt8(ascii: "l"),
                    at(index + 3) == UInt8(ascii: "l")
                else { return false }
                index += 4
            default:
                return false
            }
            guard index < end else { return false }
            let next = at(index)
            index += 1
            if next == UInt8(ascii: "}") { break }
            guard next == UInt8(ascii: ",") else { return false }
        }
        while index < end {
            let c = at(index)
            guard c == 0x20 || c == 0x09 || c == 0x0D else { return false }
            index += 1
        }
        return true
    }

    /// The general path of `decodeNDJSON`: any JSON whitespace and escapes, and the exact message for malformed rows.
    static func decodeNDJSONGeneral(_ line: UnsafeRawBufferPointer, into values: inout ResidentRowValues) throws(InputError) {
        let lineNumber = values.line
        var scanner = JSONScanner(line)
        do {
            try scanner.beginObject()
            var hint = 0
            var isFirst = true
            while let key = try scanner.nextKey(isFirst: isFirst) {
                isFirst = false
                guard let field = ResidentField.match(key, hint: hint) else {
                    throw InputError(line: lineNumber, field: String(decoding: key, as: UTF8.self), reason: "unknown field")
                }
                hint = field.rawValue + 1
                try values.markSeen(field)
                if scanner.consumeNull() { continue }
                if field == .phoneNumbers {
                    try scanner.forEachStringInArray { try values.addPhoneNumber($0) }
                } else {
                    try scanner.withString { try values.set(field, $0) }
                }
            }
            try scanner.endOfInput()
        } catch let error as InputError {
            throw error
        } catch let error as JSONScanner.Failure {
            throw InputError(line: lineNumber, reason: "malformed JSON: \(error.reason)")
        } catch {
            throw InputError(line: lineNumber, reason: "\(error)")
        }
    }

    public static func decodeNDJSON(_ line: String, lineNumber: Int = 1) throws -> ResidentRecord {
        try Array(line.utf8).withUnsafeBytes { bytes in try decodeNDJSON(bytes, lineNumber: lineNumber) }
    }

    /// Appends `record` as one NDJSON line (with the trailing newline). Absent optional fields are `null`.
    public static func appendNDJSON(_ record: ResidentRecord, to out: inout [UInt8]) {
        var first = true
        func key(_ field: ResidentField) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: "\":".utf8)
        }
        func string(_ field: ResidentField, _ value: String?) {
            key(field)
            if let value { appendJSONString(value, to: &out) } else { out.append(contentsOf: "null".utf8) }
        }
        string(.idNumber, record.idNumber.description)
        string(.fullName, record.fullName)
        string(.dateOfBirth, record.dateOfBirth.description)
        string(.sex, record.sex.name)
        string(.nationality, record.nationality)
        string(.ethnicity, record.ethnicity)
        string(.placeOfOrigin, record.placeOfOrigin)
        string(.placeOfResidence, record.placeOfResidence)
        string(.legacyIdNumber, record.legacyIdNumber)
        key(.phoneNumbers)
        out.append(UInt8(ascii: "["))
        for (index, phone) in record.phoneNumbers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(phone, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        string(.cardNumber, record.card?.number)
        string(.cardIssueDate, record.card?.issueDate.description)
        string(.cardExpiryDate, record.card?.expiryDate?.description)
        string(.cardStatus, record.card?.status.name)
        string(.recordStatus, record.recordStatus.name)
        out.append(contentsOf: "}\n".utf8)
    }

    /// `record` as one NDJSON line, without the trailing newline.
    public static func ndjson(_ record: ResidentRecord) -> String {
        var out: [UInt8] = []
        appendNDJSON(record, to: &out)
        out.removeLast()
        return String(decoding: out, as: UTF8.self)
    }

    static func appendJSONString(_ value: String, to out: inout [UInt8]) {
        out.write(jsonString: value)
    }

    // MARK: CSV

    /// The header line `appendCSV` rows go under (all fields, in declaration order).
    public static let csvHeader = ResidentField.allCases.map(\.name).joined(separator: ",")

    /// The column order of a CSV file, read from its header line.
    public struct CSVColumns: Sendable {
        public let fields: [ResidentField]

        /// Parses the header (line 1): every column must be a known field, once, and the required ones present.
        public init(header: UnsafeRawBufferPointer) throws(InputError) {
            var fields: [ResidentField] = []
            var seen = Set<ResidentField>()
            var failure: InputError?
            CSVLine.forEachField(header) { bytes in
                guard failure == nil else { return }
                let name = String(decoding: bytes, as: UTF8.self).trimmingSpaces
                guard let field = ResidentField(name: name) else {
                    failure = InputError(line: 1, field: name, reason: "unknown column")
                    return
                }
                guard seen.insert(field).inserted else {
                    failure = InputError(line: 1, field: name, reason: "column given twice")
                    return
                }
                fields.append(field)
            }
            if let failure { throw failure }
            for field in ResidentField.required where !seen.contains(field) {
                throw InputError(line: 1, field: field.name, reason: "required column missing")
            }
            self.fields = fields
        }
    }

    /// Decodes one CSV data line; `phoneNumbers` holds the numbers joined by `;`.
    public static func decodeCSV(_ line: UnsafeRawBufferPointer, columns: CSVColumns, lineNumber: Int) throws(InputError) -> ResidentRecord {
        var values = ResidentRowValues(line: lineNumber)
        var fields = CSVLine.Fields()
        try decodeCSV(line, columns: columns, into: &values, fields: &fields)
        return try values.record()
    }

    /// Reads one CSV data line into `values` (reset to the line's number by the caller); `fields` is scratch space
    /// kept between lines.
    static func decodeCSV(
        _ line: UnsafeRawBufferPointer, columns: CSVColumns, into values: inout ResidentRowValues, fields: inout CSVLine.Fields
    ) throws(InputError) {
        let lineNumber = values.line
        fields.split(line)
        let columnCount = columns.fields.count
        for column in 0..<fields.count {
            guard column < columnCount else {
                throw InputError(line: lineNumber, reason: "more than the \(columnCount) columns of the header")
            }
            let field = columns.fields[column]
            try fields.withField(column) { (bytes) throws(InputError) in
                if field == .phoneNumbers {
                    var start = 0
                    for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: ";") {
                        if index > start { try values.addPhoneNumber(UnsafeRawBufferPointer(rebasing: bytes[start..<index])) }
                        start = index + 1
                    }
                } else {
                    try values.set(field, bytes)
                }
            }
        }
        guard fields.count == columnCount else {
            throw InputError(line: lineNumber, reason: "\(fields.count) columns, the header has \(columnCount)")
        }
    }

    /// Appends `record` as one CSV line under `csvHeader` (with the trailing newline).
    public static func appendCSV(_ record: ResidentRecord, to out: inout [UInt8]) {
        let fields: [String] = [
            record.idNumber.description, record.fullName, record.dateOfBirth.description, record.sex.name,
            record.nationality, record.ethnicity, record.placeOfOrigin, record.placeOfResidence,
            record.legacyIdNumber ?? "", record.phoneNumbers.joined(separator: ";"), record.card?.number ?? "",
            record.card?.issueDate.description ?? "", record.card?.expiryDate?.description ?? "",
            record.card?.status.name ?? "", record.recordStatus.name,
        ]
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            CSVLine.appendField(field, to: &out)
        }
        out.append(0x0A)
    }
}

extension String {
    var trimmingSpaces: String {
        var view = Substring(self)
        while view.first == " " { view.removeFirst() }
        while view.last == " " { view.removeLast() }
        return String(view)
    }
}
