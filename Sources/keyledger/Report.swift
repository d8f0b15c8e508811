import ArgumentParser
import Foundation
import KeyLedger

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the weekly security report from the history store.",
        discussion: """
        Compares the latest scan recorded on or before --as-of with the latest one at least a period before it: \
        new, resolved and rotated credentials, severity changes, top risks and overdue treatments, spend by team \
        with a 30-day forecast against the budgets in keyledger.yml (policy.budgets), and spend anomalies.

        Record scans with `keyledger scan … --db FILE`.
        """)

    @Option(help: "The history store (SQLite) that `keyledger scan --db` records into.")
    var db: String

    @Option(help: "The period to compare: days (7d, 30d) or weeks (2w).")
    var period: String = "7d"

    @OptionGroup var asOfOption: AsOfOption
    var asOf: String? { asOfOption.asOf }

    @Option(help: "Output format: html (one self-contained page) or md (chat and wikis).")
    var format: Format = .html

    @OptionGroup var outputOption: OutputOption
    var output: String? { outputOption.output }

    @OptionGroup var configOption: ConfigOption

    enum Format: String, ExpressibleByArgument, CaseIterable { case html, md }

    /// `7d` → 7, `2w` → 14, `10` → 10 (`DurationText`, as every duration keyledger reads).
    static func days(_ text: String) -> Int? { DurationText.days(text) }

    func validate() throws {
        guard let days = Self.days(period), (1...366).contains(days) else {
            throw ValidationError("--period must be a number of days or weeks between 1d and 366d, like 7d or 2w (got '\(period)')")
        }
    }

    func run() throws {
        var budgets = WeeklyReportBudgets()
        if let configPath = configOption.path {
            do { budgets = try WeeklyReportBudgets.load(path: configPath) } catch { throw fail("\(error)") }
        }
        let report: WeeklyReport
        do {
            let store = try HistoryStore.openExisting(path: db)
            defer { store.close() }
            report = try WeeklyReport.build(store: store, asOf: asOf, periodDays: Self.days(period) ?? 7, budgets: budgets)
        } catch { throw fail("\(error)") }
        let text = format == .html ? WeeklyReportHTML.render(report) : WeeklyReportMarkdown.render(report)
        try Console.write(text, to: output)
    }
}

