import Foundation

/// Parses durations written as `500ms`, `30s`, `5m`, `1h` (a bare number means seconds) into nanoseconds.
public enum LoadDuration {
    public static func nanoseconds(_ text: String) throws -> UInt64 {
        let units: [(suffix: String, nanos: Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, nanos) in units where trimmed.hasSuffix(suffix) {
            if let value = Double(trimmed.dropLast(suffix.count)), value >= 0, value.isFinite { return UInt64(value * nanos) }
            throw LoadOptionError.invalid("duration", text)
        }
        if let value = Double(trimmed), value >= 0, value.isFinite { return UInt64(value * 1e9) }
        throw LoadOptionError.invalid("duration", text)
    }
}
