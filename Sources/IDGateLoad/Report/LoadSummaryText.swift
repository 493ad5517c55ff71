/// The end-of-run table printed on stdout.
public enum LoadSummaryText {
    public static func render(_ summary: LoadSummary) -> String {
        func ms(_ micros: UInt64) -> String { HTMLReport.millis(micros).leftPadded(9) }
        var lines = [
            "target \(summary.target)  \(summary.mode)\(summary.targetRate.map { " @ \($0.formatted(decimals: 0)) req/s" } ?? "")"
                + "  \(summary.connections)x\(summary.streamsPerConnection)",
            "requests \(summary.requests)  responses \(summary.responses)  errors \(summary.errors)"
                + "  (transport \(summary.transportErrors), unsent \(summary.unsent))  warm-up \(summary.warmupRequests)",
            "rate \(summary.achievedRate.formatted(decimals: 1)) req/s over \(summary.measuredSeconds.formatted(decimals: 2)) s",
            "latency ms        p50       p90       p99     p99.9       max",
        ]
        func row(_ name: String, _ latency: LatencySummary) -> String {
            name.padding(12) + ms(latency.p50) + ms(latency.p90) + ms(latency.p99) + ms(latency.p999) + ms(latency.max)
        }
        lines.append(row("all", summary.latency))
        for (name, operation) in summary.operations.sorted(by: { $0.key < $1.key }) {
            lines.append(row(name, operation.latency))
            for (decision, latency) in operation.byDecision.sorted(by: { $0.key < $1.key }) {
                lines.append(row("  " + decision, latency))
            }
            let outcomes = operation.byStatus.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                + operation.errorCodes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                + operation.transportErrors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            lines.append("  outcomes: " + outcomes.joined(separator: " "))
        }
        if !summary.connectErrors.isEmpty {
            lines.append("connect errors: " + summary.connectErrors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        for row in summary.soak ?? [] { lines.append(LoadRunner.describe(row)) }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
