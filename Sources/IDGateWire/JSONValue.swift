import IDGateCore

/// A small general JSON document model for request bodies that are not on the match hot path (the chip verify
/// request): parsed with the same strict reader as match requests, duplicate keys rejected, member order kept.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's text as written (already checked against the JSON grammar), so no precision is lost.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([Member])

    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue
    }

    /// Parses a whole body; `invalid_json` (with byte offset) for malformed input or a duplicate key.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<JSONValue, WireError> {
        var cursor = JSONCursor(bytes)
        var scratch: [UInt8] = []
        do throws(JSONCursor.SyntaxError) {
            let value = try read(&cursor, scratch: &scratch, depth: 0)
            cursor.skipWhitespace()
            guard cursor.isAtEnd else { throw cursor.fail("unexpected data after the JSON value") }
            return .success(value)
        } catch {
            return .failure(.invalidJSON(at: error.offset, error.reason.description))
        }
    }

    /// The value of `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    private static func read(_ cursor: inout JSONCursor, scratch: inout [UInt8], depth: Int)
        throws(JSONCursor.SyntaxError) -> JSONValue
    {
        guard depth < JSONCursor.maximumDepth else { throw cursor.fail("nesting too deep") }
        let start = cursor.index
        switch try cursor.peek() {
        case UInt8(ascii: "\""):
            return .string(try cursor.readString(scratch: &scratch) { String(decoding: $0, as: UTF8.self) })
        case UInt8(ascii: "{"):
            cursor.index += 1
            var members: [Member] = []
            if try cursor.peek() == UInt8(ascii: "}") {
                cursor.index += 1
                return .object(members)
            }
            while true {
                guard try cursor.peek() == UInt8(ascii: "\"") else { throw cursor.fail("expected a string key") }
                let keyOffset = cursor.index
                let key = try cursor.readString(scratch: &scratch) { String(decoding: $0, as: UTF8.self) }
                if members.contains(where: { $0.key == key }) { throw cursor.fail("duplicate key", at: keyOffset) }
                try cursor.consume(UInt8(ascii: ":"), "expected ':'")
                members.append(Member(key: key, value: try read(&cursor, scratch: &scratch, depth: depth + 1)))
                if try cursor.peek() == UInt8(ascii: ",") {
                    cursor.index += 1
                    continue
                }
                try cursor.consume(UInt8(ascii: "}"), "expected ',' or '}'")
                return .object(members)
            }
        case UInt8(ascii: "["):
            cursor.index += 1
            var elements: [JSONValue] = []
            if try cursor.peek() == UInt8(ascii: "]") {
                cursor.index += 1
                return .array(elements)
            }
            while true {
                elements.append(try read(&cursor, scratch: &scratch, depth: depth + 1))
                if try cursor.peek() == UInt8(ascii: ",") {
                    cursor.index += 1
                    continue
                }
                try cursor.consume(UInt8(ascii: "]"), "expected ',' or ']'")
                return .array(elements)
            }
        default:
            try cursor.skipValue(scratch: &scratch, depth: depth)
            let text = UnsafeRawBufferPointer(rebasing: cursor.bytes[cursor.index(afterWhitespaceFrom: start)..<cursor.index])
            switch text.first {
            case UInt8(ascii: "t"): return .bool(true)
            case UInt8(ascii: "f"): return .bool(false)
            case UInt8(ascii: "n"): return .null
            default: return .number(String(decoding: text, as: UTF8.self))
            }
        }
    }
}

extension JSONCursor {
    /// The first non-whitespace index at or after `offset`.
    func index(afterWhitespaceFrom offset: Int) -> Int {
        var position = offset
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
        return position
    }
}
