import Foundation

/// The weekly report as Markdown, for chat and wikis: the same sections as the HTML page, tables instead of
/// charts and a sparkline for the daily spend. Scanned text is escaped so it cannot open HTML, links or
/// emphasis, nor break a table.
public enum WeeklyReportMarkdown {
    /// Escapes Markdown punctuation and HTML in scanned text, and folds newlines, for use in text and table cells.
    public static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "|": out += "\\|"
            case "\\", "`", "*", "_", "[", "]", "#", "!", "~": out += "\\" + String(ch)
            case "\n", "\r", "\r\n", "\t": out += " "
            default: out.append(ch)
            }
        }
        return out
    }

    private static let e = escape

    public static func render(_ r: WeeklyReport) -> String {
        var out = "# Weekly security report — \(e(r.current.asOf))\n\n"
        out += "**\(e(r.headline))**\n\n"
        var meta = "Scan of \(r.current.asOf)"
        if let p = r.previous { meta += " compared with the scan of \(p.asOf)" }
        meta += "; period \(r.periodDays) days"
        if let through = r.spendThrough { meta += "; spend data through \(through)" }
        if r.asOf != r.current.asOf { meta += "; as of \(r.asOf)" }
        out += e(meta) + ".\n\n"
        out += figures(r)
        out += "## Needs action this week\n\n"
        if let v = r.validation {
            // Leaked keys their provider still accepts come first; nothing at all when the scan did not ask.
            out += "### Leaked keys that still work (\(r.stillWorking.count))\n\n\(e(v.sentence))\n\n"
            if !r.stillWorking.isEmpty {
                out += table(["Severity", "Credential", "Owner", "Provider answered", "Checked"], r.stillWorking.map { w in
                    ["\(w.credential.severity) (\(w.credential.score))", credential(w.credential), owner(w.credential), e(w.detail),
                     "**\(w.day)**" + (w.cached ? " (earlier run)" : "")]
                })
            }
        }
        out += "### Spend anomalies (\(r.anomalies.count))\n\n"
        if r.anomalies.isEmpty { out += "None.\n\n" } else {
            for a in r.anomalies {
                out += "- \(credential(a.credential)), owner \(owner(a.credential)), 30-day spend \(e(Money.format(a.credential.spend30d, r.currency, zero: "—"))): "
                    + "\(e(a.reason)) (\(e(a.source)))\n"
            }
            out += "\n"
        }
        out += "### Overdue treatments (\(r.overdue.count))\n\n"
        if r.overdue.isEmpty { out += "Nothing is overdue.\n\n" } else {
            out += table(["Credential", "Owner", "Action", "Due", "Overdue"], r.overdue.map {
                [credential($0.credential), owner($0.credential), e($0.action ?? "—"), e($0.due ?? "—"), "\($0.overdueDays ?? 0) d"]
            }, numeric: [4])
        }
        out += "### Top risks (\(r.topRisks.count))\n\n"
        if r.topRisks.isEmpty { out += "No open credential.\n\n" } else {
            out += table(["#", "Severity", "Credential", "Owner", "Why", "Spend 30 d", "Treatment", "Due"], r.topRisks.enumerated().map { i, t in
                ["\(i + 1)", "\(t.credential.severity) (\(t.credential.score))", credential(t.credential), owner(t.credential),
                 e(t.credential.topReason ?? "—"), e(Money.format(t.credential.spend30d, r.currency, zero: "—")), e(t.action ?? "—"),
                 e(t.due ?? "—") + (t.overdueDays.map { " (**\($0) d late**)" } ?? "")]
            }, numeric: [0, 5])
        }
        out += changes(r)
        out += spend(r)
        out += "## How this report is made\n\n"
        out += "- New, resolved and rotated compare credentials by their fingerprint-derived id; rotated = same provider identity "
            + "(key id, else principal) with a new secret.\n"
        out += "- Due dates are the register's own, the same the CSV and Markdown register show; overdue means due before \(e(r.asOf)).\n"
        out += "- Forecast (30 days) = mean daily spend over the last \(WeeklyReport.forecastWindowDays) days × 30.\n"
        out += "- Daily spend covers the whole window of daily usage in the registers (\(WeeklyReport.spendHistoryMinDays) to "
            + "\(WeeklyReport.spendHistoryMaxDays) days), with the day each credential was first exposed and, for an abused key, where the abuse starts (▲: its spend change-point, else its first LLMjacking event in CloudTrail). Spend is broken down by team, "
            + "provider and cost centre; the register carries no model information, so not by model.\n"
        out += "- Spend anomalies come from the risk model's `spend.anomaly`, `spend.spike`, `spend.new-model-after-exposure` and `cloudtrail` factors, abuse after exposure first; without any, the report flags "
            + "a last-7-day mean ≥ \(Int(WeeklyReport.anomalyMultiple))× the mean of the up to 28 days before.\n"
        if r.validation != nil { out += "- \(e(WeeklyReportHTML.validationNote))\n" }
        for note in r.notes { out += "- \(e(note))\n" }
        return out
    }

    static func figures(_ r: WeeklyReport) -> String {
        let open = r.bySeverity.values.reduce(0, +)
        let urgent = (r.bySeverity["critical"] ?? 0) + (r.bySeverity["high"] ?? 0)
        guard r.previous != nil else {
            var out = "| | now |\n|---|--:|\n"
            out += "| Open credentials | \(open) |\n| Critical or high | \(urgent) |\n"
            out += "| Spend this period | \(e(Money.format(r.periodTotal, r.currency))) |\n"
            out += "| Spend with a team owner | \(ReportFormat.percent(r.attribution)) |\n"
            out += "| Overdue treatments | \(r.overdue.count) |\n| Spend anomalies | \(r.anomalies.count) |\n"
            if r.validation != nil { out += "| Leaked keys that still work | \(r.stillWorking.count) |\n" }
            return out + "\n"
        }
        let previousOpen = r.previousBySeverity?.values.reduce(0, +) ?? 0
        let previousUrgent = r.previousBySeverity.map { ($0["critical"] ?? 0) + ($0["high"] ?? 0) } ?? 0
        let previousAttribution = r.previousAttribution ?? 0
        var out = "| | now | last period | change |\n|---|--:|--:|--:|\n"
        out += "| Open credentials | \(open) | \(previousOpen) | \(ReportFormat.delta(previousOpen, open)) |\n"
        out += "| Critical or high | \(urgent) | \(previousUrgent) | \(ReportFormat.delta(previousUrgent, urgent)) |\n"
        out += "| Spend this period | \(e(Money.format(r.periodTotal, r.currency))) | \(e(Money.format(r.previousPeriodTotal, r.currency))) "
            + "| \(ReportFormat.change(r.previousPeriodTotal, r.periodTotal)) |\n"
        out += "| Spend with a team owner | \(ReportFormat.percent(r.attribution)) | \(ReportFormat.percent(previousAttribution)) "
            + "| \(ReportFormat.points(previousAttribution, r.attribution)) |\n"
        out += "| Overdue treatments | \(r.overdue.count) | | |\n| Spend anomalies | \(r.anomalies.count) | | |\n"
        if r.validation != nil { out += "| Leaked keys that still work | \(r.stillWorking.count) | | |\n" }
        return out + "\n"
    }

    static func changes(_ r: WeeklyReport) -> String {
        guard let previous = r.previous else {
            return "## Changes\n\nNo earlier scan is recorded; changes start with the next recorded scan.\n\n"
        }
        var out = "## Changes since \(e(previous.asOf))\n\n"
        out += "### New credentials (\(r.newCredentials.count))\n\n"
        if r.newCredentials.isEmpty { out += "None.\n\n" } else {
            out += table(["Severity", "Credential", "Owner", "Where", "Introduced by", "First seen"], r.newCredentials.map { c in
                ["\(c.severity) (\(c.score))", credential(c, location: false), owner(c), e(c.location ?? "provider listing only"), e(c.author ?? "—"),
                 e(c.firstSeen ?? "—")]
            })
        }
        out += "### Resolved (\(r.resolved.count))\n\n"
        if r.resolved.isEmpty { out += "None.\n\n" } else {
            out += table(["Credential", "Owner", "Was", "Why resolved"], r.resolved.map {
                [credential($0.credential), owner($0.credential), e($0.credential.severity), e($0.reason)]
            })
        }
        out += "### Rotated (\(r.rotated.count))\n\n"
        if r.rotated.isEmpty { out += "None.\n\n" } else {
            out += table(["Identity", "Old secret", "New secret", "Owner", "Old secret now"], r.rotated.map {
                [e($0.identity), credential($0.old), credential($0.new), owner($0.new), e($0.oldStatus)]
            })
        }
        out += "### Severity changes (\(r.severityChanges.count))\n\n"
        if r.severityChanges.isEmpty { out += "None.\n\n" } else {
            out += table(["Credential", "Owner", "From", "To", "Score"], r.severityChanges.map {
                [credential($0.credential), owner($0.credential), e($0.from), e($0.to) + ($0.escalated ? " ▲" : " ▼"), "\($0.fromScore) → \($0.toScore)"]
            }, numeric: [4])
        }
        return out
    }

    static func spend(_ r: WeeklyReport) -> String {
        var out = "## Spend\n\n"
        out += "30-day spend \(e(Money.format(r.spend30d, r.currency)))"
            + (r.previousSpend30d.map { " (\(ReportFormat.change($0, r.spend30d)) since last period)" } ?? "")
            + "; \(ReportFormat.percent(r.attribution)) of it has a team owner"
            + (r.previousAttribution.map { " (\(ReportFormat.points($0, r.attribution)))" } ?? "") + ".\n\n"
        if let first = r.spendHistory.first, let last = r.spendHistory.last {
            out += "Daily spend \(first.day) – \(last.day): `\(ReportFormat.sparkline(r.spendHistory.map(\.amount)))`"
            if let p0 = r.dailySpend.first, let p1 = r.dailySpend.last {
                out += "; this period (\(p0.day) – \(p1.day)) \(e(Money.format(r.periodTotal, r.currency))), "
                    + "the period before \(e(Money.format(r.previousPeriodTotal, r.currency)))"
            }
            out += ".\n\n"
            if !r.exposureMarks.isEmpty {
                out += "Exposed in this window:\n\n"
                for m in r.exposureMarks {
                    out += "- \(m.day): \(m.credential.severity) \(credential(m.credential))"
                        + (m.abuse.map { "; ▲ abuse: \(e($0.summary))" } ?? "") + "\n"
                }
                out += "\n"
            }
        }
        if r.spendByTeam.isEmpty {
            out += "No spend linked to any credential.\n\n"
        } else {
            out += table(["Team", "This period", "Period before", "Change", "Last 30 days", "Forecast 30 days", "Budget", "Forecast vs budget"],
                         r.spendByTeam.map { t in
                var versus = "—"
                if let b = t.budget {
                    let ratio = b > 0 ? ReportFormat.percent(t.forecast30d / b) : "—"
                    versus = t.budgetStatus == "over" ? "**\(ratio), over budget**" : t.budgetStatus == "near" ? "\(ratio), near budget" : ratio
                }
                return [t.team.map(e) ?? "*no team owner*", e(Money.format(t.period, r.currency)),
                        e(Money.format(t.previousPeriod, r.currency)), ReportFormat.change(t.previousPeriod, t.period),
                        e(Money.format(t.spend30d, r.currency)), e(Money.format(t.forecast30d, r.currency)),
                        t.budget.map { e(Money.format($0, r.currency)) } ?? "—", versus]
            }, numeric: [1, 2, 3, 4, 5, 6])
        }
        let breakdowns = [("Provider", r.spendByProvider, "unknown"), ("Cost centre", r.spendByCostCentre, "*no cost centre*")]
        for (group, shares, missing) in breakdowns where !shares.isEmpty {
            out += "### By \(group.lowercased())\n\n"
            out += table([group, "This period", "Period before", "Change", "Last 30 days"], shares.map { x in
                [x.name.map(e) ?? missing, e(Money.format(x.period, r.currency)), e(Money.format(x.previousPeriod, r.currency)),
                 ReportFormat.change(x.previousPeriod, x.period), e(Money.format(x.spend30d, r.currency))]
            }, numeric: [1, 2, 3, 4])
        }
        return out
    }

    /// What the credential is (identity, else the redacted secret), the redacted secret, provider and kind, and where
    /// it was found first.
    static func credential(_ c: WeeklyReport.CredentialLine, location: Bool = true) -> String {
        let secret = "`\(c.redacted.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "|", with: "\\|"))`"
        var out = (c.identity.map { "\(e($0)) · " } ?? "") + "\(secret) \(e(c.provider)) \(e(c.kind))"
        if location { out += " at " + e(c.location ?? "provider listing only") }
        return out
    }

    static func owner(_ c: WeeklyReport.CredentialLine) -> String { c.owner.map(e) ?? "**no owner**" }


    static func table(_ headers: [String], _ rows: [[String]], numeric: Set<Int> = []) -> String {
        var out = "| " + headers.joined(separator: " | ") + " |\n"
        out += "|" + headers.indices.map { numeric.contains($0) ? "--:" : "---" }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        return out + "\n"
    }
}
