import Foundation

/// The register as Markdown for reviews and wikis: a headline sentence, a summary by severity and by team,
/// then the ranked table. Every cell from scanned content is escaped.
public enum MarkdownReporter {
    public static func render(_ register: Register) -> String {
        let s = register.summary
        let credentials = register.credentials
        let currency = s.currency
        let atRisk = credentials.filter { $0.risk.severity.isUrgent }.reduce(0) { $0 + $1.usage.spend30d }
        var out = "# Credential risk register — \(register.asOf)\n\n"
        out += "**\(headline(register, atRisk: atRisk))**\n\n"
        out += "Scanned \(register.scan.targets.map { "`\(escape(($0 as NSString).lastPathComponent))`" }.joined(separator: ", ")): "
        out += "\(register.scan.commits) commits, \(register.scan.blobs) blobs, \(register.scan.files) files.\n\n"

        out += "## By severity\n\n| Severity | Credentials | 30-day spend |\n|---|---:|---:|\n"
        for severity in Severity.allCases {
            let group = credentials.filter { $0.risk.severity == severity }
            out += "| \(severity.rawValue) | \(group.count) | \(money(group.reduce(0) { $0 + $1.usage.spend30d }, currency)) |\n"
        }

        out += "\n## By team\n\n| Team | Credentials | Critical + high | 30-day spend |\n|---|---:|---:|---:|\n"
        let teams = Dictionary(grouping: credentials) { $0.owner.team ?? "(no team owner)" }
        for (team, group) in teams.sorted(by: { ($0.value.reduce(0) { $0 + $1.usage.spend30d }, $1.key) > ($1.value.reduce(0) { $0 + $1.usage.spend30d }, $0.key) }) {
            let urgent = group.filter { $0.risk.severity.isUrgent }.count
            out += "| \(escape(team)) | \(group.count) | \(urgent) | \(money(group.reduce(0) { $0 + $1.usage.spend30d }, currency)) |\n"
        }

        out += "\n## Register\n\n"
        out += "| # | Severity | Score | Provider / kind | Credential | Owner | 30-day spend | Exposure | Top factor | Treatment | Due |\n"
        out += "|---:|---|---:|---|---|---|---:|---|---|---|---|\n"
        for (i, c) in credentials.enumerated() {
            let owner = c.owner.team ?? c.owner.contact.map { "\($0) (\(c.owner.source))" } ?? "—"
            let exposure: String
            if c.locations.isEmpty { exposure = "provider inventory only" }
            else {
                let first = c.locations[0]
                exposure = (first.repository.map { RepositoryName.short($0) + ":" } ?? "") + first.path
                    + (c.locations.count > 1 ? " (+\(c.locations.count - 1))" : "") + (c.exposure.inHead ? "" : " [history]")
            }
            let top = c.risk.factors.first { $0.points > 0 }?.reason ?? "—"
            let due = c.treatment.compactMap(\.due).min() ?? "—"
            out += "| \(i + 1) | \(c.risk.severity) | \(c.risk.score) | \(escape(c.provider)) / \(escape(c.kind)) | `\(c.redacted.replacingOccurrences(of: "`", with: "'"))` "
            out += "| \(escape(owner)) | \(c.usage.spend30d > 0 ? money(c.usage.spend30d, c.usage.currency) : "—") | \(escape(exposure)) "
            out += "| \(escape(top)) | \(c.treatment.map(\.action.rawValue).joined(separator: ", ")) | \(due) |\n"
        }
        out += "\nControls: OWASP Non-Human Identities Top 10 (2025) and NIST CSF 2.0; each credential's mapping is in the JSON and CSV registers.\n"
        return out
    }

    /// "3 critical credentials, $4,100 of 30-day spend at risk, 71% of spend attributed to a team."
    public static func headline(_ register: Register, atRisk: Double) -> String {
        let s = register.summary
        let critical = s.bySeverity["critical"] ?? 0
        let high = s.bySeverity["high"] ?? 0
        var parts: [String] = []
        if critical > 0 { parts.append("\(critical) critical credential\(critical == 1 ? "" : "s")") }
        if high > 0 { parts.append("\(high) high") }
        if parts.isEmpty { parts.append("No critical or high credentials (\(s.credentials) in the register)") }
        var sentence = parts.joined(separator: " and ")
        if s.spend30d > 0 {
            sentence += ", \(money(atRisk, s.currency)) of 30-day spend at risk"
            sentence += ", \(Int((s.attributedSpendRatio * 100).rounded()))% of spend attributed to a team"
        }
        return sentence + "."
    }

    /// `$2,429`, `$12.50`, `1,234 EUR`: whole units from 100 up.
    static func money(_ value: Double, _ currency: String) -> String {
        let number = ReportFormat.number(value, decimals: value >= 100 ? 0 : 2)
        return currency == "USD" ? "$" + number : number + " " + currency
    }

    /// Escapes Markdown table and inline syntax so hostile file names cannot break the table or inject HTML
    /// (one escaper for every Markdown output).
    static func escape(_ text: String) -> String { WeeklyReportMarkdown.escape(text) }
}
