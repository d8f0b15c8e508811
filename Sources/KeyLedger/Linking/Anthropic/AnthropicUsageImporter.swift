import Foundation

/// Reads the Anthropic messages usage report, the response of `GET /v1/organizations/usage_report/messages`:
/// buckets `{starting_at, ending_at, results: [{uncached_input_tokens, cache_read_input_tokens,
/// cache_creation: {ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}, output_tokens, server_tool_use,
/// api_key_id, workspace_id, model, service_tier, context_window}]}`.
///
/// One record per result: input tokens = uncached + cache reads + cache creation (both lifetimes), the reads and the
/// 5-minute and 1-hour writes kept apart so each is priced at its rate (0.1×, 1.25×, 2× input); `service_tier: batch`
/// at the batch rate; scope `key(api_key_id)` when grouped by key, else `project(workspace_id ?? "default")` when the
/// report is grouped by workspace, else the organisation (unattributed); day = the bucket's `starting_at` (UTC); cost
/// nil (priced later); requests 0 (the report has no request count).
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
        let grouped = AnthropicReportPages.groupedByWorkspace(content)
        let skipped = try AnthropicReportPages.forEachResult(content) { result, day in
            if result.has("amount") { throw result.error("has \"amount\": a cost-report row in a usage report") }
            let creation = result["cache_creation"]
            let cacheRead = try result["cache_read_input_tokens"].count()
            var write5m = 0, write1h = 0
            if creation.object != nil {
                write5m = try creation["ephemeral_5m_input_tokens"].count()
                write1h = try creation["ephemeral_1h_input_tokens"].count()
            } else if !creation.isNull {
                throw creation.error("expected an object, got \(AIExportNode.describe(creation.value))")
            } else {
                // The older flat field does not say the lifetime: the 5-minute default of prompt caching.
                write5m = try result["cache_creation_input_tokens"].count()
            }
            let input = try result["uncached_input_tokens"].count() + cacheRead + write5m + write1h
            let output = try result["output_tokens"].count()
            let scope: UsageScope = result["api_key_id"].optionalString.map { .key($0) }
                ?? AnthropicReportPages.workspaceScope(result, grouped: grouped)
            let tier = result["service_tier"].optionalString
            let bucket = [tier, result["context_window"].optionalString, result["inference_geo"].optionalString].compactMap { $0 }
            bundle.usage.append(UsageRecord(provider: "anthropic", scope: scope, day: day, cost: nil, inputTokens: input,
                                            outputTokens: output, requests: 0, model: result["model"].optionalString, source: source,
                                            cachedInputTokens: cacheRead, cacheWrite5mTokens: write5m, cacheWrite1hTokens: write1h,
                                            batch: tier == "batch", bucket: bucket.isEmpty ? nil : bucket.joined(separator: "/")))
        }
        bundle.skippedRows = skipped
        return bundle
    }
}
