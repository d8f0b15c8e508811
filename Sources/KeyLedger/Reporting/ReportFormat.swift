import Foundation

/// Number and text formats shared by the report renderers.
public enum ReportFormat {
    /// `1,234.56`: fixed decimals with thousands grouped, independent of the machine's locale (for counts and axis
    /// values; an amount of money is written with `Money.format`).
    public static func number(_ value: Double, decimals: Int = 2) -> String { Money.grouped(value, decimals: decimals) }

    /// `72%`.
    public static func percent(_ ratio: Double) -> String { String(format: "%.0f%%", ratio * 100) }

    /// `+7 pp`, `-3 pp`, `±0 pp`: a change of a ratio in percentage points.
    public static func points(_ from: Double, _ to: Double) -> String {
        let delta = Int(((to - from) * 100).rounded())
        return (delta > 0 ? "+\(delta)" : delta < 0 ? "\(delta)" : "±0") + " pp"
    }

    /// `+12%` / `-4%` / `new` for a change of an amount.
    public static func change(_ from: Double, _ to: Double) -> String {
        if from == 0 { return to == 0 ? "±0%" : "new" }
        let delta = Int(((to - from) / from * 100).rounded())
        return delta > 0 ? "+\(delta)%" : delta < 0 ? "\(delta)%" : "±0%"
    }

    /// `+2`, `-1`, `±0`.
    public static func delta(_ from: Int, _ to: Int) -> String {
        to > from ? "+\(to - from)" : to < from ? "\(to - from)" : "±0"
    }

    /// `1 new credential`, `3 new credentials`.
    public static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// `a`, `a and b`, `a, b and c`.
    public static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// `▁▂▅█` for a daily series, for chat where pictures do not travel.
    public static func sparkline(_ values: [Double]) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        guard let top = values.max(), top > 0 else { return String(repeating: "▁", count: values.count) }
        return String(values.map { bars[min(bars.count - 1, Int(($0 / top * Double(bars.count - 1)).rounded()))] })
    }
}
