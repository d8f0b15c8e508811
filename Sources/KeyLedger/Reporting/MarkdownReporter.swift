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
        // Only when the scan asked the providers (`--validate`): leaked keys that still work lead.
        let validation = ValidationSummary(credentials)
        if let validation {
            out += "Provider check: \(escape(validation.sentence))"
            let working = ValidationSummary.stillWorking(credentials)
            if !working.isEmpty {
                out += " Still working: " + working.prefix(5).map { credential($0) }.joined(separator: ", ")
                    + (working.count > 5 ? " and \(working.count - 5) more" : "") + "."
            }
            out += "\n\n"
        }
        out += "Scanned \(register.scan.targets.map { "`\(escape(($0 as NSString).lastPathComponent))`" }.joined(separator: ", ")): "
        out += [ReportFormat.count(register.scan.commits, "commit"), ReportFormat.count(register.scan.blobs, "blob"),
                ReportFormat.count(register.scan.files, "file")].joined(separator: ", ") + ".\n\n"

        out += "## By severity\n\n| Severity | Credentials | 30-day spend |\n|---|---:|---:|\n"
        for severity in Severity.allCases {
            let group = credentials.filter { $0.risk.severity == severity }
            out += "| \(severity.rawValue) | \(group.count) | \(escape(Money.format(group.reduce(0) { $0 + $1.usage.spend30d }, currency))) |\n"
        }

        out += "\n## By team\n\n| Team | Credentials | Critical + high | 30-day spend |\n|---|---:|---:|---:|\n"
        let teams = Dictionary(grouping: credentials) { $0.owner.team ?? "(no team owner)" }
        for (team, group) in teams.sorted(by: { ($0.value.reduce(0) { $0 + $1.usage.spend30d }, $1.key) > ($1.value.reduce(0) { $0 + $1.usage.spend30d }, $0.key) }) {
            let urgent = group.filter { $0.risk.severity.isUrgent }.count
            out += "| \(escape(team)) | \(group.count) | \(urgent) | \(escape(Money.format(group.reduce(0) { $0 + $1.usage.spend30d }, currency))) |\n"
        }

        out += "\n## Register\n\n"
        let checkHeader = validation == nil ? "" : " Provider check |"
        out += "| # | Severity | Score | Status | Provider / kind | Credential | Owner | 30-day spend | First found | Top factor | Treatment | Due |\(checkHeader)\n"
        out += "|---:|---|---:|---|---|---|---|---:|---|---|---|---|\(validation == nil ? "" : "---|")\n"
        for (i, c) in credentials.enumerated() {
            let owner = c.owner.team ?? c.owner.contact.map { "\($0) (\(c.owner.source))" } ?? "—"
            let top = c.risk.factors.first { $0.points > 0 }?.reason ?? "—"
            let due = c.treatment.compactMap(\.due).min() ?? "—"
            out += "| \(i + 1) | \(c.risk.severity) | \(c.risk.score) | \(c.status.rawValue) | \(escape(c.provider)) / \(escape(c.kind)) "
            out += "| \(credential(c)) | \(escape(owner)) | \(escape(Money.format(c.usage.spend30d, c.usage.currency, zero: "—"))) "
            out += "| \(escape(CredentialNames.whereFound(c))) | \(escape(top)) | \(c.treatment.map(\.action.rawValue).joined(separator: ", ")) | \(due) |"
            if validation != nil { out += " \(c.validation.map { check(ValidationSummary.text($0), $0) } ?? "—") |" }
            out += "\n"
        }
        out += "\nControls: OWASP Non-Human Identities Top 10 (2025) and NIST CSF 2.0; each credential's mapping is in the JSON and CSV registers.\n"
        return out
    }

    /// "3 critical credentials, $4,100.00 of 30-day spend at risk, 71% of spend attributed to a team.", led by the keys
    /// abused after their exposure (spend change-points, CloudTrail LLMjacking) when there are any.
    /// `markdown: false` leaves the names unescaped, for HTML (which escapes them itself).
    public static func headline(_ register: Register, atRisk: Double, markdown: Bool = true) -> String {
        let s = register.summary
        let abused = register.credentials.filter { $0.status != .suppressed && !WeeklyReport.isDead($0) }.compactMap { c in
            WeeklyReport.abuseStart(c).map { (name: CredentialNames.identity(c) ?? c.redacted, provider: c.provider, abuse: $0) }
        }
        let lead = WeeklyReport.abuseLead(abused).map { (markdown ? escape($0) : $0) + " " } ?? ""
        let critical = s.bySeverity["critical"] ?? 0
        let high = s.bySeverity["high"] ?? 0
        var parts: [String] = []
        if critical > 0 { parts.append("\(critical) critical credential\(critical == 1 ? "" : "s")") }
        if high > 0 { parts.append("\(high) high") }
        if parts.isEmpty { parts.append("No critical or high credentials (\(s.credentials) in the register)") }
        var sentence = parts.joined(separator: " and ")
        if s.spend30d > 0 {
            sentence += ", \(escape(Money.format(atRisk, s.currency))) of 30-day spend at risk"
            sentence += ", \(Int((s.attributedSpendRatio * 100).rounded()))% of spend attributed to a team"
        }
        return lead + sentence + "."
    }

    /// The provider-check cell: a key that still works in bold.
    static func check(_ text: String, _ v: CredentialValidation) -> String {
        v.status == .active ? "**\(escape(text))**" : escape(text)
    }

    /// The credential cell: its identity (key id, principal, key name) when known, then the redacted secret.
    static func credential(_ c: CredentialRecord) -> String {
        let secret = "`\(c.redacted.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "|", with: "\\|"))`"
        return CredentialNames.identity(c).map { escape($0) + " · " + secret } ?? secret
    }

    /// Escapes Markdown table and inline syntax so hostile file names cannot break the table or inject HTML
    /// (one escaper for every Markdown output).
    static func escape(_ text: String) -> String { WeeklyReportMarkdown.escape(text) }
}
