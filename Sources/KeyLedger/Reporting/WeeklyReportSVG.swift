import Foundation

/// Inline SVG charts for the HTML weekly report: drawn here from numbers, so the page needs no script, font or
/// image from anywhere. Every label passes through `HTMLText.escape`.
enum WeeklyReportSVG {
    static let blue = "#2563eb"
    static let grey = "#94a3b8"
    static let ink = "#334155"
    static let faint = "#e2e8f0"
    static let severityColors = ["critical": "#b91c1c", "high": "#ea580c", "medium": "#ca8a04", "low": "#0e7490"]

    private static func f(_ x: Double) -> String { String(format: "%.1f", x) }
    private static let h = HTMLText.escape

    /// A top for the value axis: 1, 2, 2.5 or 5 × a power of ten, at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * power >= value { return step * power }
        return 10 * power
    }

    /// Gridline spacing and axis top for values up to `value`: three to five round steps (…, 20, 25, 50, 100, …).
    static func axis(_ value: Double) -> (step: Double, top: Double) {
        let step = niceCeiling(max(value, 0.01) / 4)
        return (step, step * max(1, (value / step).rounded(.up)))
    }

    /// Daily spend of this period (solid) over the one before (dashed), day by day.
    static func dailySpend(current: [WeeklyReport.DailySpend], previous: [WeeklyReport.DailySpend], currency: String) -> String {
        let width = 540.0, height = 240.0
        let left = 56.0, right = 16.0, padTop = 30.0, bottom = 34.0
        let plotW = width - left - right, plotH = height - padTop - bottom
        let (step, top) = axis(max(current.map(\.amount).max() ?? 0, previous.map(\.amount).max() ?? 0))
        let n = max(current.count, previous.count)
        func x(_ i: Int) -> Double { n <= 1 ? left + plotW / 2 : left + plotW * Double(i) / Double(n - 1) }
        func y(_ v: Double) -> Double { padTop + plotH - plotH * v / top }
        let label = "Daily spend, this period against the one before"
        var svg = #"<svg class="chart" viewBox="0 0 \#(Int(width)) \#(Int(height))" role="img" aria-label="\#(h(label))">"# + "\n"
        svg += "<title>\(h(label))</title>\n"
        for i in 0...Int((top / step).rounded()) {
            let value = step * Double(i)
            svg += #"<line x1="\#(f(left))" x2="\#(f(width - right))" y1="\#(f(y(value)))" y2="\#(f(y(value)))" stroke="\#(faint)"/>"# + "\n"
            svg += #"<text x="\#(f(left - 8))" y="\#(f(y(value) + 4))" text-anchor="end" class="axis">\#(h(ReportFormat.number(value, decimals: value == value.rounded() ? 0 : step < 0.1 ? 2 : 1)))</text>"# + "\n"
        }
        svg += #"<text x="\#(f(left - 8))" y="14" text-anchor="end" class="axis">\#(h(currency))</text>"# + "\n"
        func path(_ series: [WeeklyReport.DailySpend]) -> String {
            series.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(f(x($0.offset))),\(f(y($0.element.amount)))" }.joined(separator: " ")
        }
        if !previous.isEmpty {
            svg += #"<path d="\#(path(previous))" fill="none" stroke="\#(grey)" stroke-width="2" stroke-dasharray="6 4"/>"# + "\n"
        }
        if !current.isEmpty {
            svg += #"<path d="\#(path(current))" fill="none" stroke="\#(blue)" stroke-width="2.5"/>"# + "\n"
            for (i, d) in current.enumerated() {
                svg += #"<circle cx="\#(f(x(i)))" cy="\#(f(y(d.amount)))" r="3" fill="\#(blue)"><title>\#(h(d.day)): \#(h(Money.format(d.amount, currency)))</title></circle>"# + "\n"
            }
        }
        // Day labels: this period's dates (the earlier period is drawn day for day beneath them).
        let ticks = n <= 8 ? Array(0..<n) : Array(Set([0, n / 4, n / 2, 3 * n / 4, n - 1])).sorted()
        for i in ticks where i < current.count {
            svg += #"<text x="\#(f(x(i)))" y="\#(f(height - 12))" text-anchor="middle" class="axis">\#(h(String(current[i].day.dropFirst(5))))</text>"# + "\n"
        }
        // Legend.
        svg += #"<line x1="\#(f(left))" x2="\#(f(left + 22))" y1="12" y2="12" stroke="\#(blue)" stroke-width="2.5"/>"# + "\n"
        svg += #"<text x="\#(f(left + 28))" y="16" class="legend">this period</text>"# + "\n"
        svg += #"<line x1="\#(f(left + 120))" x2="\#(f(left + 142))" y1="12" y2="12" stroke="\#(grey)" stroke-width="2" stroke-dasharray="6 4"/>"# + "\n"
        svg += #"<text x="\#(f(left + 148))" y="16" class="legend">period before</text>"# + "\n"
        return svg + "</svg>\n"
    }

    /// One row of a paired horizontal bar chart.
    struct BarRow {
        var label: String
        var value: Double
        var previous: Double?
        var color: String
        var valueText: String
    }

    /// Horizontal bars, each with a thin bar beneath for the period before.
    static func bars(_ rows: [BarRow], label: String, legend: (String, String)? = nil) -> String {
        let labelW = 150.0, width = 540.0, right = 96.0
        let rowH = 40.0, top = legend == nil ? 8.0 : 30.0
        let height = top + rowH * Double(max(rows.count, 1)) + 4
        let plotW = width - labelW - right
        let scale = niceCeiling(rows.map { max($0.value, $0.previous ?? 0) }.max() ?? 0)
        var svg = #"<svg class="chart" viewBox="0 0 \#(Int(width)) \#(Int(height))" role="img" aria-label="\#(h(label))">"# + "\n"
        svg += "<title>\(h(label))</title>\n"
        if let legend {
            svg += #"<rect x="\#(f(labelW))" y="6" width="14" height="10" fill="\#(blue)"/>"# + "\n"
            svg += #"<text x="\#(f(labelW + 20))" y="15" class="legend">\#(h(legend.0))</text>"# + "\n"
            svg += #"<rect x="\#(f(labelW + 110))" y="9" width="14" height="4" fill="\#(grey)"/>"# + "\n"
            svg += #"<text x="\#(f(labelW + 130))" y="15" class="legend">\#(h(legend.1))</text>"# + "\n"
        }
        for (i, row) in rows.enumerated() {
            let y0 = top + rowH * Double(i)
            let text = row.label.count > 21 ? String(row.label.prefix(20)) + "…" : row.label
            svg += #"<text x="\#(f(labelW - 10))" y="\#(f(y0 + 15))" text-anchor="end" class="label"><title>\#(h(row.label))</title>\#(h(text))</text>"# + "\n"
            let w = max(row.value > 0 ? 2 : 0, plotW * row.value / scale)
            svg += #"<rect x="\#(f(labelW))" y="\#(f(y0 + 3))" width="\#(f(w))" height="16" rx="2" fill="\#(row.color)"/>"# + "\n"
            svg += #"<text x="\#(f(labelW + w + 6))" y="\#(f(y0 + 15))" class="value">\#(h(row.valueText))</text>"# + "\n"
            if let previous = row.previous {
                let pw = max(previous > 0 ? 2 : 0, plotW * previous / scale)
                svg += #"<rect x="\#(f(labelW))" y="\#(f(y0 + 23))" width="\#(f(pw))" height="6" rx="1" fill="\#(grey)"/>"# + "\n"
            }
        }
        return svg + "</svg>\n"
    }
}

/// Escaping for text placed in HTML or inline SVG.
public enum HTMLText {
    /// Escapes `&`, `<`, `>`, `"` and `'`, and replaces control characters, so scanned text (file names, commit
    /// authors, team names) is always shown as text and can never open a tag or leave an attribute.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
