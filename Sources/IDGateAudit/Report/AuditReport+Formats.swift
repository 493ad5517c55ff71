import Foundation
import IDGateCore
import IDGateWire

/// The report as CSV (one row per client, operation and purpose), JSON (the same rows plus per-client totals) and
/// a self-contained HTML page (tables and inline SVG bar charts; no script, no external asset, so it can be
/// archived and opened offline).
extension AuditReport {
    public enum Format: String, CaseIterable, Sendable {
        case csv, json, html
    }

    public func rendered(as format: Format) -> String {
        switch format {
        case .csv: csv()
        case .json: json()
        case .html: html()
        }
    }

    // MARK: CSV

    static let csvColumns =
        ["client", "operation", "purpose", "requests"] + decisionNames
        + ["not_found_rate", "distinct_subjects", "refused", "refusals_by_status"]

    /// RFC 4180: a header line, then one line per row; fields quoted when they hold a comma, quote or line break.
    public func csv() -> String {
        var lines = [Self.csvColumns.joined(separator: ",")]
        for row in rows {
            let fields =
                [row.key.client, row.key.operation, row.key.purpose, String(row.requests)]
                + Self.decisionNames.map { String(row.decisions[$0] ?? 0) }
                + [Self.rateText(row.notFoundRate), String(row.distinctSubjects), String(row.refused),
                   Self.refusalText(row.refusals)]
            lines.append(fields.map(Self.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: JSON

    public var jsonObject: [String: Any] {
        func object(_ row: Row, withSubjects: Bool) -> [String: Any] {
            var object: [String: Any] = [
                "client": row.key.client, "operation": row.key.operation, "purpose": row.key.purpose,
                "requests": row.requests,
                "decisions": Dictionary(uniqueKeysWithValues: Self.decisionNames.map { ($0, row.decisions[$0] ?? 0) }),
                "notFoundRate": (row.notFoundRate * 10_000).rounded() / 10_000,
                "refused": row.refused,
                "refusalsByStatus": Dictionary(uniqueKeysWithValues: row.refusals.map { (String($0.key), $0.value) }),
            ]
            if withSubjects { object["distinctSubjects"] = row.distinctSubjects }
            return object
        }
        var report: [String: Any] = [
            "from": AuditTime.format(from), "to": AuditTime.format(to), "recordsInPeriod": recordsInPeriod,
            "rows": rows.map { object($0, withSubjects: true) },
            "clients": clientTotals.map { object($0, withSubjects: false) },
        ]
        if let client { report["client"] = client }
        return report
    }

    public func json() -> String {
        let data = (try? JSONSerialization.data(
            withJSONObject: jsonObject, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    // MARK: HTML

    /// Colours per decision (and refusals) shared by the charts and their legends.
    private static let colours: [String: String] = [
        "match": "#2e7d32", "partial": "#f9a825", "mismatch": "#c62828", "not_found": "#6a1b9a", "valid": "#1565c0",
        "invalid": "#ad1457", "refused": "#757575",
    ]

    public func html() -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>idgate audit report</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:1em 0}
            th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}
            th{background:#f3f3f3}
            td.text{text-align:left}
            .legend span{display:inline-block;margin-right:1em}
            .legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:middle}
            </style></head><body>
            <h1>Audit report</h1>

            """
        page += "<p>Period: <b>\(Self.escape(AuditTime.format(from)))</b> to <b>\(Self.escape(AuditTime.format(to)))</b>"
        if let client { page += ", client <b>\(Self.escape(client))</b>" }
        page += ". Records in the period: \(recordsInPeriod). Subjects are counted by their keyed hash; no personal data.</p>\n"
        let totals = clientTotals
        page += "<h2>Answers and refusals per client</h2>\n" + legend() + decisionChart(totals)
        page += "<h2>not_found rate per client</h2>\n" + rateChart(totals)
        page += "<h2>Per client, operation and purpose</h2>\n<table>\n<tr>"
        page += Self.csvColumns.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>\n"
        for row in rows {
            page += "<tr><td class=\"text\">\(Self.escape(row.key.client))</td><td class=\"text\">\(Self.escape(row.key.operation))</td>"
            page += "<td class=\"text\">\(Self.escape(row.key.purpose))</td><td>\(row.requests)</td>"
            page += Self.decisionNames.map { "<td>\(row.decisions[$0] ?? 0)</td>" }.joined()
            page += "<td>\(Self.rateText(row.notFoundRate))</td><td>\(row.distinctSubjects)</td><td>\(row.refused)</td>"
            page += "<td class=\"text\">\(Self.escape(Self.refusalText(row.refusals)))</td></tr>\n"
        }
        page += "</table>\n</body></html>\n"
        return page
    }

    private func legend() -> String {
        "<p class=\"legend\">" + (Self.decisionNames + ["refused"]).map {
            "<span><i style=\"background:\(Self.colours[$0]!)\"></i>\($0)</span>"
        }.joined() + "</p>\n"
    }

    /// One horizontal stacked bar per client: its answers by decision, then its refusals, scaled to the busiest.
    private func decisionChart(_ totals: [Row]) -> String {
        let labelWidth = 160.0, barWidth = 560.0, rowHeight = 24.0
        let largest = Double(max(1, totals.map(\.requests).max() ?? 1))
        let height = Double(totals.count) * rowHeight + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(labelWidth + barWidth + 80))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"answers per client\">\n"
        for (index, row) in totals.enumerated() {
            let y = Double(index) * rowHeight + 5
            svg += "<text x=\"0\" y=\"\(Self.number(y + 15))\" font-size=\"13\">\(Self.escape(row.key.client))</text>\n"
            var x = labelWidth
            let segments = Self.decisionNames.map { ($0, row.decisions[$0] ?? 0) } + [("refused", row.refused)]
            for (name, count) in segments where count > 0 {
                let width = Double(count) / largest * barWidth
                svg += "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" height=\"18\" fill=\"\(Self.colours[name]!)\"><title>\(name): \(count)</title></rect>\n"
                x += width
            }
            svg += "<text x=\"\(Self.number(x + 6))\" y=\"\(Self.number(y + 14))\" font-size=\"12\">\(row.requests)</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// One bar per client: the share of not_found among its match answers, on a 0-100 % axis.
    private func rateChart(_ totals: [Row]) -> String {
        let labelWidth = 160.0, barWidth = 400.0, rowHeight = 24.0
        let height = Double(totals.count) * rowHeight + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(labelWidth + barWidth + 80))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"not_found rate per client\">\n"
        for (index, row) in totals.enumerated() {
            let y = Double(index) * rowHeight + 5
            let width = row.notFoundRate * barWidth
            svg += "<text x=\"0\" y=\"\(Self.number(y + 15))\" font-size=\"13\">\(Self.escape(row.key.client))</text>\n"
            svg += "<rect x=\"\(Self.number(labelWidth))\" y=\"\(Self.number(y))\" width=\"\(Self.number(barWidth))\" height=\"18\" fill=\"#eeeeee\"/>\n"
            svg += "<rect x=\"\(Self.number(labelWidth))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" height=\"18\" fill=\"\(Self.colours["not_found"]!)\"/>\n"
            svg += "<text x=\"\(Self.number(labelWidth + barWidth + 6))\" y=\"\(Self.number(y + 14))\" font-size=\"12\">\(String(format: "%.1f", row.notFoundRate * 100)) %</text>\n"
        }
        return svg + "</svg>\n"
    }

    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Text for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
