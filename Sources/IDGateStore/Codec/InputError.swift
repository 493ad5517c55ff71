/// A rejected input row: which line, which field, and why, phrased for the operator who has to fix the file.
public struct InputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line number in the input file (the header is line 1 of a CSV file).
    public var line: Int
    /// The field (NDJSON key or CSV column) at fault, when one is.
    public var field: String?
    public var reason: String

    public init(line: Int, field: String? = nil, reason: String) {
        self.line = line
        self.field = field
        self.reason = reason
    }

    public var description: String {
        if let field { "line \(line): field '\(field)': \(reason)" } else { "line \(line): \(reason)" }
    }
}
