/// The `--report` page: one self-contained HTML file (inline CSS and SVG, no scripts) with the verdict, throughput
/// and latency over time, the latency percentile distribution, and every counter of the summary.
public enum HTMLReport {
    public static func render(_ summary: LoadSummary, title: String = "idgate-load report") -> String {
        var html = """
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:980px}
        table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ddd;padding:4px 10px;text-align:right}
        th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.ok{color:#1a7f37}.bad{color:#c62828}
        .cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px}
        .card b{display:block;font-size:20px}</style></head><body>
        <h1>\(escape(title))</h1>
        <p>Target <code>\(escape(summary.target))</code>, \(summary.mode)\(summary.targetRate.map { " at \($0.formatted(decimals: 0)) req/s" } ?? ""),
        \(summary.connections) connections × \(summary.streamsPerConnection) streams,
        warm-up \(summary.warmupSeconds.formatted(decimals: 1)) s (excluded), measured \(summary.measuredSeconds.formatted(decimals: 1)) s.</p>
        <div class="cards">
        \(card("requests", String(summary.requests)))
        \(card("rate", summary.achievedRate.formatted(decimals: 0) + " req/s"))
        \(card("errors", String(summary.errors), bad: summary.errors > 0))
        \(card("p50", millis(summary.latency.p50) + " ms"))
        \(card("p99", millis(summary.latency.p99) + " ms"))
        \(card("p99.9", millis(summary.latency.p999) + " ms"))
        \(card("max", millis(summary.latency.max) + " ms"))
        </div>
        """
        let measured = summary.timeline.filter(\.measured)
        html += SVGLineChart(
            title: "Throughput", xLabel: "seconds since start", yLabel: "requests / s",
            series: [
                .init(name: "requests/s", color: "#1565c0", points: measured.map { (Double($0.second), Double($0.requests)) }),
                .init(name: "errors/s", color: "#c62828", points: measured.map { (Double($0.second), Double($0.errors)) }),
            ]).render()
        html += SVGLineChart(
            title: "Latency over time", xLabel: "seconds since start", yLabel: "milliseconds",
            series: [
                .init(name: "p50", color: "#2e7d32", points: measured.map { (Double($0.second), Double($0.p50) / 1000) }),
                .init(name: "p99", color: "#ef6c00", points: measured.map { (Double($0.second), Double($0.p99) / 1000) }),
            ]).render()
        html += SVGLineChart(
            title: "Latency percentile distribution", xLabel: "percentile", yLabel: "milliseconds",
            series: [.init(name: "all operations", color: "#222", points: summary.latencyDistribution.map {
                ($0.percentile, Double($0.micros) / 1000) })],
            percentileAxis: true).render()

        html += "<h2>Latency by operation (ms)</h2><table><tr><th>operation</th><th>requests</th><th>responses</th>"
            + "<th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>"
        for (name, operation) in summary.operations.sorted(by: { $0.key < $1.key }) {
            html += latencyRow(name, operation.latency, extra: [String(operation.requests), String(operation.responses)])
        }
        html += "</table>"
        if summary.operations.values.contains(where: { !$0.byDecision.isEmpty }) {
            html += "<h2>Latency by decision (ms, 2xx responses)</h2><table><tr><th>operation / decision</th>"
                + "<th>responses</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>"
            for (name, operation) in summary.operations.sorted(by: { $0.key < $1.key }) {
                for (decision, latency) in operation.byDecision.sorted(by: { $0.key < $1.key }) {
                    html += latencyRow("\(name) / \(decision)", latency, extra: [String(latency.count)])
                }
            }
            html += "</table>"
        }
        html += "<h2>Outcomes</h2><table><tr><th>operation</th><th>kind</th><th>value</th><th>count</th></tr>"
        for (name, operation) in summary.operations.sorted(by: { $0.key < $1.key }) {
            for (status, count) in operation.byStatus.sorted(by: { $0.key < $1.key }) {
                html += outcomeRow(name, "HTTP status", status, count, bad: !status.hasPrefix("2"))
            }
            for (code, count) in operation.errorCodes.sorted(by: { $0.key < $1.key }) {
                html += outcomeRow(name, "error code", code, count, bad: true)
            }
            for (kind, count) in operation.transportErrors.sorted(by: { $0.key < $1.key }) {
                html += outcomeRow(name, "transport error", kind, count, bad: true)
            }
        }
        for (kind, count) in summary.connectErrors.sorted(by: { $0.key < $1.key }) {
            html += outcomeRow("connections", "connect error", kind, count, bad: true)
        }
        if summary.unsent > 0 { html += outcomeRow("all", "not sent before timeout", "unsent", summary.unsent, bad: true) }
        html += outcomeRow("connections", "opened", "", summary.connectionsOpened, bad: false)
        html += "</table>"
        if let soak = summary.soak { html += soakSection(soak) }
        return html + "<p style=\"color:#777\">Latency is measured from the intended send time in open-loop runs, so stalls are not hidden.</p></body></html>\n"
    }

    private static func soakSection(_ rows: [SoakRow]) -> String {
        var html = "<h2>Soak intervals</h2>"
        html += SVGLineChart(
            title: "Target resident memory", xLabel: "seconds since start", yLabel: "MiB",
            series: [.init(name: "RSS", color: "#6a1b9a", points: rows.compactMap { row in
                row.residentMemoryBytes.map { (Double(row.endSecond), $0 / 1_048_576) } })]).render()
        html += "<table><tr><th>end (s)</th><th>rate</th><th>p50 ms</th><th>p99 ms</th><th>errors</th><th>RSS MiB</th><th>open fds</th><th>drift</th></tr>"
        for row in rows {
            html += "<tr><td>\(row.endSecond)</td><td>\(row.rate.formatted(decimals: 0))</td><td>\(millis(row.p50))</td>"
                + "<td>\(millis(row.p99))</td><td>\(row.errors)</td>"
                + "<td>\(row.residentMemoryBytes.map { ($0 / 1_048_576).formatted(decimals: 1) } ?? "n/a")</td>"
                + "<td>\(row.openFileDescriptors.map { String(Int($0)) } ?? "n/a")</td>"
                + "<td class=\"\(row.flags.isEmpty ? "ok" : "bad")\">\(row.flags.isEmpty ? "none" : escape(row.flags.joined(separator: ", ")))</td></tr>"
        }
        return html + "</table>"
    }

    private static func card(_ label: String, _ value: String, bad: Bool = false) -> String {
        "<div class=\"card\">\(escape(label))<b class=\"\(bad ? "bad" : "")\">\(escape(value))</b></div>"
    }

    private static func latencyRow(_ name: String, _ latency: LatencySummary, extra: [String]) -> String {
        let cells = extra + [latency.p50, latency.p90, latency.p99, latency.p999, latency.max].map(millis)
        return "<tr><td>\(escape(name))</td>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>"
    }

    private static func outcomeRow(_ operation: String, _ kind: String, _ value: String, _ count: UInt64, bad: Bool) -> String {
        "<tr><td>\(escape(operation))</td><td>\(escape(kind))</td><td class=\"\(bad ? "bad" : "ok")\">\(escape(value))</td><td>\(count)</td></tr>"
    }

    static func millis(_ micros: UInt64) -> String { (Double(micros) / 1000).formatted(decimals: 3) }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
