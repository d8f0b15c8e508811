import Foundation

/// The one way an amount of money is shown to a person, in every report and every format.
///
/// The rule, the same whatever the machine's locale (a register read in Berlin and in Boston must say the same thing):
/// - **USD, EUR and GBP** carry their symbol in front: `$2,429.20`, `€1,234.50`, `£80.00`.
/// - **Every other currency** carries its ISO 4217 code after the number: `1,234.50 CHF`, `120,000.00 JPY`.
/// - Thousands are grouped with `,` and the decimal mark is `.`; two decimals always (`$0.00`, never `$0`).
/// - `whole` rounds to whole units for chart labels and budget columns, where cents are noise: `$2,429`.
/// - A negative amount puts its sign first: `-$12.50`, `-12.50 CHF`; an amount that rounds to zero has no sign.
/// - A value that is not finite (never accepted at import, but a reporter must not crash on one) reads `n/a`.
///
/// Machine-readable outputs (the CSV `spend_30d` column, JSON) are data, not display: they keep a plain number and
/// the currency in its own field.
public enum Money {
    /// Currencies written with a symbol before the amount; the rest are written with their ISO code after it.
    public static let symbols: [String: String] = ["USD": "$", "EUR": "€", "GBP": "£"]

    /// `$2,429.20`, `€1,234.50`, `1,234.50 CHF`; with `whole`, `$2,429`. With `zero`, an amount that shows as zero
    /// is written as that text instead (`—` in a table column where most rows spent nothing).
    public static func format(_ amount: Double, _ currency: String, whole: Bool = false, zero: String? = nil) -> String {
        guard amount.isFinite else { return "n/a" }
        let number = grouped(amount, decimals: whole ? 0 : 2)
        if let zero, !number.contains(where: { $0 != "0" && $0 != "." && $0 != "," }) { return zero }
        let negative = number.hasPrefix("-")
        let digits = negative ? String(number.dropFirst()) : number
        let code = currency.uppercased()
        if let symbol = symbols[code] { return (negative ? "-" : "") + symbol + digits }
        return (negative ? "-" : "") + digits + " " + (currency.isEmpty ? "?" : currency)
    }

    /// `$2,429`: `format(_:_:whole: true)`, for chart labels and budget columns.
    public static func whole(_ amount: Double, _ currency: String, zero: String? = nil) -> String {
        format(amount, currency, whole: true, zero: zero)
    }

    /// `2429.20`: the plain number machine-readable columns carry (two decimals, no grouping, no symbol).
    public static func plain(_ amount: Double) -> String {
        amount.isFinite ? String(format: "%.2f", amount) : ""
    }

    /// `1,234.56`: fixed decimals with thousands grouped by `,`, independent of the machine's locale.
    public static func grouped(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return "n/a" }
        let text = String(format: "%.\(max(0, decimals))f", abs(value))
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var integer = String(parts[0])
        var groups = ""
        while integer.count > 3 {
            groups = "," + integer.suffix(3) + groups
            integer = String(integer.dropLast(3))
        }
        let sign = value < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "-" : ""
        return sign + integer + groups + (parts.count > 1 ? "." + parts[1] : "")
    }
}
