import Foundation

/// The terminal inventory: one line per credential, severity first, colour when writing to a terminal.
///
/// Each credential is named by its identity (key id, principal, key name) and its first location, with its status
/// (open, suppressed, allowed). The table fits the width it is given (`RenderContext.width`, else the terminal's,
/// else 120 columns): wide cells are cut with `…`, then the least useful columns are left out; a row never wraps.
public enum TableReporter {
    /// A column: its header, how it gives way when the table is too wide, and where a cut keeps text.
    struct Column {
        enum Cut { case end, middle }
        /// In the order the table gives way: minor cells are cut first, then minor columns left out, then key cells
        /// cut, then the remaining optional columns left out.
        enum Role { case fixed, minor, key }
        var header: String
        var role: Role = .fixed
        var minimum = 0
        var cut: Cut = .end
        /// 1: left out before key cells are cut; 2: left out after; nil: always shown.
        var dropStage: Int?
    }

    public static func render(_ register: Register, color: Bool) -> String {
        render(register, context: RenderContext(color: color))
    }

    public static func render(_ register: Register, context: RenderContext) -> String {
        let width = max(40, context.width ?? RenderContext.terminalWidth())
        func paint(_ text: String, _ code: String) -> String { context.color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        let severityColor = ["critical": "1;31", "high": "31", "medium": "33", "low": "36"]
        // Owner and spend columns appear once linking has something to say.
        let showOwner = register.credentials.contains { $0.owner.source != .none }
        let showSpend = register.credentials.contains { $0.usage.spend30d > 0 }
        var columns = [
            Column(header: "SEVERITY"), Column(header: "SCORE", dropStage: 1), Column(header: "STATUS"),
            Column(header: "PROVIDER", role: .minor, minimum: 8), Column(header: "KIND", role: .minor, minimum: 10, dropStage: 1),
            Column(header: "IDENTITY", role: .key, minimum: 16), Column(header: "SECRET", role: .minor, minimum: 16, dropStage: 2),
        ]
        if showOwner { columns.append(Column(header: "OWNER", role: .minor, minimum: 10, dropStage: 2)) }
        if showSpend { columns.append(Column(header: "SPEND 30D", dropStage: 2)) }
        // The provider's answer appears once the scan asked (`--validate`).
        let validation = ValidationSummary(register.credentials)
        if validation != nil { columns.append(Column(header: "CHECK", role: .minor, minimum: 7, dropStage: 2)) }
        columns += [Column(header: "WHERE", role: .key, minimum: 24, cut: .middle), Column(header: "FIRST SEEN", dropStage: 1)]

        var rows: [[String]] = []
        for c in register.credentials {
            var row = [c.risk.severity.rawValue, String(c.risk.score), c.status.rawValue, c.provider, c.kind,
                       CredentialNames.identity(c) ?? "-", c.redacted]
            if showOwner { row.append(c.owner.team ?? c.owner.contact.map { "\($0) (\(c.owner.source))" } ?? "-") }
            if showSpend { row.append(Money.format(c.usage.spend30d, c.usage.currency, zero: "-")) }
            if validation != nil { row.append(c.validation.map(ValidationSummary.label) ?? "-") }
            row += [c.locations.isEmpty ? "(provider inventory only)" : CredentialNames.whereFound(c), c.exposure.firstSeen ?? "-"]
            rows.append(row)
        }
        let layout = fit(columns, rows: rows, width: width)

        var out = ""
        for (r, row) in ([columns.map(\.header)] + rows).enumerated() {
            var cells: [String] = []
            for (position, (i, cellWidth)) in layout.enumerated() {
                let text = cut(row[i], to: cellWidth, columns[i].cut)
                let padded = position == layout.count - 1 ? text : text.padding(toLength: cellWidth, withPad: " ", startingAt: 0)
                if r == 0 { cells.append(paint(padded, "1")) }
                else if i == 0 { cells.append(paint(padded, severityColor[row[0]] ?? "0")) }
                else if columns[i].header == "CHECK", row[i] == "works" { cells.append(paint(padded, "1;31")) }
                else { cells.append(padded) }
            }
            out += cells.joined(separator: "  ") + "\n"
        }
        let s = register.summary
        let sev = ["critical", "high", "medium", "low"].map { "\(s.bySeverity[$0] ?? 0) \($0)" }.joined(separator: ", ")
        if s.spend30d > 0 {
            out += "\n30-day spend \(Money.format(s.spend30d, s.currency)), \(ReportFormat.percent(s.attributedSpendRatio)) attributed to a team owner"
        }
        if let validation { out += "\n" + validation.sentence }
        let scan = register.scan
        let skipped = scan.skipped.values.reduce(0, +)
        out += "\n\(ReportFormat.count(s.credentials, "credential")) (\(sev)) — "
        out += [ReportFormat.count(scan.commits, "commit"), ReportFormat.count(scan.blobs, "blob"),
                ReportFormat.count(scan.files, "file")].joined(separator: ", ")
        out += ", \(formatBytes(scan.bytes)) in \(String(format: "%.1f", Double(scan.durationMs) / 1000)) s"
        if skipped > 0 {
            out += "; skipped " + scan.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
        out += "\n"
        if register.credentials.isEmpty { out = "No credentials found.\n" + out.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n") }
        return out
    }

    /// Which columns to show and how wide, so that every line fits `width`: natural widths, then in turn minor cells
    /// cut (the widest first, down to their minimum), the first optional columns left out, key cells (identity, where)
    /// cut, the other optional columns left out; on a terminal narrower still, the last column takes what is left.
    /// Returns (column index, width) pairs in display order.
    static func fit(_ columns: [Column], rows: [[String]], width: Int) -> [(Int, Int)] {
        let natural = columns.indices.map { i in ([columns[i].header] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
        var widths = natural
        var shown = Array(columns.indices)
        func total() -> Int { shown.reduce(0) { $0 + widths[$1] } + 2 * max(0, shown.count - 1) }
        func floor(_ i: Int) -> Int { max(columns[i].minimum, columns[i].header.count) }
        func shrink(_ role: Column.Role) {
            while total() > width, let i = shown.filter({ columns[$0].role == role && widths[$0] > floor($0) })
                .max(by: { widths[$0] - floor($0) < widths[$1] - floor($1) }) {
                widths[i] -= 1
            }
        }
        func drop(_ stage: Int) {
            for i in shown.reversed() where total() > width && columns[i].dropStage == stage { shown.removeAll { $0 == i } }
        }
        shrink(.minor)
        drop(1)
        shrink(.key)
        drop(2)
        // Room freed by a column left out goes back to cut cells, key cells first.
        for role in [Column.Role.key, .minor] {
            for i in shown where columns[i].role == role && widths[i] < natural[i] && total() < width {
                widths[i] += min(natural[i] - widths[i], width - total())
            }
        }
        if total() > width, let last = shown.last { widths[last] = max(1, widths[last] - (total() - width)) }
        return shown.map { ($0, widths[$0]) }
    }

    /// `text` cut to `width` characters with `…`: its end cut away, or its middle (a path keeps its file name and line).
    static func cut(_ text: String, to width: Int, _ how: Column.Cut) -> String {
        guard text.count > width else { return text }
        guard width > 1 else { return "…" }
        switch how {
        case .end: return text.prefix(width - 1) + "…"
        case .middle:
            let tail = (width - 1) * 2 / 3
            return text.prefix(width - 1 - tail) + "…" + text.suffix(tail)
        }
    }

    static func formatBytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }
}
