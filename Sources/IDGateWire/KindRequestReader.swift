import IDGateCore
import IDGateMatching
import IDGateStore

/// Reads the flat JSON object of a `/v1/documents/verify` or `/v1/organizations/match` body: every member a
/// string, each key known and given once. Malformed JSON anywhere wins (`invalid_json`, 400, with the byte
/// offset); then the first unknown key (`unknown_field`), duplicate key or non-string value (`invalid_field`), as
/// the identity-match parser orders them.
struct KindRequestReader {
    /// The members in the order given.
    private(set) var members: [(name: String, value: String)] = []

    static func read(_ body: UnsafeRawBufferPointer, known: Set<String>) -> Result<KindRequestReader, WireError> {
        var reader = KindRequestReader()
        var cursor = JSONCursor(body)
        var scratch: [UInt8] = []
        var fieldError: WireError?
        do throws(JSONCursor.SyntaxError) {
            guard !body.isEmpty else { throw cursor.fail("empty body") }
            try cursor.consume(UInt8(ascii: "{"), "expected a JSON object")
            if try cursor.peek() == UInt8(ascii: "}") {
                cursor.index += 1
            } else {
                while true {
                    guard try cursor.peek() == UInt8(ascii: "\"") else { throw cursor.fail("expected a string key") }
                    let key = try cursor.readString(scratch: &scratch) { String(decoding: $0, as: UTF8.self) }
                    try cursor.consume(UInt8(ascii: ":"), "expected ':'")
                    if try cursor.peek() == UInt8(ascii: "\"") {
                        let value = try cursor.readString(scratch: &scratch) { String(decoding: $0, as: UTF8.self) }
                        if fieldError == nil {
                            if !known.contains(key) {
                                fieldError = WireError(.unknownField, message: "unknown field \"\(key)\"", field: key)
                            } else if reader.members.contains(where: { $0.name == key }) {
                                fieldError = WireError(.invalidField, message: "\(key) is given more than once", field: key)
                            }
                        }
                        reader.members.append((key, value))
                    } else {
                        try cursor.skipValue(scratch: &scratch)
                        if fieldError == nil {
                            fieldError =
                                known.contains(key)
                                ? WireError(.invalidField, message: "\(key) must be a string", field: key)
                                : WireError(.unknownField, message: "unknown field \"\(key)\"", field: key)
                        }
                    }
                    if try cursor.peek() == UInt8(ascii: ",") {
                        cursor.index += 1
                        continue
                    }
                    try cursor.consume(UInt8(ascii: "}"), "expected ',' or '}'")
                    break
                }
            }
            cursor.skipWhitespace()
            guard cursor.isAtEnd else { throw cursor.fail("unexpected data after the JSON object") }
        } catch {
            return .failure(WireError.invalidJSON(at: error.offset, error.reason.description))
        }
        if let fieldError { return .failure(fieldError) }
        return .success(reader)
    }

    func value(_ name: String) -> String? { members.first { $0.name == name }?.value }

    /// A required text member: present, not blank, no control characters, at most `maximumLength` bytes.
    func text(_ name: String, required: Bool, maximumLength: Int = 256) -> Result<String?, WireError> {
        guard let value = value(name) else {
            return required ? .failure(WireError(.missingField, message: "\(name) is required", field: name)) : .success(nil)
        }
        if let problem = Self.textProblem(value, maximumLength: maximumLength, blankAllowed: false) {
            return .failure(WireError(.invalidField, message: "\(name) \(problem)", field: name))
        }
        return .success(value)
    }

    static func textProblem(_ value: String, maximumLength: Int, blankAllowed: Bool) -> String? {
        if value.utf8.count > maximumLength { return "is longer than \(maximumLength) bytes" }
        if value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "contains a control character" }
        if !blankAllowed && value.utf8.allSatisfy({ $0 == 0x20 }) { return "is empty" }
        return nil
    }

    /// `purpose` and `ref`, checked as for identity matches.
    func purposeAndRef() -> Result<(purpose: String?, ref: String?), WireError> {
        let purpose = value("purpose")
        if let purpose, let problem = Self.textProblem(purpose, maximumLength: 64, blankAllowed: false) {
            return .failure(WireError(.invalidField, message: "purpose \(problem)", field: "purpose"))
        }
        let ref = value("ref")
        if let ref, let problem = Self.textProblem(ref, maximumLength: 128, blankAllowed: true) {
            return .failure(WireError(.invalidField, message: "ref \(problem)", field: "ref"))
        }
        return .success((purpose, ref))
    }

    /// The ID number in `name`, checked like `idNumber` of an identity match.
    func idNumber(_ name: String, required: Bool) -> Result<IDNumber?, WireError> {
        guard var value = value(name) else {
            return required ? .failure(WireError(.missingField, message: "\(name) is required", field: name)) : .success(nil)
        }
        let parsed = value.withUTF8 { IDNumber.parse(UnsafeRawBufferPointer($0)) }
        switch parsed {
        case .success(let id): return .success(id)
        case .failure(.notTwelveDigits):
            return .failure(WireError(.invalidField, message: "\(name) must be 12 digits (a citizen ID number)", field: name))
        case .failure(.unknownProvince(let code)):
            return .failure(WireError(.invalidField, message: "\(name) has unknown province code \(code)", field: name))
        }
    }

    func date(_ name: String) -> Result<PartialDate?, WireError> {
        guard let value = value(name) else { return .success(nil) }
        guard let date = PartialDate(iso: value) else {
            return .failure(WireError(.invalidField, message: "\(name) must be a real date as YYYY-MM-DD, YYYY-MM or YYYY", field: name))
        }
        return .success(date)
    }

    /// SHA-256 of `name=value\n` for each member present, in `order` (the request digest's canonical form).
    func digest(order: [String]) -> SHA256Key {
        var canonical: [UInt8] = []
        for name in order {
            guard let value = value(name) else { continue }
            canonical.append(contentsOf: name.utf8)
            canonical.append(UInt8(ascii: "="))
            canonical.append(contentsOf: value.utf8)
            canonical.append(0x0A)
        }
        return canonical.withUnsafeBytes { SHA256Key.hashing($0) }
    }
}
