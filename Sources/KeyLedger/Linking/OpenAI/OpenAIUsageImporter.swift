import Foundation

/// Reads OpenAI Usage API responses, `GET /v1/organization/usage/{completions|embeddings|moderations|images|
/// audio_speeches|audio_transcriptions|vector_stores|code_interpreter_sessions|…}`: pages of daily (or hourly)
/// buckets whose results are `organization.usage.*.result` objects.
///
/// One record per result: scope `key(api_key_id)` when grouped by key, else `project(project_id)`; results
/// grouped by neither (organisation totals) are skipped. Day = the bucket's `start_time` (UTC); tokens from
/// `input_tokens` (cached included) and `output_tokens`; requests from `num_model_requests`; cost is left nil
/// for pricing. Results without tokens (images, vector stores, sessions) keep zero tokens.
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
        try OpenAIUsagePages.forEachResult(content) { result, day in
            try OpenAIUsagePages.check(result, prefix: "organization.usage.")
            let input = try result["input_tokens"].count()
            let output = try result["output_tokens"].count()
            let requests = try result["num_model_requests"].count()
            guard let scope = OpenAIUsagePages.scope(result) else { return }
            bundle.usage.append(UsageRecord(provider: "openai", scope: scope, day: day, cost: nil, inputTokens: input,
                                            outputTokens: output, requests: requests, model: result["model"].optionalString,
                                            source: source))
        }
        return bundle
    }
}
