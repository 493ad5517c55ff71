/// Where a running import is, for progress bars and log lines.
public struct ImportProgress: Sendable {
    public enum Phase: String, Sendable {
        case reading, sorting, writing, done
    }

    public var phase: Phase
    /// Rows handled so far in this phase.
    public var rows: Int
    /// Rows this phase will handle, when known (reading knows bytes, not rows).
    public var totalRows: Int?
    public var bytesRead: Int
    public var totalBytes: Int
    public var elapsedSeconds: Double
    /// Documents, organizations and foreign residents written beside the residents.
    public var kinds = KindImportInput.Counts()

    /// Fraction done of the current phase, 0...1.
    public var fractionDone: Double {
        if let totalRows, totalRows > 0 { return min(1, Double(rows) / Double(totalRows)) }
        return totalBytes > 0 ? min(1, Double(bytesRead) / Double(totalBytes)) : 0
    }
}

/// The outcome of an import.
public struct ImportSummary: Sendable, Equatable {
    public var imported: Int
    /// Rows left out with `skipInvalid`.
    public var rejected: Int
    public var generation: String
    public var sequence: UInt64
    public var elapsedSeconds: Double
    /// Documents, organizations and foreign residents written beside the residents.
    public var kinds = KindImportInput.Counts()

    public var recordsPerSecond: Double { elapsedSeconds > 0 ? Double(imported) / elapsedSeconds : 0 }
}
