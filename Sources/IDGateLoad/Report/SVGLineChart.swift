import Foundation

/// A small inline SVG line chart (no scripts, no external assets) for the HTML report.
struct SVGLineChart {
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    /// Percentile-distribution style x axis: x is a percentile, plotted as log10(1 / (1 - p/100)).
    var percentileAxis = false
    var width = 860.0
    var height = 300.0

    private let left = 70.0, right = 20.0, top = 34.0, bottom = 46.0

    func render() -> String {
        let plotted = series.map { entry in
            Series(name: entry.name, color: entry.color, points: entry.points.map { (percentileAxis ? Self.percentileX($0.x) : $0.x, $0.y) })
        }
        let xs = plotted.flatMap { $0.points.map(\.x) }
        let ys = plotted.flatMap { $0.points.map(\.y) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        svg += "<text x=\"\(left)\" y=\"20\" font-size=\"15\" font-weight=\"bold\">\(HTMLReport.escape(title))</text>"
        guard let minX = xs.min(), let maxX = xs.max(), let maxYValue = ys.max() else {
            return svg + "<text x=\"\(left)\" y=\"\(height / 2)\" fill=\"#777\">no data</text></svg>"
        }
        let maxY = Self.niceCeiling(Swift.max(maxYValue, 1e-9))
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let spanX = maxX > minX ? maxX - minX : 1
        func px(_ x: Double) -> Double { left + (x - minX) / spanX * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - y / maxY * plotHeight }

        for step in 0...4 {
            let value = maxY * Double(step) / 4
            let y = py(value)
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - right)\" y2=\"\(y)\" stroke=\"#e3e3e3\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" font-size=\"11\" text-anchor=\"end\">\(Self.label(value))</text>"
        }
        for (x, text) in xTicks(minX: minX, maxX: maxX) {
            svg += "<line x1=\"\(px(x))\" y1=\"\(top)\" x2=\"\(px(x))\" y2=\"\(top + plotHeight)\" stroke=\"#f0f0f0\"/>"
            svg += "<text x=\"\(px(x))\" y=\"\(top + plotHeight + 16)\" font-size=\"11\" text-anchor=\"middle\">\(text)</text>"
        }
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#999\"/>"
        svg += "<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 8)\" font-size=\"12\" text-anchor=\"middle\">\(HTMLReport.escape(xLabel))</text>"
        svg += "<text x=\"14\" y=\"\(top + plotHeight / 2)\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(top + plotHeight / 2))\">\(HTMLReport.escape(yLabel))</text>"
        for (offset, entry) in plotted.enumerated() {
            let path = entry.points.map { "\(Self.fixed(px($0.x))),\(Self.fixed(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(entry.color)\" stroke-width=\"2\" points=\"\(path)\"/>"
            if entry.points.count == 1, let point = entry.points.first {
                svg += "<circle cx=\"\(px(point.x))\" cy=\"\(py(point.y))\" r=\"3\" fill=\"\(entry.color)\"/>"
            }
            let legendX = width - right - 150.0
            let legendY = top + 14 + Double(offset) * 16
            svg += "<rect x=\"\(legendX)\" y=\"\(legendY - 9)\" width=\"12\" height=\"3\" fill=\"\(entry.color)\"/>"
            svg += "<text x=\"\(legendX + 18)\" y=\"\(legendY - 4)\" font-size=\"11\">\(HTMLReport.escape(entry.name))</text>"
        }
        return svg + "</svg>"
    }

    private func xTicks(minX: Double, maxX: Double) -> [(Double, String)] {
        if percentileAxis {
            return [(0, "0%"), (1, "90%"), (2, "99%"), (3, "99.9%"), (4, "99.99%"), (5, "99.999%")].filter { $0.0 <= maxX + 0.01 }
        }
        let step = Self.niceCeiling(Swift.max((maxX - minX) / 8, 1))
        return stride(from: (minX / step).rounded(.up) * step, through: maxX, by: step).map { ($0, Self.label($0)) }
    }

    static func percentileX(_ percentile: Double) -> Double {
        log10(1 / Swift.max(1 - Swift.min(percentile, 99.9999) / 100, 1e-6))
    }

    static func niceCeiling(_ value: Double) -> Double {
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where factor * magnitude >= value { return factor * magnitude }
        return 10 * magnitude
    }

    static func label(_ value: Double) -> String {
        if value >= 1_000_000 { return (value / 1_000_000).formatted(decimals: 1) + "M" }
        if value >= 10_000 { return (value / 1_000).formatted(decimals: 0) + "k" }
        if value == value.rounded() { return String(Int(value)) }
        return value.formatted(decimals: value < 1 ? 3 : 1)
    }

    private static func fixed(_ value: Double) -> String { value.formatted(decimals: 1) }
}
