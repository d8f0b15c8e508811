import Foundation

/// Reads the Anthropic messages usage report, the response of `GET /v1/organizations/usage_report/messages`:
/// buckets `{starting_at, ending_at, results: [{uncached_input_tokens, cache_read_input_tokens,
/// cache_creation: {ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}, output_tokens, server_tool_use,
/// api_key_id, workspace_id, model, service_tier, context_window}]}`.
///
/// One record per result: input tokens = uncached + cache reads + cache creation (both lifetimes); scope
/// `key(api_key_id)` when grouped by key, else `project(workspace_id ?? "default")`; day = the bucket's
/// `starting_at` (UTC); cost nil (priced later); requests 0 (the report has no request count).
/// A report whose buckets are all empty is read as this format with no records.
enum AnthropicUsageImporter: ExportImporter {
    static let format = "anthropic.usage-messages"
    static let signature = "\"data\" buckets with \"starting_at\" whose results have \"uncached_input_tokens\"/\"output_tokens\""

    static func recognises(_ content: ExportContent) -> Bool {
        switch AnthropicReportPages.kind(content) {
        case .usage?, .empty?: return true
        default: return false
        }
    }

    static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        var bundle = ExportBundle()
        try AnthropicReportPages.forEachResult(content) { result, day in
            if result.has("amount") { throw result.error("has \"amount\": a cost-report row in a usage report") }
            let creation = result["cache_creation"]
            var input = try result["uncached_input_tokens"].count() + result["cache_read_input_tokens"].count()
            if creation.object != nil {
                input += try creation["ephemeral_5m_input_tokens"].count() + creation["ephemeral_1h_input_tokens"].count()
            } else if !creation.isNull {
                throw creation.error("expected an object, got \(AIExportNode.describe(creation.value))")
            } else {
                input += try result["cache_creation_input_tokens"].count()
            }
            let output = try result["output_tokens"].count()
            let scope: UsageScope = result["api_key_id"].optionalString.map { .key($0) }
                ?? .project(result["workspace_id"].optionalString ?? "default")
            bundle.usage.append(UsageRecord(provider: "anthropic", scope: scope, day: day, cost: nil, inputTokens: input,
                                            outputTokens: output, requests: 0, model: result["model"].optionalString, source: source))
        }
        return bundle
    }
}
