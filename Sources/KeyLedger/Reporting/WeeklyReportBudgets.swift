import Foundation
import Yams

/// Monthly spend budgets per team for the weekly report's forecast, read from `policy.budgets` in keyledger.yml:
///
/// ```yaml
/// policy:
///   budgets: { payments: 3000, ml-platform: 5000 }
/// ```
///
/// Read leniently: the report only needs this one mapping, so the rest of the file is not validated here
/// (`scan --config` does that) and entries that are not numbers are skipped and named in `skipped`.
public struct WeeklyReportBudgets: Sendable, Equatable {
    /// Team → budget for 30 days, in the register's currency.
    public var budgets: [String: Double] = [:]
    /// Entries that could not be read, as `file: line N: message`, for the report's notes.
    public var skipped: [String] = []

    public init(budgets: [String: Double] = [:], skipped: [String] = []) {
        self.budgets = budgets
        self.skipped = skipped
    }

    /// Reads the budgets in the file at `path`; a file that cannot be read or parsed is an error naming it.
    public static func load(path: String) throws -> WeeklyReportBudgets {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyLedgerConfig.ConfigError(file: path, line: nil, message: "cannot read the file")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String) throws -> WeeklyReportBudgets {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw KeyLedgerConfig.ConfigError(file: source, line: nil, message: "not valid YAML: \(error)")
        }
        var out = WeeklyReportBudgets()
        guard let budgets = root?.mapping?["policy"]?.mapping?["budgets"] else { return out }
        func line(_ node: Node) -> String { node.mark.map { ": line \($0.line)" } ?? "" }
        guard let map = budgets.mapping else {
            out.skipped.append("\(source)\(line(budgets)): policy.budgets must map team names to amounts")
            return out
        }
        for (key, value) in map {
            guard let team = key.string, !team.isEmpty else { continue }
            // `3000`, `3000.50`, `"3,000"` and `3000 USD` all read as 3000.
            let number = value.float ?? value.int.map(Double.init) ?? value.string.flatMap { text -> Double? in
                let digits = text.replacingOccurrences(of: ",", with: "").split(separator: " ").first.map(String.init) ?? ""
                return Double(digits)
            }
            if let number, number >= 0, number.isFinite {
                out.budgets[team] = number
            } else {
                out.skipped.append("\(source)\(line(value)): policy.budgets.\(team) is not an amount")
            }
        }
        return out
    }
}
