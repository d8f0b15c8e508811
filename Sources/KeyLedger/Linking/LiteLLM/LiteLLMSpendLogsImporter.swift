import Foundation

/// Reads LiteLLM proxy request logs: a database export of table `LiteLLM_SpendLogs` (CSV with header, JSON array or
/// JSON Lines), or the `GET /spend/logs` response (an array, or `{"data":[…]}` in the paginated form). Columns used:
/// `request_id`, `api_key` (SHA-256 hex of the virtual key, as `LiteLLM_VerificationToken.token`), `spend`,
/// `prompt_tokens`, `completion_tokens`, `startTime`, `model` (or `model_group`).
///
/// Rows are summed per key, UTC day and model into `UsageRecord`s (scope `.secretHash(api_key)`, cost = spend in USD,
/// requests = rows), so a large log gives one record per key, day and model. Rows without an `api_key` are skipped; a key
/// logged in plaintext is hashed on reading.
public enum LiteLLMSpendLogsImporter: ExportImporter {
    public static let format = "litellm.spend-logs"
    public static let signature = "LiteLLM_SpendLogs rows (request_id, api_key, spend, startTime)"

    public static func recognises(_ content: ExportContent) -> Bool {
        guard let fields = LiteLLMRows.firstFields(content, wrappers: ["data"]) else { return false }
        return fields.contains("request_id") && fields.contains("api_key") && (fields.contains("spend") || fields.contains("startTime"))
    }

    public static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        if case .csv(let header, _) = content { try CloudExport.requireColumns(header, ["request_id", "api_key", "spend", "startTime"]) }
        var totals = CloudExport.UsageTotals()
        let skipped = try CloudExport.eachRow(try LiteLLMRows.rows(content, wrappers: ["data"])) { row in
            guard let key = CloudExport.text(row["api_key"]) else { return }
            guard let start = try CloudExport.date(row["startTime"], at: row.at("startTime")) else {
                throw CloudExport.at(row.place, "missing \"startTime\"")
            }
            totals.add(provider: "litellm", scope: .secretHash(CloudExport.secretHash(key)), day: try CloudExport.usageDay(start, at: row.at("startTime")),
                       cost: try CloudExport.money(row["spend"], at: row.at("spend")) ?? 0, currency: "USD",
                       input: try CloudExport.count(row["prompt_tokens"], at: row.at("prompt_tokens")) ?? 0,
                       output: try CloudExport.count(row["completion_tokens"], at: row.at("completion_tokens")) ?? 0,
                       requests: 1, model: CloudExport.text(row["model"]) ?? CloudExport.text(row["model_group"]))
        }
        var bundle = ExportBundle()
        bundle.usage = totals.records(source: source)
        bundle.skippedRows = skipped
        return bundle
    }
}
