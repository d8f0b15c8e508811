import Foundation

/// The terminal inventory: one line per credential, severity first, colour when writing to a terminal.
public enum TableReporter {
    public static func render(_ register: Register, color: Bool) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        let severityColor = ["critical": "1;31", "high": "31", "medium": "33", "low": "36"]
        // Owner and spend columns appear once linking has something to say.
        let showOwner = register.credentials.contains { $0.owner.source != .none }
        let showSpend = register.credentials.contains { $0.usage.spend30d > 0 }
        var header = ["SEVERITY", "SCORE", "PROVIDER", "KIND", "SECRET"]
        if showOwner { header.append("OWNER") }
        if showSpend { header.append("SPEND 30D") }
        header += ["WHERE", "FIRST SEEN"]
        var rows: [[String]] = [header]
        for c in register.credentials {
            var whereText = c.locations.isEmpty ? "(provider inventory only)" : "-"
            if let first = c.locations.first {
                let repo = first.repository.map { RepositoryName.short($0) + ":" } ?? ""
                whereText = repo + first.path + (first.line.map { ":\($0)" } ?? "")
                if c.locations.count > 1 { whereText += " (+\(c.locations.count - 1))" }
                if !c.exposure.inHead { whereText += " [history]" }
            }
            var row = [c.risk.severity.rawValue, String(c.risk.score), c.provider, c.kind, c.redacted]
            if showOwner { row.append(c.owner.team ?? c.owner.contact.map { "\($0) (\(c.owner.source))" } ?? "-") }
            if showSpend { row.append(c.usage.spend30d > 0 ? String(format: "%.2f", c.usage.spend30d) : "-") }
            row += [whereText, c.exposure.firstSeen ?? "-"]
            rows.append(row)
        }
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        let whereColumn = header.firstIndex(of: "WHERE")!
        widths[whereColumn] = min(widths[whereColumn], 60)
        if showOwner, let ownerColumn = header.firstIndex(of: "OWNER") { widths[ownerColumn] = min(widths[ownerColumn], 32) }
        var out = ""
        for (r, row) in rows.enumerated() {
            var cells: [String] = []
            for (i, cell) in row.enumerated() {
                var text = cell
                if text.count > widths[i] { text = "…" + text.suffix(widths[i] - 1) }
                let padded = i == row.count - 1 ? text : text.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                if r == 0 { cells.append(paint(padded, "1")) } else if i == 0 { cells.append(paint(padded, severityColor[cell] ?? "0")) } else { cells.append(padded) }
            }
            out += cells.joined(separator: "  ") + "\n"
        }
        let s = register.summary
        let sev = ["critical", "high", "medium", "low"].map { "\(s.bySeverity[$0] ?? 0) \($0)" }.joined(separator: ", ")
        if s.spend30d > 0 {
            out += String(format: "\n30-day spend %.2f %@, %.0f%% attributed to a team owner", s.spend30d, s.currency, s.attributedSpendRatio * 100)
        }
        let scan = register.scan
        let skipped = scan.skipped.values.reduce(0, +)
        out += "\n\(s.credentials) credential\(s.credentials == 1 ? "" : "s") (\(sev)) — "
        out += "\(scan.commits) commits, \(scan.blobs) blobs, \(scan.files) files, \(formatBytes(scan.bytes)) in \(String(format: "%.1f", Double(scan.durationMs) / 1000)) s"
        if skipped > 0 {
            out += "; skipped " + scan.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
        out += "\n"
        if register.credentials.isEmpty { out = "No credentials found.\n" + out.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n") }
        return out
    }

    static func formatBytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }
}
