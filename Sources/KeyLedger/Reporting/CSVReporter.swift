import Foundation

/// The register as CSV for governance reviews: one row per credential, stable column names, RFC 4180 quoting,
/// and spreadsheet formula injection neutralised (cells starting with `=`, `+`, `-`, `@` get a leading `'`).
public enum CSVReporter {
    public static let columns = [
        "id", "provider", "kind", "redacted", "key_id", "principal", "team", "contact", "cost_centre", "owner_source",
        "locations", "repositories", "in_head", "first_seen", "age_days", "last_used", "spend_30d", "currency", "privilege",
        "score", "severity", "top_factors", "controls", "treatments", "due", "status",
        // Added after `status` (columns are only ever appended): `scan --validate`'s answer, empty when not validated.
        "validation_status", "validation_checked_at", "validation_detail",
    ]

    public static func render(_ register: Register) -> String {
        var out = columns.joined(separator: ",") + "\r\n"
        for c in register.credentials {
            // `spend_30d` is data, not display: a plain number (`2429.20`) a spreadsheet sums, with the currency in its
            // own column; every human-readable output writes the amount with `Money.format` (`$2,429.20`).
            let top = c.risk.factors.filter { $0.points > 0 }.prefix(3).map { "\($0.id) (+\($0.points))" }.joined(separator: "; ")
            let due = c.treatment.compactMap(\.due).min() ?? ""
            let row: [String] = [
                c.id, c.provider, c.kind, c.redacted, c.identity.keyId ?? "", c.identity.principal ?? "", c.owner.team ?? "",
                c.owner.contact ?? "", c.owner.costCentre ?? "", c.owner.source.rawValue, String(c.exposure.locationsCount),
                String(c.exposure.repositories), c.exposure.inHead ? "true" : "false", c.exposure.firstSeen ?? "",
                c.ageDays.map(String.init) ?? "", c.lastUsed ?? "", Money.plain(c.usage.spend30d), c.usage.currency,
                c.privilege.level.rawValue, String(c.risk.score), c.risk.severity.rawValue, top, c.controls.joined(separator: "; "),
                c.treatment.map(\.action.rawValue).joined(separator: "; "), due, c.status.rawValue,
                c.validation?.status.rawValue ?? "", c.validation?.checkedAt ?? "", c.validation?.detail ?? "",
            ]
            out += row.map(cell).joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func cell(_ value: String) -> String {
        var v = value
        if let first = v.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { v = "'" + v }
        if v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r") {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }
}
