import Foundation

/// Reads LiteLLM proxy daily spend rollups: database exports of `LiteLLM_DailyUserSpend`, `LiteLLM_DailyTeamSpend`,
/// `LiteLLM_DailyOrganizationSpend`, `LiteLLM_DailyEndUserSpend` or `LiteLLM_DailyTagSpend` (CSV with header, JSON
/// array or JSON Lines): `date`, `api_key` (SHA-256 hex of the virtual key), `model`, `prompt_tokens`,
/// `completion_tokens`, `spend`, `api_requests`.
///
/// Rows are summed per key, day and model (a table has one row per user/team, key, model, provider and endpoint) into
/// `UsageRecord`s with scope `.secretHash(api_key)`, cost = spend in USD. Rows without an `api_key` are skipped.
public enum LiteLLMDailySpendImporter: ExportImporter {
    public static let format = "litellm.daily-spend"
    public static let signature = "LiteLLM daily spend rows (date, api_key, spend, prompt_tokens, api_requests)"

    public static func recognises(_ content: ExportContent) -> Bool {
        guard let fields = LiteLLMRows.firstFields(content, wrappers: ["data"]) else { return false }
        return fields.contains("date") && fields.contains("api_key") && !fields.contains("request_id")
            && (fields.contains("spend") || fields.contains("api_requests") || fields.contains("prompt_tokens"))
    }

    public static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        if case .csv(let header, _) = content { try CloudExport.requireColumns(header, ["date", "api_key", "spend"]) }
        var totals = CloudExport.UsageTotals()
        let skipped = try CloudExport.eachRow(try LiteLLMRows.rows(content, wrappers: ["data"])) { row in
            guard let key = CloudExport.text(row["api_key"]) else { return }
            guard let date = try CloudExport.date(row["date"], at: row.at("date")) else { throw CloudExport.at(row.place, "missing \"date\"") }
            let requests = try CloudExport.count(row["api_requests"], at: row.at("api_requests"))
                ?? ((try CloudExport.count(row["successful_requests"], at: row.at("successful_requests")) ?? 0)
                    + (try CloudExport.count(row["failed_requests"], at: row.at("failed_requests")) ?? 0))
            totals.add(provider: "litellm", scope: .secretHash(CloudExport.secretHash(key)), day: try CloudExport.usageDay(date, at: row.at("date")),
                       cost: try CloudExport.money(row["spend"], at: row.at("spend")) ?? 0, currency: "USD",
                       input: try CloudExport.count(row["prompt_tokens"], at: row.at("prompt_tokens")) ?? 0,
                       output: try CloudExport.count(row["completion_tokens"], at: row.at("completion_tokens")) ?? 0,
                       requests: requests, model: CloudExport.text(row["model"]) ?? CloudExport.text(row["model_group"]))
        }
        var bundle = ExportBundle()
        bundle.usage = totals.records(source: source)
        bundle.skippedRows = skipped
        return bundle
    }
}
