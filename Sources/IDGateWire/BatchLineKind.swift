import Foundation
import IDGateCore

/// What a batch line asks about (`/v1/identity/match:batch`, offline `idgate match`): its top-level `"kind"`
/// member, `identity` (the default), `document` (a `/v1/documents/verify` body) or `organization` (a
/// `/v1/organizations/match` body). docs/API.md, "Batch".
public enum BatchLineKind: String, Sendable, CaseIterable {
    case identity, document, organization

    public static let wireNames = allCases.map(\.rawValue).joined(separator: ", ")

    /// A line's kind, and the bytes its kind's parser reads.
    public struct Reading: Sendable {
        public var kind: BatchLineKind
        /// True when the line had a `"kind"` member: the body to parse is then `blanked` (the line with that member
        /// and its comma overwritten with spaces, so the kind parsers stay strict and byte offsets in errors stay
        /// right); false: the line itself.
        public var isBlanked: Bool
        /// The line's top-level `ref` string when one could be read (echoed by error lines).
        public var ref: String?
    }

    /// A line refused for its `kind`, with the line's `ref` when it could be read.
    public struct Refusal: Error, Sendable {
        public var error: WireError
        public var ref: String?
    }

    /// Reads the kind of `line`. A line without the bytes `"kind"` (every identity line of earlier clients) costs one
    /// scan from quote to quote (`memchr`). A line whose JSON cannot be read is left to the identity parser, which reports where it breaks. An
    /// unknown or repeated kind, or one that is not a string, is `invalid_field` naming `kind`.
    public static func read(
        _ line: UnsafeRawBufferPointer, blanked: inout [UInt8]
    ) -> Result<Reading, Refusal> {
        guard mentionsKind(line) else { return .success(Reading(kind: .identity, isBlanked: false)) }
        var cursor = JSONCursor(line)
        var scratch: [UInt8] = []
        var member: (start: Int, end: Int)?
        var kindText: String?
        var kindProblem: String?
        var ref: String?
        do throws(JSONCursor.SyntaxError) {
            try cursor.consume(UInt8(ascii: "{"), "expected a JSON object")
            if try cursor.peek() != UInt8(ascii: "}") {
                while true {
                    guard try cursor.peek() == UInt8(ascii: "\"") else { throw cursor.fail("expected a string key") }
                    let keyStart = cursor.index
                    let key = try cursor.readString(scratch: &scratch) { String(decoding: $0, as: UTF8.self) }
                    try cursor.consume(UInt8(ascii: ":"), "expected ':'")
                    let isString = try cursor.peek() == UInt8(ascii: "\"")
                    if (key == "kind" || key == "ref") && isString {
                        let value = try cursor.readString(scratch: &scratch) { String(decoding: $0, as: UTF8.self) }
                        if key == "ref" { ref = value } else if member == nil { kindText = value }
                    } else {
                        try cursor.skipValue(scratch: &scratch)
                    }
                    if key == "kind" {
                        if member != nil {
                            kindProblem = kindProblem ?? "kind is given more than once"
                        } else {
                            member = (keyStart, cursor.index)
                            if !isString { kindProblem = "kind must be a string: one of \(wireNames)" }
                        }
                    }
                    if try cursor.peek() == UInt8(ascii: ",") {
                        cursor.index += 1
                        continue
                    }
                    try cursor.consume(UInt8(ascii: "}"), "expected ',' or '}'")
                    break
                }
            } else {
                cursor.index += 1
            }
        } catch {
            return .success(Reading(kind: .identity, isBlanked: false))
        }
        guard let member else { return .success(Reading(kind: .identity, isBlanked: false, ref: ref)) }
        if let kindProblem { return .failure(Refusal(error: WireError(.invalidField, message: kindProblem, field: "kind"), ref: ref)) }
        guard let kindText, let kind = BatchLineKind(rawValue: kindText) else {
            return .failure(Refusal(
                error: WireError(.invalidField, message: "kind must be one of \(wireNames)", field: "kind"), ref: ref))
        }
        blanked.removeAll(keepingCapacity: true)
        blanked.append(contentsOf: line)
        for index in member.start..<member.end { blanked[index] = 0x20 }
        // The member's comma: the one after it, else (last member) the one before it.
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        var after = member.end
        while after < blanked.count, isSpace(blanked[after]) { after += 1 }
        if after < blanked.count, blanked[after] == UInt8(ascii: ",") {
            blanked[after] = 0x20
        } else {
            var before = member.start - 1
            while before > 0, isSpace(blanked[before]) { before -= 1 }
            if blanked[before] == UInt8(ascii: ",") { blanked[before] = 0x20 }
        }
        return .success(Reading(kind: kind, isBlanked: true, ref: ref))
    }

    /// Whether the bytes `"kind"` occur in `line`.
    static func mentionsKind(_ line: UnsafeRawBufferPointer) -> Bool {
        guard line.count >= 6, let base = line.baseAddress else { return false }
        var index = 0
        while index + 6 <= line.count, let found = memchr(base + index, 0x22, line.count - 6 - index + 1) {
            let at = UnsafeRawPointer(found) - base
            if line[at + 1] == UInt8(ascii: "k"), line[at + 2] == UInt8(ascii: "i"), line[at + 3] == UInt8(ascii: "n"),
                line[at + 4] == UInt8(ascii: "d"), line[at + 5] == 0x22
            {
                return true
            }
            index = at + 1
        }
        return false
    }
}
