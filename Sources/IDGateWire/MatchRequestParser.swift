import IDGateCore
import IDGateMatching

/// Parses a `/v1/identity/match` body straight from bytes into a validated `MatchRequest`, in one pass.
///
/// Strict: unknown fields (`unknown_field`), duplicate fields, values of the wrong type or layout
/// (`invalid_field`), a missing ID number or nothing to compare (`missing_field`). Malformed JSON anywhere in the
/// body wins over those (`invalid_json`, 400, with the byte offset), so the parser keeps reading after the first
/// field error. Reuse one parser per thread: its buffers keep their capacity, so steady state allocates nothing.
public struct MatchRequestParser: Sendable {
    /// The last parsed request (valid after `parse` returned nil; after a failure it holds whatever was readable,
    /// e.g. `ref` for a batch error line).
    public private(set) var request = MatchRequest()
    private var scratch: [UInt8] = []

    public init() {
        scratch.reserveCapacity(256)
    }

    /// Parses `body`; nil on success (the result is in `request`), else the error to answer.
    public mutating func parse(_ body: UnsafeRawBufferPointer) -> WireError? {
        request.reset()
        var scratch = self.scratch  // a local, so string reads can lend into `request` without overlapping access
        self.scratch = []
        defer { self.scratch = scratch }
        var cursor = JSONCursor(body)
        var fieldError: WireError?
        do throws(JSONCursor.SyntaxError) {
            guard !body.isEmpty else { throw cursor.fail("empty body") }
            try cursor.consume(UInt8(ascii: "{"), "expected a JSON object")
            if try cursor.peek() == UInt8(ascii: "}") {
                cursor.index += 1
            } else {
                try readMembers(&cursor, scratch: &scratch, firstError: &fieldError)
            }
            cursor.skipWhitespace()
            guard cursor.isAtEnd else { throw cursor.fail("unexpected data after the JSON object") }
        } catch {
            return WireError.invalidJSON(at: error.offset, error.reason.description)
        }
        if let fieldError { return fieldError }
        if let problem = request.validate() { return WireError(problem) }
        return nil
    }

    /// The submitted `ref` when it could be read (also after a failed parse), for echoing in an error line.
    public var ref: String? { request.text(.ref) }

    private mutating func readMembers(
        _ cursor: inout JSONCursor, scratch: inout [UInt8], firstError: inout WireError?
    ) throws(JSONCursor.SyntaxError)
    {
        while true {
            guard try cursor.peek() == UInt8(ascii: "\"") else { throw cursor.fail("expected a string key") }
            var unknownKey: String?
            let key = try cursor.scanString(scratch: &scratch)
            let field =
                key.inScratch
                ? scratch.withUnsafeBytes { RequestField(wireName: $0) } : RequestField(wireName: cursor.slice(key))
            if field == nil {
                unknownKey =
                    key.inScratch
                    ? String(decoding: scratch, as: UTF8.self)
                    : String(decoding: cursor.slice(key), as: UTF8.self)
            }
            try cursor.consume(UInt8(ascii: ":"), "expected ':'")
            if let field {
                try readValue(of: field, &cursor, scratch: &scratch, firstError: &firstError)
            } else {
                try cursor.skipValue(scratch: &scratch)
                if firstError == nil {
                    firstError = WireError(
                        .unknownField, message: "unknown field \"\(unknownKey ?? "")\"", field: unknownKey)
                }
            }
            if try cursor.peek() == UInt8(ascii: ",") {
                cursor.index += 1
                continue
            }
            try cursor.consume(UInt8(ascii: "}"), "expected ',' or '}'")
            return
        }
    }

    private mutating func readValue(
        of field: RequestField, _ cursor: inout JSONCursor, scratch: inout [UInt8], firstError: inout WireError?
    ) throws(JSONCursor.SyntaxError) {
        guard try cursor.peek() == UInt8(ascii: "\"") else {
            try cursor.skipValue(scratch: &scratch)
            if firstError == nil {
                firstError = WireError(
                    .invalidField, message: "\(field.wireName) must be a string", field: field.wireName)
            }
            return
        }
        let string = try cursor.scanString(scratch: &scratch)
        let problem =
            string.inScratch
            ? scratch.withUnsafeBytes { request.set(field, utf8: $0) } : request.set(field, utf8: cursor.slice(string))
        if let problem, firstError == nil { firstError = WireError(problem) }
    }
}
