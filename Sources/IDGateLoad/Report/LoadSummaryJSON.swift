import Foundation

/// The `--json` file: the summary with stable key order.
public enum LoadSummaryJSON {
    public static func encode(_ summary: LoadSummary) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(summary)
    }

    public static func decode(_ data: Data) throws -> LoadSummary {
        try JSONDecoder().decode(LoadSummary.self, from: data)
    }
}
