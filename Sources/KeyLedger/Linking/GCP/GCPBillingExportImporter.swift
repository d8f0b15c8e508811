import Foundation

/// Reads Cloud Billing export rows for Vertex AI and the Gemini API: the standard (`gcp_billing_export_v1_<ACCOUNT>`) or
/// detailed (`gcp_billing_export_resource_v1_<ACCOUNT>`) BigQuery table, extracted as newline-delimited JSON (nested
/// `service`, `sku`, `project`, `usage`, `invoice` records and the repeated `credits`, as the schema defines them) or
/// a query result saved as CSV with the nested fields as columns (`service.description` or `service_description`, …).
/// Schema: https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage — `billing_account_id`,
/// `service.description`, `sku.description`, `usage_start_time`, `project.id`, `cost`, `currency`, `credits[].amount`,
/// `cost_type`, `invoice.month`.
///
/// Only AI rows are read: `service.description` naming Vertex AI, Gemini, the Generative Language API or AI Platform, or a
/// `sku.description` naming Gemini; the rest of the bill (Compute Engine, Cloud Storage, …) is not AI spend. The export
/// has no API-key or service-account column, so a row is the spend of its project (`.project(project.id)`, approximate
/// when the project holds several keys) or, without a project, of the billing account (`.organization("gcp")`,
/// unattributed). Cost = `cost` plus the row's credits (negative amounts; a free-tier or committed-use credit lowers what
/// was spent); rows are summed per project, day (`usage_start_time`, UTC), SKU and currency, the SKU standing as the model.
/// Bad rows (an absurd, NaN or — outside adjustments, rounding errors and credits — negative amount; a day outside
/// 2000–2099) are skipped and counted; `invoice.month` is not a bound, Google invoicing late usage in a later month.
enum GCPBillingExportImporter: ExportImporter {
    static let format = "gcp.billing-export"
    static let signature = "Cloud Billing export rows (billing_account_id, service.description, usage_start_time, cost), JSON Lines or CSV"

    static let aiServiceWords = ["vertex", "gemini", "generative language", "ai platform", "cloud machine learning"]

    /// A field by its dotted schema name: nested in JSON (`service` → `description`), or a CSV column named with a dot
    /// or an underscore.
    static func value(_ row: CloudExport.Row, _ path: String) -> Any? {
        if let v = row[path] { return v }
        if let v = row[path.replacingOccurrences(of: ".", with: "_")] { return v }
        let parts = path.split(separator: ".").map(String.init)
        guard parts.count == 2, let parent = CloudExport.jsonObject(row[parts[0]]) else { return nil }
        return parent[parts[1]]
    }

    static func rows(_ content: ExportContent) throws -> [CloudExport.Row] {
        switch content {
        case .csv(let header, let rows): return try CloudExport.table(header, rows)
        case .json(let root):
            if let object = root as? [String: Any] { return [CloudExport.Row(place: "", fields: object)] }
            guard let array = root as? [Any] else { throw ExportError("expected billing export rows") }
            return try CloudExport.objects(array, at: "")
        }
    }

    static func recognises(_ content: ExportContent) -> Bool {
        let fields: Set<String>
        switch content {
        case .csv(let header, _): fields = Set(header)
        case .json(let root):
            let first = (root as? [String: Any]) ?? ((root as? [Any])?.first as? [String: Any])
            guard let first else { return false }
            fields = Set(first.keys)
            if first["service"] is [String: Any], first["usage_start_time"] != nil, first["cost"] != nil { return true }
        }
        let service = fields.contains("service.description") || fields.contains("service_description")
        return service && fields.contains("usage_start_time") && fields.contains("cost")
    }

    static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        if case .csv(let header, _) = content { try CloudExport.requireColumns(header, ["usage_start_time", "cost"]) }
        var totals = CloudExport.UsageTotals()
        let skipped = try CloudExport.eachRow(try rows(content)) { row in
            let service = CloudExport.text(value(row, "service.description"))?.lowercased() ?? ""
            let sku = CloudExport.text(value(row, "sku.description"))
            guard aiServiceWords.contains(where: service.contains) || sku?.lowercased().contains("gemini") == true else { return }
            guard let start = try CloudExport.date(bigQueryTime(row["usage_start_time"]), at: row.at("usage_start_time")) else {
                throw CloudExport.at(row.place, "missing \"usage_start_time\"")
            }
            let costType = CloudExport.text(row["cost_type"])?.lowercased() ?? "regular"
            let adjusting = costType == "adjustment" || costType == "rounding error"
            guard var cost = try CloudExport.money(row["cost"], at: row.at("cost"), allowNegative: adjusting) else {
                throw CloudExport.at(row.place, "missing \"cost\"")
            }
            // Credits: a JSON array of {name, amount, …} (negative amounts), or a summed column in a query result.
            if let credits = row["credits"] as? [Any] {
                for (i, credit) in credits.enumerated() {
                    let place = CloudExport.join(CloudExport.join(row.at("credits"), i), "amount")
                    cost += try CloudExport.money((credit as? [String: Any])?["amount"], at: place, allowNegative: true) ?? 0
                }
            } else if let total = try CloudExport.money(row["credits_amount"] ?? row["credits.amount"], at: row.at("credits_amount"), allowNegative: true) {
                cost += total
            }
            let scope: UsageScope = CloudExport.text(value(row, "project.id")).map { .project($0) } ?? .organization("gcp")
            totals.add(provider: "gcp", scope: scope, day: try CloudExport.usageDay(start, at: row.at("usage_start_time")), cost: cost,
                       currency: CloudExport.text(row["currency"])?.uppercased() ?? "USD", model: sku)
        }
        var bundle = ExportBundle()
        bundle.usage = totals.records(source: source)
        bundle.skippedRows = skipped
        return bundle
    }

    /// BigQuery writes TIMESTAMP values as `2026-11-10 08:00:00 UTC` in its JSON and CSV extracts: the zone word is dropped
    /// (the time is UTC).
    static func bigQueryTime(_ value: Any?) -> Any? {
        guard let s = value as? String else { return value }
        let t = s.trimmingCharacters(in: .whitespaces)
        return t.hasSuffix(" UTC") ? String(t.dropLast(4)) : t
    }
}
