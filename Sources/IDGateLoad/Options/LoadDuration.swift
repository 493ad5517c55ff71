import Foundation

/// Parses durations written as `500ms`, `30s`, `5m`, `1h` (a bare number means seconds) into nanoseconds.
public enum LoadDuration {
    public static func nanoseconds(_ text: String) throws -> UInt64 {
        let units: [(suffix: String, nanos: Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // A year at most: beyond UInt64's range the conversion would trap instead of refusing.
        func bounded(_ nanos: Double) -> UInt64? { nanos >= 0 && nanos <= 365 * 86_400e9 ? UInt64(nanos) : nil }
        for (suffix, nanos) in units where trimmed.hasSuffix(suffix) {
            if let value = Double(trimmed.dropLast(suffix.count)), let result = bounded(value * nanos) { return result }
            throw LoadOptionError.invalid("duration", text)
        }
        if let value = Double(trimmed), let result = bounded(value * 1e9) { return result }
        throw LoadOptionError.invalid("duration", text)
    }
}
