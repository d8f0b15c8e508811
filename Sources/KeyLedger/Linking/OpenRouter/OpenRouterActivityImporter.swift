import Foundation

/// Reads the OpenRouter activity export: the response of `GET /api/v1/activity` (management key; "user activity grouped
/// by endpoint" for the last 30 completed UTC days, https://openrouter.ai/docs/api/api-reference/analytics/get-user-activity),
/// `{"data":[{date, model, model_permaslug, endpoint_id, provider_name, usage, byok_usage_inference, requests,
/// prompt_tokens, completion_tokens, reasoning_tokens}]}`, saved as is, as a bare array or as JSON Lines of items. The
/// SDKs' camelCase spelling (`modelPermaslug`, `promptTokens`, …) is read too.
///
/// An item names no key (a pull filtered with `api_key_hash=` does not say so in its body), so its spend is the
/// organisation's: scope `.organization("openrouter")`, kept as unattributed spend in the reconciliation line, never
/// guessed onto a key. Items are summed per day and model: cost = `usage` (USD of OpenRouter credits); `byok_usage_inference`
/// is spend billed by the upstream provider to the user's own key (bring-your-own-key), which that provider's exports
/// already carry, so it is not added; input tokens = `prompt_tokens`, output = `completion_tokens` (reasoning tokens are
/// reported alongside and not added again); requests = `requests`.
enum OpenRouterActivityImporter: ExportImporter {
    static let format = "openrouter.activity"
    static let signature = "\"data\" items with date, endpoint_id, usage, model_permaslug (GET /api/v1/activity)"

    /// `snake_case` as on the wire, or the SDKs' camelCase.
    static func field(_ object: [String: Any], _ snake: String) -> Any? {
        if let v = object[snake] { return v }
        let parts = snake.split(separator: "_")
        let camel = parts.first.map(String.init)! + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return object[camel]
    }

    static func isItem(_ object: [String: Any]) -> Bool {
        object["date"] != nil && field(object, "endpoint_id") != nil && object["usage"] != nil
            && (field(object, "model_permaslug") != nil || field(object, "provider_name") != nil)
    }

    static func items(_ root: Any) -> [(place: String, value: Any)]? {
        if let object = root as? [String: Any] {
            if isItem(object) { return [("", object)] }
            guard let data = object["data"] as? [Any] else { return nil }
            return data.enumerated().map { ("data[\($0)]", $1) }
        }
        guard let array = root as? [Any] else { return nil }
        return array.enumerated().map { ("[\($0)]", $1) }
    }

    static func recognises(_ content: ExportContent) -> Bool {
        guard case .json(let root) = content, let first = items(root)?.first?.value as? [String: Any] else { return false }
        return isItem(first)
    }

    static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        guard case .json(let root) = content, let items = items(root) else { throw ExportError("expected OpenRouter activity items") }
        var totals = CloudExport.UsageTotals()
        let skipped = try CloudExport.eachRow(items) { place, value in
            guard let item = value as? [String: Any] else { throw CloudExport.at(place, "expected an object, got \(CloudExport.kind(value))") }
            let row = CloudExport.Row(place: place, fields: item)
            guard let date = try CloudExport.date(item["date"], at: row.at("date")) else { throw CloudExport.at(place, "missing \"date\"") }
            let cost = try CloudExport.money(item["usage"], at: row.at("usage")) ?? 0
            _ = try CloudExport.money(field(item, "byok_usage_inference"), at: row.at("byok_usage_inference"))
            let model = CloudExport.text(item["model"]) ?? CloudExport.text(field(item, "model_permaslug"))
            totals.add(provider: "openrouter", scope: .organization("openrouter"), day: try CloudExport.usageDay(date, at: row.at("date")),
                       cost: cost, currency: "USD",
                       input: try CloudExport.count(field(item, "prompt_tokens"), at: row.at("prompt_tokens")) ?? 0,
                       output: try CloudExport.count(field(item, "completion_tokens"), at: row.at("completion_tokens")) ?? 0,
                       requests: try CloudExport.count(item["requests"], at: row.at("requests")) ?? 0, model: model)
        }
        var bundle = ExportBundle()
        bundle.usage = totals.records(source: source)
        bundle.skippedRows = skipped
        return bundle
    }
}
