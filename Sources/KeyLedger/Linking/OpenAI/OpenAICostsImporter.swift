import Foundation

/// Reads OpenAI Costs API responses, `GET /v1/organization/costs`: pages of daily buckets whose results are
/// `organization.costs.result` objects (`amount: {value, currency}`, `line_item`, `project_id`, `api_key_id`).
///
/// One record per result: cost = `amount.value`, currency upper-cased (`usd` → `USD`), scope
/// `key(api_key_id)` when grouped by key, else `project(project_id)`, else (grouped by `line_item` only, or not at all)
/// `organization`, kept as unattributed spend. Day = the bucket's `start_time` (UTC). Tokens stay zero and model nil
/// (`line_item` is not a model name); `line_item` tells buckets of one day apart for de-duplication.
enum OpenAICostsImporter: ExportImporter {
    static let format = "openai.costs"
    static let signature = "\"object\": \"page\" of buckets with \"organization.costs.result\" results"

    static func recognises(_ content: ExportContent) -> Bool {
        OpenAIUsagePages.resultKind(content) == "organization.costs.result"
    }

    static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        var bundle = ExportBundle()
        let skipped = try OpenAIUsagePages.forEachResult(content) { result, day in
            try OpenAIUsagePages.check(result, prefix: "organization.costs.")
            let amount = try result.required("amount")
            let value: Double
            var currency = result["currency"].optionalString
            if amount.object != nil {
                guard let v = try amount.required("value").optionalAmount() else { throw amount.error("missing \"value\"") }
                value = v
                currency = amount["currency"].optionalString ?? currency
            } else {
                guard let v = try amount.optionalAmount() else { throw result.error("missing \"amount\"") }
                value = v
            }
            bundle.usage.append(UsageRecord(provider: "openai", scope: OpenAIUsagePages.scope(result), day: day, cost: value,
                                            currency: (currency ?? "USD").uppercased(), source: source,
                                            bucket: result["line_item"].optionalString))
        }
        bundle.skippedRows = skipped
        return bundle
    }
}
