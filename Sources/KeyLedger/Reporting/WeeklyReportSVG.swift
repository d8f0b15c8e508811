import Foundation

/// Inline SVG charts for the HTML weekly report: drawn here from numbers, so the page needs no script, font or
/// image from anywhere. Every label passes through `HTMLText.escape`.
enum WeeklyReportSVG {
    static let blue = "#2563eb"
    static let grey = "#94a3b8"
    static let ink = "#334155"
    static let faint = "#e2e8f0"
    static let periodShade = "#eff6ff"
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

    /// Daily spend over the whole history window: a filled line, the report's period shaded, each exposure date marked
    /// by a numbered dashed line (the number matches the list printed under the chart) and, for an abused key, where the
    /// abuse starts by a solid line with the same number and ▲.
    static func spendHistory(_ days: [WeeklyReport.DailySpend], periodDays: Int, marks: [WeeklyReport.ExposureMark],
                             currency: String) -> String {
        let width = 1040.0, height = 260.0
        let left = 64.0, right = 16.0, padTop = 34.0, bottom = 30.0
        let plotW = width - left - right, plotH = height - padTop - bottom
        let (step, top) = axis(days.map(\.amount).max() ?? 0)
        let n = days.count
        func x(_ i: Double) -> Double { n <= 1 ? left + plotW / 2 : left + plotW * i / Double(n - 1) }
        func y(_ v: Double) -> Double { padTop + plotH - plotH * v / top }
        let index = Dictionary(days.enumerated().map { ($0.element.day, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let label = "Daily spend, \(days.first?.day ?? "") to \(days.last?.day ?? ""), with exposure dates"
            + (marks.contains { $0.abuse != nil } ? " and where abuse starts" : "")
        var svg = #"<svg class="chart wide" viewBox="0 0 \#(Int(width)) \#(Int(height))" role="img" aria-label="\#(h(label))">"# + "\n"
        svg += "<title>\(h(label))</title>\n"
        // The report's period, shaded.
        if n > periodDays, periodDays > 0 {
            let x0 = x(Double(n - periodDays) - 0.5)
            svg += #"<rect x="\#(f(x0))" y="\#(f(padTop))" width="\#(f(width - right - x0))" height="\#(f(plotH))" fill="\#(periodShade)"/>"# + "\n"
            svg += #"<text x="\#(f(width - right - 4))" y="\#(f(padTop + 12))" text-anchor="end" class="axis">last \#(periodDays) days</text>"# + "\n"
        }
        for i in 0...Int((top / step).rounded()) {
            let value = step * Double(i)
            let text = step >= 1 ? Money.whole(value, currency) : Money.format(value, currency)
            svg += #"<line x1="\#(f(left))" x2="\#(f(width - right))" y1="\#(f(y(value)))" y2="\#(f(y(value)))" stroke="\#(faint)"/>"# + "\n"
            svg += #"<text x="\#(f(left - 8))" y="\#(f(y(value) + 4))" text-anchor="end" class="axis">\#(h(text))</text>"# + "\n"
        }
        if n > 0 {
            let line = days.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(f(x(Double($0.offset)))),\(f(y($0.element.amount)))" }
                .joined(separator: " ")
            svg += #"<path d="\#(line) L\#(f(x(Double(n - 1)))),\#(f(y(0))) L\#(f(x(0))),\#(f(y(0))) Z" fill="\#(blue)" fill-opacity="0.12"/>"# + "\n"
            svg += #"<path d="\#(line)" fill="none" stroke="\#(blue)" stroke-width="2"/>"# + "\n"
            for (i, d) in days.enumerated() where d.amount > 0 {
                svg += #"<circle cx="\#(f(x(Double(i))))" cy="\#(f(y(d.amount)))" r="2" fill="\#(blue)"><title>\#(h(d.day)): \#(h(Money.format(d.amount, currency)))</title></circle>"# + "\n"
            }
        }
        // Exposure dates: one dashed line per day, numbered in the order of the list beneath the chart.
        var number = 0
        for (day, group) in Dictionary(grouping: marks, by: \.day).sorted(by: { $0.key < $1.key }) {
            guard let i = index[day] else { number += group.count; continue }
            let first = number + 1
            number += group.count
            let tag = group.count == 1 ? "\(first)" : "\(first)–\(number)"
            let color = severityColors[group.map(\.credential.severity).min { WeeklyReport.rank($0) < WeeklyReport.rank($1) } ?? ""] ?? ink
            let names = group.map { "\($0.credential.name) (\($0.credential.provider), \($0.credential.severity))" }.joined(separator: "; ")
            let cx = x(Double(i))
            svg += #"<g><title>\#(h(day)): exposed \#(h(names))</title>"#
            svg += #"<line x1="\#(f(cx))" x2="\#(f(cx))" y1="\#(f(padTop - 6))" y2="\#(f(padTop + plotH))" stroke="\#(color)" stroke-width="1.5" stroke-dasharray="4 3"/>"#
            svg += #"<rect x="\#(f(cx - 4 - 3.5 * Double(tag.count)))" y="\#(f(padTop - 24))" width="\#(f(8 + 7 * Double(tag.count)))" height="16" rx="8" fill="\#(color)"/>"#
            svg += #"<text x="\#(f(cx))" y="\#(f(padTop - 12))" text-anchor="middle" class="mark">\#(h(tag))</text></g>"# + "\n"
        }
        // Where abuse starts (the spend change-point, or the first LLMjacking event): a solid line with the mark's number
        // and ▲, joined to its exposure line by a dotted bracket when both are on the chart.
        for (k, m) in marks.enumerated() {
            guard let abuse = m.abuse, let i = index[abuse.day] else { continue }
            let color = severityColors[m.credential.severity] ?? ink
            let tag = "\(k + 1) ▲"
            let cx = x(Double(i))
            let title = "\(abuse.day): abuse of \(m.credential.name) starts — \(abuse.summary)"
            svg += #"<g class="abuse"><title>\#(h(title))</title>"#
            if let e = index[m.day], e < i {
                svg += #"<line x1="\#(f(x(Double(e))))" x2="\#(f(cx))" y1="\#(f(padTop - 16))" y2="\#(f(padTop - 16))" stroke="\#(color)" stroke-width="1" stroke-dasharray="1 3"/>"#
            }
            svg += #"<line x1="\#(f(cx))" x2="\#(f(cx))" y1="\#(f(padTop - 6))" y2="\#(f(padTop + plotH))" stroke="\#(color)" stroke-width="2"/>"#
            svg += #"<rect x="\#(f(cx - 6 - 3.5 * Double(tag.count)))" y="\#(f(padTop - 24))" width="\#(f(12 + 7 * Double(tag.count)))" height="16" rx="3" fill="\#(color)"/>"#
            svg += #"<text x="\#(f(cx))" y="\#(f(padTop - 12))" text-anchor="middle" class="mark">\#(h(tag))</text></g>"# + "\n"
        }
        // Date labels: about one a week.
        let every = max(1, Int((Double(n) / 8).rounded(.up)))
        for i in stride(from: n - 1, through: 0, by: -every) {
            svg += #"<text x="\#(f(x(Double(i))))" y="\#(f(height - 10))" text-anchor="middle" class="axis">\#(h(String(days[i].day.dropFirst(5))))</text>"# + "\n"
        }
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
