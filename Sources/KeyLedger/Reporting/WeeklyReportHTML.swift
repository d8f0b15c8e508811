import Foundation

/// The weekly report as one self-contained HTML page: inline CSS and SVG charts, no script, font or image from
/// anywhere (a Content-Security-Policy says so to the browser too), readable on a laptop and printable.
/// Every string that came from scanned content is escaped with `HTMLText.escape`.
public enum WeeklyReportHTML {
    private static let h = HTMLText.escape

    public static func render(_ r: WeeklyReport) -> String {
        var body = ""
        body += header(r)
        // Word joiners keep a redacted secret (`ABSK…Tg==`) on one line.
        body += #"<p class="headline">\#(h(r.headline).replacingOccurrences(of: "…", with: "\u{2060}…\u{2060}"))</p>"# + "\n"
        body += tiles(r)
        body += actionSection(r)
        body += changesSection(r)
        body += spendSection(r)
        body += severitySection(r)
        body += footer(r)
        return page(title: "Weekly security report — \(r.current.asOf)", body: body)
    }

    /// One self-contained page: nothing is loaded from anywhere (the policy allows inline styles and, when given, the
    /// one inline script whose hash it names). The weekly report and the register page share it.
    static func page(title: String, body: String, extraStyle: String = "", script: (source: String, hash: String)? = nil) -> String {
        let scriptPolicy = script.map { "; script-src '\($0.hash)'" } ?? ""
        let scriptTag = script.map { "<script>\($0.source)</script>\n" } ?? ""
        return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'\(scriptPolicy)">
        <meta name="generator" content="keyledger">
        <title>\(h(title))</title>
        <style>\(style)\(extraStyle.isEmpty ? "" : "\n" + extraStyle)</style>
        </head>
        <body>
        <main>
        \(body)
        </main>
        \(scriptTag)</body>
        </html>

        """
    }

    static let style = """
    :root { --ink: #0f172a; --muted: #475569; --line: #e2e8f0; --soft: #f8fafc; --blue: #2563eb;
            --critical: #b91c1c; --high: #ea580c; --medium: #a16207; --low: #0e7490; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #f1f5f9; color: var(--ink);
           font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
    main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 48px; background: #fff; }
    header { border-bottom: 3px solid var(--ink); padding-bottom: 12px; margin-bottom: 18px; }
    .eyebrow { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: .08em; font-size: 12px; font-weight: 600; }
    h1 { margin: 4px 0 4px; font-size: 28px; line-height: 1.2; }
    .meta { margin: 0; color: var(--muted); font-size: 13px; }
    h2 { font-size: 20px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
    h3 { font-size: 15px; margin: 20px 0 8px; }
    h3 .count { color: var(--muted); font-weight: 400; }
    .headline { font-size: 18px; line-height: 1.45; font-weight: 600; margin: 0 0 20px; padding: 14px 18px;
                background: #eff6ff; border-left: 5px solid var(--blue); border-radius: 4px; }
    .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(128px, 1fr)); gap: 10px; margin: 0 0 8px; }
    .tile { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; background: var(--soft); }
    .tile .label { color: var(--muted); font-size: 11.5px; text-transform: uppercase; letter-spacing: .03em; line-height: 1.3;
                   min-height: 2.6em; overflow-wrap: anywhere; }
    .tile .value { font-size: 24px; font-weight: 700; line-height: 1.25; white-space: nowrap; }
    .tile .unit { font-size: 14px; font-weight: 600; color: var(--muted); }
    .tile .delta { font-size: 12px; color: var(--muted); }
    .tile.alert { border-color: #fecaca; background: #fef2f2; }
    .tile.alert .value { color: var(--critical); }
    table { width: 100%; border-collapse: collapse; font-size: 13.5px; margin: 4px 0 8px; }
    th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em;
         border-bottom: 2px solid var(--line); padding: 6px 8px; }
    td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; overflow-wrap: break-word; }
    td code { overflow-wrap: anywhere; }
    td.team { min-width: 9em; }
    td.num, th.num, td.date, td.nowrap { text-align: right; white-space: nowrap; overflow-wrap: normal; }
    td.date, td.nowrap { text-align: left; }
    tr.overdue td { background: #fef2f2; }
    code, .secret { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
    .secret { white-space: nowrap; }
    .ident { font-weight: 600; overflow-wrap: anywhere; }
    .sub.where { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11.5px; overflow-wrap: anywhere; }
    .sub { display: block; color: var(--muted); font-size: 12px; }
    .sev { display: inline-block; white-space: nowrap; min-width: 62px; text-align: center; padding: 1px 6px; border-radius: 10px; font-size: 11.5px;
           font-weight: 700; color: #fff; text-transform: uppercase; letter-spacing: .03em; }
    .sev.critical { background: var(--critical); } .sev.high { background: var(--high); }
    .sev.medium { background: var(--medium); } .sev.low { background: var(--low); }
    .up { color: var(--critical); font-weight: 600; } .down { color: #15803d; font-weight: 600; }
    .none { color: var(--muted); font-style: italic; margin: 4px 0 8px; }
    .anomaly { border: 1px solid #fecaca; background: #fef2f2; border-radius: 6px; padding: 10px 14px; margin: 8px 0; }
    .anomaly strong { color: var(--critical); }
    .chart { width: 100%; max-width: 560px; height: auto; display: block; margin: 6px 0 10px; }
    .chart.wide { max-width: none; }
    .chart .mark { fill: #fff; font-size: 10.5px; font-weight: 700; }
    ol.marks { margin: 0 0 12px; padding-left: 26px; font-size: 13px; columns: 2; column-gap: 32px; }
    ol.marks li { break-inside: avoid; margin: 2px 0; overflow-wrap: anywhere; }
    ol.marks .date { font-variant-numeric: tabular-nums; color: var(--muted); }
    .muted { color: var(--muted); }
    .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 8px 32px; }
    .charts h3 { margin-top: 12px; }
    .chart text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #334155; }
    .chart .axis { fill: #64748b; font-size: 11px; } .chart .value { font-weight: 600; }
    .meter { position: relative; height: 10px; width: 90px; background: var(--line); border-radius: 5px; overflow: hidden;
             display: inline-block; vertical-align: middle; margin-right: 6px; }
    .meter span { position: absolute; left: 0; top: 0; bottom: 0; background: #16a34a; }
    .meter.near span { background: #ca8a04; } .meter.over span { background: var(--critical); }
    .status-over { color: var(--critical); font-weight: 700; } .status-near { color: #a16207; font-weight: 600; }
    footer { margin-top: 36px; padding-top: 12px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12.5px; }
    footer ul { padding-left: 18px; margin: 6px 0; }
    @media (max-width: 900px) { .charts { grid-template-columns: minmax(0, 1fr); } ol.marks { columns: 1; } }
    @media (max-width: 720px) { main { padding: 16px; } .headline { font-size: 16px; } }
    @media print {
      @page { size: A4; margin: 14mm 12mm; }
      body { background: #fff; font-size: 10.5pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      main { max-width: none; padding: 0; }
      h2 { break-after: avoid; } h3 { break-after: avoid; }
      tr, .tile, .anomaly, .chart, .headline { break-inside: avoid; }
      thead { display: table-header-group; }
      .tiles { grid-template-columns: repeat(3, 1fr); }
      .charts { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 4px 16px; }
    }
    """

    // MARK: Sections

    static func header(_ r: WeeklyReport) -> String {
        var meta = "Scan of \(r.current.asOf)"
        if let p = r.previous { meta += " compared with the scan of \(p.asOf)" }
        meta += " · period \(r.periodDays) days"
        if let through = r.spendThrough { meta += " · spend data through \(through)" }
        if r.asOf != r.current.asOf { meta += " · as of \(r.asOf)" }
        return """
        <header>
        <p class="eyebrow">keyledger · weekly security report</p>
        <h1>Credentials, spend and risk — week to \(h(r.current.asOf))</h1>
        <p class="meta">\(h(meta))</p>
        </header>

        """
    }

    static func tile(_ label: String, _ value: String, _ delta: String?, unit: String? = nil, alert: Bool = false) -> String {
        #"<div class="tile\#(alert ? " alert" : "")"><div class="label">\#(h(label))</div><div class="value">\#(h(value))"#
            + (unit.map { #"<span class="unit"> \#(h($0))</span>"# } ?? "") + "</div>"
            + (delta.map { #"<div class="delta">\#(h($0))</div>"# } ?? "") + "</div>\n"
    }

    static func tiles(_ r: WeeklyReport) -> String {
        let open = r.bySeverity.values.reduce(0, +)
        let previousOpen = r.previousBySeverity?.values.reduce(0, +)
        let urgent = (r.bySeverity["critical"] ?? 0) + (r.bySeverity["high"] ?? 0)
        let previousUrgent = r.previousBySeverity.map { ($0["critical"] ?? 0) + ($0["high"] ?? 0) }
        var out = #"<section class="tiles" aria-label="Key figures">"# + "\n"
        out += tile("Open credentials", "\(open)", previousOpen.map { "\(ReportFormat.delta($0, open)) since last period" })
        out += tile("Critical or high", "\(urgent)", previousUrgent.map { "\(ReportFormat.delta($0, urgent)) since last period" }, alert: urgent > 0)
        out += tile("Spend this period", Money.whole(r.periodTotal, r.currency),
                    r.previousDailySpend.isEmpty ? nil : "\(ReportFormat.change(r.previousPeriodTotal, r.periodTotal)) on the period before")
        out += tile("Attributed spend", ReportFormat.percent(r.attribution),
                    "has a team owner" + (r.previousAttribution.map { ", \(ReportFormat.points($0, r.attribution)) since last period" } ?? ""))
        out += tile("Overdue", "\(r.overdue.count)", r.overdue.count == 1 ? "treatment past its due date" : "treatments past their due date",
                    alert: !r.overdue.isEmpty)
        out += tile("Spend anomalies", "\(r.anomalies.count)", r.anomalies.count == 1 ? "key spending like a stolen one" : "keys spending like stolen ones",
                    alert: !r.anomalies.isEmpty)
        if let v = r.validation {
            out += tile("Still work", "\(r.stillWorking.count)", "of \(v.checked) checked with the provider", alert: !r.stillWorking.isEmpty)
        }
        return out + "</section>\n"
    }

    static func severity(_ s: String) -> String { #"<span class="sev \#(h(s))">\#(h(s))</span>"# }

    /// The credential cell: what it is (identity, else the redacted secret), then the redacted secret, provider and
    /// kind, and where it was found first.
    static func credential(_ c: WeeklyReport.CredentialLine, location: Bool = true) -> String {
        var out = c.identity.map { #"<span class="ident">\#(h($0))</span><span class="sub"><span class="secret">\#(h(c.redacted))</span> · "# }
            ?? #"<span class="secret">\#(h(c.redacted))</span><span class="sub">"#
        out += "\(h(c.provider)) · \(h(c.kind))</span>"
        if location { out += #"<span class="sub where">\#(h(c.location ?? "provider listing only"))</span>"# }
        return out
    }

    static func owner(_ c: WeeklyReport.CredentialLine) -> String {
        c.owner.map(h) ?? #"<span class="up">no owner</span>"#
    }


    static func table(_ headers: [(String, Bool)], _ rows: [String]) -> String {
        "<table><thead><tr>" + headers.map { #"<th\#($0.1 ? " class=\"num\"" : "")>\#(h($0.0))</th>"# }.joined()
            + "</tr></thead><tbody>\n" + rows.map { $0 + "\n" }.joined() + "</tbody></table>\n"
    }

    static func none(_ text: String) -> String { #"<p class="none">\#(h(text))</p>"# + "\n" }

    static func subheading(_ title: String, _ count: Int) -> String {
        #"<h3>\#(h(title)) <span class="count">(\#(count))</span></h3>"# + "\n"
    }

    static func actionSection(_ r: WeeklyReport) -> String {
        var out = "<section><h2>Needs action this week</h2>\n"
        out += stillWorkingSection(r)
        out += subheading("Spend anomalies", r.anomalies.count)
        if r.anomalies.isEmpty { out += none("No spend anomaly.") }
        for a in r.anomalies {
            out += #"<div class="anomaly"><strong>\#(h(a.credential.name))</strong> — \#(h(a.credential.provider)) \#(h(a.credential.kind))"#
                + (a.credential.identity == nil ? ", " : #" <span class="secret">\#(h(a.credential.redacted))</span>, "#)
                + "owner \(owner(a.credential)), 30-day spend \(h(Money.format(a.credential.spend30d, r.currency, zero: "—")))"
                + #"<span class="sub">\#(h(a.reason)) (\#(h(a.source)))</span></div>"# + "\n"
        }
        out += subheading("Overdue treatments", r.overdue.count)
        if r.overdue.isEmpty {
            out += none("Nothing is overdue.")
        } else {
            out += table([("Credential", false), ("Owner", false), ("Action", false), ("Due", false), ("Overdue", true)], r.overdue.map { o in
                #"<tr class="overdue"><td>\#(credential(o.credential))</td><td>\#(owner(o.credential))</td><td>\#(h(o.action ?? "—"))</td>"#
                    + #"<td class="date">\#(h(o.due ?? "—"))</td><td class="num up">\#(o.overdueDays ?? 0) d</td></tr>"#
            })
        }
        out += subheading("Top risks", r.topRisks.count)
        if r.topRisks.isEmpty {
            out += none("No open credential.")
        } else {
            out += table([("#", true), ("Severity", false), ("Credential", false), ("Owner", false), ("Why", false), ("Spend 30 d", true),
                          ("Treatment", false), ("Due", false)], r.topRisks.enumerated().map { i, t in
                let due = t.overdueDays.map { #"<span class="up">\#(h(t.due ?? ""))</span><span class="sub up">\#($0) d late</span>"# } ?? h(t.due ?? "—")
                return #"<tr\#(t.overdueDays != nil ? " class=\"overdue\"" : "")><td class="num">\#(i + 1)</td>"#
                    + "<td>\(severity(t.credential.severity))<span class=\"sub\">score \(t.credential.score)</span></td>"
                    + "<td>\(credential(t.credential))</td><td>\(owner(t.credential))</td>"
                    + "<td>\(h(t.credential.topReason ?? "—"))</td><td class=\"num\">\(h(Money.format(t.credential.spend30d, r.currency, zero: "—")))</td>"
                    + "<td>\(h(t.action ?? "—"))</td><td class=\"date\">\(due)</td></tr>"
            })
        }
        return out + "</section>\n"
    }

    /// Leaked keys their provider still accepts (`scan --validate`), first: each with the day it said so. Nothing when
    /// the scan did not ask the providers.
    static func stillWorkingSection(_ r: WeeklyReport) -> String {
        guard let v = r.validation else { return "" }
        var out = subheading("Leaked keys that still work", r.stillWorking.count)
        out += #"<p class="sub">\#(h(v.sentence))</p>"# + "\n"
        guard !r.stillWorking.isEmpty else { return out + none("No open credential works at its provider.") }
        return out + table([("Severity", false), ("Credential", false), ("Owner", false), ("Provider answered", false), ("Checked", false)],
                           r.stillWorking.map { w in
            #"<tr><td>\#(severity(w.credential.severity))<span class="sub">score \#(w.credential.score)</span></td>"#
                + "<td>\(credential(w.credential))</td><td>\(owner(w.credential))</td><td>\(h(w.detail))</td>"
                + #"<td class="date"><span class="up">\#(h(w.day))</span>"#
                + (w.cached ? #"<span class="sub">earlier run</span>"# : "") + "</td></tr>"
        })
    }

    static func changesSection(_ r: WeeklyReport) -> String {
        guard let previous = r.previous else {
            return "<section><h2>Changes</h2>\n" + none("No earlier scan is recorded; changes start with the next recorded scan.") + "</section>\n"
        }
        var out = "<section><h2>Changes since \(h(previous.asOf))</h2>\n"
        out += subheading("New credentials", r.newCredentials.count)
        if r.newCredentials.isEmpty { out += none("None.") } else {
            out += table([("Severity", false), ("Credential", false), ("Owner", false), ("Where", false), ("Introduced by", false),
                          ("First seen", false)], r.newCredentials.map { c in
                "<tr><td>\(severity(c.severity))</td><td>\(credential(c, location: false))</td><td>\(owner(c))</td>"
                    + "<td><code>\(h(c.location ?? "provider listing only"))</code></td><td>\(h(c.author ?? "—"))</td>"
                    + "<td class=\"date\">\(h(c.firstSeen ?? "—"))</td></tr>"
            })
        }
        out += subheading("Resolved", r.resolved.count)
        if r.resolved.isEmpty { out += none("None.") } else {
            out += table([("Credential", false), ("Owner", false), ("Was", false), ("Why resolved", false)], r.resolved.map { x in
                "<tr><td>\(credential(x.credential))</td><td>\(owner(x.credential))</td><td>\(severity(x.credential.severity))</td>"
                    + "<td>\(h(x.reason))</td></tr>"
            })
        }
        out += subheading("Rotated", r.rotated.count)
        if r.rotated.isEmpty { out += none("None.") } else {
            out += table([("Identity", false), ("Old secret", false), ("New secret", false), ("Owner", false), ("Old secret now", false)],
                         r.rotated.map { x in
                "<tr><td><code>\(h(x.identity))</code></td><td>\(credential(x.old))</td><td>\(credential(x.new))</td>"
                    + "<td>\(owner(x.new))</td><td>\(h(x.oldStatus))</td></tr>"
            })
        }
        out += subheading("Severity changes", r.severityChanges.count)
        if r.severityChanges.isEmpty { out += none("None.") } else {
            out += table([("Credential", false), ("Owner", false), ("From", false), ("To", false), ("Score", true)], r.severityChanges.map { x in
                "<tr><td>\(credential(x.credential))</td><td>\(owner(x.credential))</td><td>\(severity(x.from))</td>"
                    + "<td>\(severity(x.to)) <span class=\"\(x.escalated ? "up" : "down")\">\(x.escalated ? "▲" : "▼")</span></td>"
                    + "<td class=\"num\">\(x.fromScore) → \(x.toScore)</td></tr>"
            })
        }
        return out + "</section>\n"
    }

    static func spendSection(_ r: WeeklyReport) -> String {
        var out = "<section><h2>Spend</h2>\n"
        let attribution = "\(ReportFormat.percent(r.attribution)) of 30-day spend has a team owner"
            + (r.previousAttribution.map { " (\(ReportFormat.points($0, r.attribution)) since last period)" } ?? "")
        out += "<p>30-day spend \(h(Money.format(r.spend30d, r.currency)))"
            + (r.previousSpend30d.map { " (\(h(ReportFormat.change($0, r.spend30d))) since last period)" } ?? "")
            + "; \(h(attribution)).</p>"
        if r.spendHistory.isEmpty {
            out += "<h3>Daily spend</h3>" + none("No daily usage in the recorded registers (add provider usage or cost exports to the scan).")
        } else {
            out += "<h3>Daily spend, \(h(r.spendHistory.first!.day)) – \(h(r.spendHistory.last!.day))</h3>\n"
            out += WeeklyReportSVG.spendHistory(r.spendHistory, periodDays: r.periodDays, marks: r.exposureMarks, currency: r.currency)
            if let first = r.dailySpend.first, let last = r.dailySpend.last {
                out += "<p class=\"sub\">This period \(h(Money.format(r.periodTotal, r.currency))) (\(h(first.day)) – \(h(last.day))); "
                    + "the period before \(h(Money.format(r.previousPeriodTotal, r.currency))).</p>\n"
            }
            out += exposureList(r.exposureMarks)
        }
        let hasPeriods = !r.dailySpend.isEmpty
        func bars(_ title: String, _ rows: [(label: String, period: Double, previous: Double, spend30d: Double, unowned: Bool)]) -> String {
            var out = "<div><h3>\(h(title))</h3>"
            if rows.isEmpty { return out + none("No spend linked to any credential.") + "</div>" }
            out += WeeklyReportSVG.bars(rows.map { row in
                WeeklyReportSVG.BarRow(label: row.label, value: hasPeriods ? row.period : row.spend30d,
                                       previous: hasPeriods ? row.previous : nil, color: row.unowned ? "#dc2626" : WeeklyReportSVG.blue,
                                       valueText: Money.whole(hasPeriods ? row.period : row.spend30d, r.currency))
            }, label: "\(title), " + (hasPeriods ? "this period and the one before" : "last 30 days"),
               legend: hasPeriods ? ("this period", "period before") : nil)
            return out + "</div>"
        }
        out += #"<div class="charts">"#
        out += bars("By team", r.spendByTeam.map { ($0.team ?? "no team owner", $0.period, $0.previousPeriod, $0.spend30d, $0.team == nil) })
        out += bars("By provider", r.spendByProvider.map { ($0.name ?? "unknown", $0.period, $0.previousPeriod, $0.spend30d, false) })
        out += bars("By cost centre", r.spendByCostCentre.map { ($0.name ?? "no cost centre", $0.period, $0.previousPeriod, $0.spend30d, $0.name == nil) })
        out += "</div>\n"
        if !r.spendByTeam.isEmpty {
            out += "<h3>30-day forecast and budget</h3>"
            out += table([("Team", false), ("This period", true), ("Period before", true), ("Change", true), ("Last 30 days", true),
                          ("Forecast 30 days", true), ("Budget", true), ("Forecast vs budget", false)], r.spendByTeam.map { t in
                func whole(_ x: Double) -> String { h(Money.whole(x, r.currency)) }
                var budget = "—"
                if let b = t.budget {
                    var ratio = b > 0 ? t.forecast30d / b : (t.forecast30d > 0 ? 2 : 0)
                    if !ratio.isFinite { ratio = 0 }
                    let status = t.budgetStatus ?? "within"
                    budget = #"<span class="meter \#(status)"><span style="width:\#(Int(min(1, ratio) * 100))%"></span></span>"#
                        + #"<span class="status-\#(status)">\#(ReportFormat.percent(ratio))\#(status == "over" ? " over" : status == "near" ? " near" : "")</span>"#
                }
                return "<tr><td class=\"team\">\(t.team.map(h) ?? "<span class=\"up\">no team owner</span>")</td>"
                    + "<td class=\"num\">\(whole(t.period))</td><td class=\"num\">\(whole(t.previousPeriod))</td>"
                    + "<td class=\"num\">\(h(ReportFormat.change(t.previousPeriod, t.period)))</td>"
                    + "<td class=\"num\">\(whole(t.spend30d))</td><td class=\"num\"><strong>\(whole(t.forecast30d))</strong></td>"
                    + "<td class=\"num\">\(t.budget.map(whole) ?? "—")</td><td class=\"nowrap\">\(budget)</td></tr>"
            })
        }
        return out + "</section>\n"
    }

    /// The exposure dates marked on the spend history, numbered as on the chart, with where abuse starts (▲).
    static func exposureList(_ marks: [WeeklyReport.ExposureMark]) -> String {
        guard !marks.isEmpty else { return "" }
        return #"<ol class="marks" aria-label="Exposure dates on the chart">"# + marks.map { m in
            #"<li><span class="date">\#(h(m.day))</span> \#(severity(m.credential.severity)) <strong>\#(h(m.credential.name))</strong> "#
                + #"<span class="muted">\#(h(m.credential.provider)) · \#(h(m.credential.kind))\#(m.credential.location.map { " · " + h($0) } ?? "")</span>"#
                + (m.abuse.map { #"<span class="sub up">▲ abuse: \#(h($0.summary))</span>"# } ?? "") + "</li>"
        }.joined(separator: "\n") + "</ol>\n"
    }

    static func severitySection(_ r: WeeklyReport) -> String {
        var out = "<section><h2>Open credentials by severity</h2>\n"
        out += WeeklyReportSVG.bars(WeeklyReport.severities.map { s in
            let now = r.bySeverity[s] ?? 0
            let before = r.previousBySeverity?[s]
            return WeeklyReportSVG.BarRow(label: s, value: Double(now), previous: before.map(Double.init),
                                          color: WeeklyReportSVG.severityColors[s] ?? WeeklyReportSVG.blue,
                                          valueText: "\(now)" + (before.map { " (\(ReportFormat.delta($0, now)))" } ?? ""))
        }, label: "Open credentials by severity", legend: r.previousBySeverity == nil ? nil : ("now", "last period"))
        return out + "</section>\n"
    }

    /// How "still works" is known, for the foot of both report formats.
    static let validationNote = "Still works means the credential's own provider accepted it in a read-only call (`scan --validate`) on the day shown; revoked means it refused it (HTTP 401/403); could not be checked means no answer said either (a timeout, a rate limit, a provider error), and is asked again on the next scan. An answer from an earlier run is reused for `validation: cache_for:` (default 1 day)."

    static func footer(_ r: WeeklyReport) -> String {
        var items = [
            "New, resolved and rotated compare credentials by their fingerprint-derived id; rotated = same provider identity (key id, else principal) with a new secret.",
            "Due dates are the register's own, the same the CSV and Markdown register show; overdue means due before \(r.asOf).",
            "Forecast (30 days) = mean daily spend over the last \(WeeklyReport.forecastWindowDays) days × 30.",
            "Daily spend covers the whole window of daily usage in the registers (\(WeeklyReport.spendHistoryMinDays) to \(WeeklyReport.spendHistoryMaxDays) days); dashed lines mark the day each credential was first exposed, and a solid line with ▲ where an abused key's abuse starts (its spend change-point, else its first LLMjacking event in CloudTrail). Spend is broken down by team, provider and cost centre; the register carries no model information, so not by model.",
            "Spend anomalies come from the risk model's spend.anomaly, spend.spike, spend.new-model-after-exposure and cloudtrail factors, abuse after exposure first; without any, the report flags a last-7-day mean ≥ \(Int(WeeklyReport.anomalyMultiple))× the mean of the up to 28 days before.",
            "Secrets appear only in redacted form; the history store and this page hold no plaintext secret.",
        ]
        if r.validation != nil { items.append(validationNote) }
        items += r.notes
        return "<footer><strong>How this report is made</strong><ul>\n" + items.map { "<li>\(h($0))</li>\n" }.joined() + "</ul>"
            + "<p>Generated by keyledger from the scans of \(h(r.current.asOf))" + (r.previous.map { " and \(h($0.asOf))" } ?? "") + ".</p></footer>\n"
    }
}
