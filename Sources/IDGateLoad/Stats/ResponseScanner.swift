import Foundation
import NIOCore

/// Reads the few things the load generator needs from a JSON response body without decoding it: the `decision`,
/// the error `code`, and the chip challenge fields. A byte search over the buffer; no allocation unless a value is
/// returned as a String.
enum ResponseScanner {
    /// The value of the first `"key": "value"` string pair in `body`, as raw bytes handed to `use`.
    static func withStringValue<Result>(
        of key: StaticString, in body: ByteBuffer, _ use: (UnsafeRawBufferPointer?) -> Result
    ) -> Result {
        body.withUnsafeReadableBytes { bytes in
            key.withUTF8Buffer { keyBytes in use(findValue(key: keyBytes, in: bytes)) }
        }
    }

    static func stringValue(of key: StaticString, in body: ByteBuffer) -> String? {
        withStringValue(of: key, in: body) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The decision of a match or chip verify response, interned.
    static func decision(in body: ByteBuffer) -> ResponseDecision {
        withStringValue(of: "decision", in: body) { value in
            guard let value else { return .none }
            return ResponseDecision.allCases.first { $0.matches(value) } ?? .other
        }
    }

    private static func findValue(key: UnsafeBufferPointer<UInt8>, in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let quote = UInt8(ascii: "\"")
        let count = bytes.count
        let keyCount = key.count
        var index = 0
        while index + keyCount + 2 < count {
            if bytes[index] == quote && bytes[index + keyCount + 1] == quote
                && memcmp(bytes.baseAddress! + index + 1, key.baseAddress!, keyCount) == 0
            {
                var cursor = index + keyCount + 2
                while cursor < count && (bytes[cursor] == 0x20 || bytes[cursor] == 0x09) { cursor += 1 }
                guard cursor < count, bytes[cursor] == UInt8(ascii: ":") else { index += 1; continue }
                cursor += 1
                while cursor < count && (bytes[cursor] == 0x20 || bytes[cursor] == 0x09) { cursor += 1 }
                guard cursor < count, bytes[cursor] == quote else { return nil }
                let start = cursor + 1
                var end = start
                while end < count && bytes[end] != quote { end += (bytes[end] == UInt8(ascii: "\\")) ? 2 : 1 }
                guard end < count else { return nil }
                return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            }
            index += 1
        }
        return nil
    }
}

/// The decisions of API.md, plus `none` (no decision in the body) and `other` (an unexpected value).
public enum ResponseDecision: String, CaseIterable, Sendable, Codable {
    case match, partial, mismatch, notFound = "not_found", valid, invalid, none, other

    func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard self != .none, self != .other else { return false }
        return bytes.elementsEqual(rawValue.utf8)
    }
}
