import Foundation

/// One scan's register as a self-contained page (`scan --format html`): every credential, ranked, named by what it is
/// and where it was found first, with the weekly report's charts (spend history with exposure dates, spend by team,
/// provider and cost centre, severity bars). A small inline script adds a text filter and severity/status selects;
/// without script the page shows everything and the filter stays hidden. Nothing is loaded from anywhere: the
/// Content-Security-Policy allows inline style and exactly this script (by its SHA-256), nothing else.
/// Every string from the register is escaped with `HTMLText.escape`.
public enum RegisterHTML {
    private static let h = HTMLText.escape

    public static func render(_ register: Register, budgets: [String: Double] = [:]) -> String {
        // The weekly report's model of this one register gives the spend series, breakdowns and severity counts.
        let report = WeeklyReport.build(current: register, previous: nil, asOf: register.asOf, budgets: budgets)
        var body = header(register)
        let atRisk = register.credentials.filter { $0.risk.severity.isUrgent }.reduce(0) { $0 + $1.usage.spend30d }
        body += #"<p class="headline">\#(h(MarkdownReporter.headline(register, atRisk: atRisk, markdown: false)).replacingOccurrences(of: "…", with: "\u{2060}…\u{2060}"))</p>"# + "\n"
        body += tiles(register, report)
        body += registerSection(register)
        body += WeeklyReportHTML.spendSection(report)
        body += WeeklyReportHTML.severitySection(report)
        body += footer(register)
        return WeeklyReportHTML.page(title: "Credential register — \(register.asOf)", body: body, extraStyle: style,
                                     script: (script, scriptHash))
    }

    static let style = """
    .filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 6px 0 10px; padding: 10px 12px;
               background: var(--soft); border: 1px solid var(--line); border-radius: 6px; font-size: 13.5px; }
    .filters[hidden] { display: none; }
    .filters input[type=search] { min-width: 260px; flex: 1; padding: 5px 8px; border: 1px solid #cbd5e1; border-radius: 4px; font: inherit; }
    .filters select { padding: 4px 6px; border: 1px solid #cbd5e1; border-radius: 4px; font: inherit; background: #fff; }
    .filters output { color: var(--muted); white-space: nowrap; }
    .status { display: inline-block; font-size: 11.5px; font-weight: 600; padding: 0 6px; border-radius: 8px; border: 1px solid var(--line); }
    .status.open { color: var(--critical); border-color: #fecaca; background: #fef2f2; }
    .status.suppressed, .status.allowed { color: var(--muted); background: var(--soft); }
    tr.quiet td { color: var(--muted); }
    .check { white-space: nowrap; } .check.active { color: var(--critical); font-weight: 600; }
    @media print { .filters { display: none; } }
    """

    /// Filters the register table by text, severity and status; reveals the filter form, which is hidden without it.
    static let script = """
    (function () {
      var form = document.getElementById("filters");
      var text = document.getElementById("filter-text"), severity = document.getElementById("filter-severity");
      var status = document.getElementById("filter-status"), count = document.getElementById("filter-count");
      var rows = Array.prototype.slice.call(document.querySelectorAll("#register tbody tr"));
      function apply() {
        var q = text.value.trim().toLowerCase(), s = severity.value, t = status.value, shown = 0;
        rows.forEach(function (row) {
          var match = (!s || row.getAttribute("data-severity") === s) && (!t || row.getAttribute("data-status") === t)
            && (!q || row.textContent.toLowerCase().indexOf(q) >= 0);
          row.hidden = !match;
          if (match) { shown += 1; }
        });
        count.textContent = shown === rows.length ? "all " + rows.length + " shown" : shown + " of " + rows.length + " shown";
      }
      [text, severity, status].forEach(function (el) { el.addEventListener("input", apply); el.addEventListener("change", apply); });
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      form.hidden = false;
      apply();
    })();
    """

    /// The CSP source that allows exactly `script`.
    static var scriptHash: String { "sha256-" + Data(SHA256.digest(Array(script.utf8))).base64EncodedString() }

    static func header(_ register: Register) -> String {
        let scan = register.scan
        let targets = scan.targets.map { ($0 as NSString).lastPathComponent }
        var meta = "As of \(register.asOf) · scanned " + (targets.isEmpty ? "nothing" : ReportFormat.list(targets)) + ": "
        meta += [ReportFormat.count(scan.commits, "commit"), ReportFormat.count(scan.blobs, "blob"), ReportFormat.count(scan.files, "file")]
            .joined(separator: ", ")
        if let exports = scan.exports, !exports.isEmpty {
            meta += " · " + ReportFormat.count(exports.values.reduce(0, +), "provider export")
        }
        return """
        <header>
        <p class="eyebrow">keyledger · credential register</p>
        <h1>Credential register — \(h(register.asOf))</h1>
        <p class="meta">\(h(meta))</p>
        </header>

        """
    }

    static func tiles(_ register: Register, _ report: WeeklyReport) -> String {
        let open = register.credentials.filter { $0.status == .open }.count
        let urgent = register.credentials.filter { $0.status == .open && $0.risk.severity.isUrgent }.count
        let accepted = register.credentials.count - open
        let overdue = register.credentials.filter { c in
            c.status == .open && (c.treatment.compactMap(\.due).min().map { $0 < register.asOf } ?? false)
        }.count
        var out = #"<section class="tiles" aria-label="Key figures">"# + "\n"
        out += WeeklyReportHTML.tile("Credentials", "\(register.credentials.count)",
                                     "\(open) open" + (accepted > 0 ? ", \(accepted) suppressed or allowed" : ""))
        out += WeeklyReportHTML.tile("Critical or high", "\(urgent)", "open", alert: urgent > 0)
        out += WeeklyReportHTML.tile("30-day spend", Money.whole(register.summary.spend30d, register.summary.currency),
                                     report.spendHistory.isEmpty ? nil : "this period " + Money.whole(report.periodTotal, report.currency))
        out += WeeklyReportHTML.tile("Attributed spend", ReportFormat.percent(register.summary.attributedSpendRatio), "has a team owner")
        out += WeeklyReportHTML.tile("Overdue", "\(overdue)", overdue == 1 ? "credential past its due date" : "credentials past their due date",
                                     alert: overdue > 0)
        out += WeeklyReportHTML.tile("Spend anomalies", "\(report.anomalies.count)",
                                     report.anomalies.count == 1 ? "key spending like a stolen one" : "keys spending like stolen ones",
                                     alert: !report.anomalies.isEmpty)
        if let validation = ValidationSummary(register.credentials) {
            let working = ValidationSummary.stillWorking(register.credentials).count
            out += WeeklyReportHTML.tile("Still work", "\(working)", "of \(validation.checked) checked with the provider", alert: working > 0)
        }
        return out + "</section>\n"
    }

    static func registerSection(_ register: Register) -> String {
        var out = #"<section><h2>Register <span class="count">(\#(ReportFormat.count(register.credentials.count, "credential")))</span></h2>"# + "\n"
        guard !register.credentials.isEmpty else { return out + WeeklyReportHTML.none("No credentials found.") + "</section>\n" }
        let validated = ValidationSummary(register.credentials) != nil
        if let validation = ValidationSummary(register.credentials) { out += "<p>\(h(validation.sentence))</p>\n" }
        let statuses = CredentialStatus.allCases.filter { s in register.credentials.contains { $0.status == s } }
        out += #"<form id="filters" class="filters" hidden role="search" aria-label="Filter the register">"#
        out += #"<input id="filter-text" type="search" placeholder="Filter by identity, path, owner, provider…" aria-label="Filter text">"#
        out += #"<label>Severity <select id="filter-severity"><option value="">all</option>"#
            + Severity.allCases.map { #"<option value="\#($0.rawValue)">\#($0.rawValue)</option>"# }.joined() + "</select></label>"
        out += #"<label>Status <select id="filter-status"><option value="">all</option>"#
            + statuses.map { #"<option value="\#($0.rawValue)">\#($0.rawValue)</option>"# }.joined() + "</select></label>"
        out += #"<output id="filter-count" aria-live="polite"></output></form>"# + "\n"
        out += #"<table id="register"><thead><tr><th class="num">#</th><th>Severity</th><th>Status</th><th>Credential</th><th>Owner</th>"#
            + #"<th class="num">Spend 30 d</th><th>Why</th><th>Treatment</th><th>Due</th></tr></thead><tbody>"# + "\n"
        for (i, c) in register.credentials.enumerated() {
            let line = WeeklyReport.line(c)
            let due = c.treatment.compactMap(\.due).min()
            let late = due.flatMap { WeeklyReport.days(from: $0, to: register.asOf) }.flatMap { $0 > 0 && c.status == .open ? $0 : nil }
            let dueCell = late.map { #"<span class="up">\#(h(due ?? ""))</span><span class="sub up">\#($0) d late</span>"# } ?? h(due ?? "—")
            let rowClass = c.status == .open ? (late != nil ? #" class="overdue""# : "") : #" class="quiet""#
            out += #"<tr data-severity="\#(c.risk.severity.rawValue)" data-status="\#(c.status.rawValue)"\#(rowClass)>"#
            out += #"<td class="num">\#(i + 1)</td><td>\#(WeeklyReportHTML.severity(c.risk.severity.rawValue))<span class="sub">score \#(c.risk.score)</span></td>"#
            out += #"<td><span class="status \#(c.status.rawValue)">\#(c.status.rawValue)</span>"#
                + (validated ? checkCell(c.validation) : "") + "</td>"
            out += "<td>\(credentialCell(c, line))</td><td>\(WeeklyReportHTML.owner(line))</td>"
            out += #"<td class="num">\#(h(Money.format(c.usage.spend30d, c.usage.currency, zero: "—")))</td>"#
            out += "<td>\(h(line.topReason ?? "—"))</td>"
            out += "<td>\(h(c.treatment.map(\.action.rawValue).joined(separator: ", ")).nonEmpty ?? "—")</td>"
            out += #"<td class="date">\#(dueCell)</td></tr>"# + "\n"
        }
        return out + "</tbody></table>\n</section>\n"
    }

    /// Under the status, what the provider said when asked (`--validate`): a key that still works in red, with the day.
    /// Short enough for the status column; the provider's answer (and an earlier run's, when reused) is its tooltip.
    static func checkCell(_ v: CredentialValidation?) -> String {
        guard let v else { return "" }
        let text = v.status == .active || v.status == .revoked ? "\(ValidationSummary.label(v)) · \(ValidationSummary.day(v))" : "not checked"
        let title = v.detail + (v.cached == true ? " (answer of an earlier run, reused)" : "")
        return #"<span class="sub check \#(v.status.rawValue)" title="\#(h(title))">\#(h(text))</span>"#
    }

    /// The weekly report's credential cell, with every location count and `[history]` when HEAD no longer holds it.
    static func credentialCell(_ c: CredentialRecord, _ line: WeeklyReport.CredentialLine) -> String {
        var cell = WeeklyReportHTML.credential(line, location: false)
        cell += #"<span class="sub where">\#(h(c.locations.isEmpty ? "provider listing only" : CredentialNames.whereFound(c)))</span>"#
        return cell
    }

    static func footer(_ register: Register) -> String {
        var items = [
            "One row per distinct credential, ranked by severity, then risk score; the register JSON (`--format json`) has every factor, control and location.",
            "Identity is the provider's key id, else the principal, else the key's name; the location is the first place the secret was found.",
            "Due is the earliest due date among the credential's treatments; late means due before \(register.asOf).",
            "Daily spend covers the whole window of daily usage in the register (\(WeeklyReport.spendHistoryMinDays) to \(WeeklyReport.spendHistoryMaxDays) days); dashed lines mark the day each credential was first exposed. The register carries no model information, so spend is not broken down by model.",
            "Secrets appear only in redacted form; this page holds no plaintext secret and loads nothing from anywhere.",
        ]
        if ValidationSummary(register.credentials) != nil {
            items.append("Under each status, what the credential's own provider answered to a read-only call (`scan --validate`) and on which day: works, revoked, or not checked (no answer said either); hover for the answer. Credentials without a line were not asked (no validator for their provider, or a kind the call cannot check).")
        }
        let skipped = register.scan.skipped.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if !skipped.isEmpty {
            items.append("Skipped while scanning: " + skipped.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ".")
        }
        return "<footer><strong>How this page is made</strong><ul>\n" + items.map { "<li>\(h($0))</li>\n" }.joined() + "</ul>"
            + "<p>Generated by keyledger at \(h(register.generatedAt)).</p></footer>\n"
    }
}

private extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
