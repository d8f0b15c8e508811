import Foundation

/// Reads OpenAI Usage API responses, `GET /v1/organization/usage/{completions|embeddings|moderations|images|
/// audio_speeches|audio_transcriptions|vector_stores|code_interpreter_sessions|…}`: pages of daily (or hourly)
/// buckets whose results are `organization.usage.*.result` objects.
///
/// One record per result: scope `key(api_key_id)` when grouped by key, else `project(project_id)`, else (an
/// ungrouped organisation total) `organization`, kept as unattributed spend. Day = the bucket's `start_time` (UTC);
/// tokens from `input_tokens` (cached included; `input_cached_tokens` of them priced at the cached rate) and
/// `output_tokens`; `batch: true` (results grouped by `batch`) priced at the Batch API's half rate; requests from
/// `num_model_requests`; cost is left nil for pricing. Results without tokens (images, vector stores, sessions) keep
/// zero tokens.
/// A page whose buckets are all empty is read as this format with no records.
enum OpenAIUsageImporter: ExportImporter {
    static let format = "openai.usage"
    static let signature = "\"object\": \"page\" of buckets with \"organization.usage.*\" results"

    static func recognises(_ content: ExportContent) -> Bool {
        guard let kind = OpenAIUsagePages.resultKind(content) else { return false }
        return kind.isEmpty || kind.hasPrefix("organization.usage.")
    }

    static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        var bundle = ExportBundle()
        let skipped = try OpenAIUsagePages.forEachResult(content) { result, day in
            try OpenAIUsagePages.check(result, prefix: "organization.usage.")
            let input = try result["input_tokens"].count()
            let output = try result["output_tokens"].count()
            let requests = try result["num_model_requests"].count()
            let cached = try result["input_cached_tokens"].count()
            let batch = (result["batch"].value as? Bool) ?? false
            let kind = (result["object"].value as? String).map {
                String($0.dropFirst("organization.usage.".count)).replacingOccurrences(of: ".result", with: "")
            }
            let bucket = [kind, batch ? "batch" : nil, result["service_tier"].optionalString].compactMap { $0 }.joined(separator: "/")
            bundle.usage.append(UsageRecord(provider: "openai", scope: OpenAIUsagePages.scope(result), day: day, cost: nil, inputTokens: input,
                                            outputTokens: output, requests: requests, model: result["model"].optionalString,
                                            source: source, cachedInputTokens: min(cached, input), batch: batch,
                                            bucket: bucket.isEmpty ? nil : bucket))
        }
        bundle.skippedRows = skipped
        return bundle
    }
}
