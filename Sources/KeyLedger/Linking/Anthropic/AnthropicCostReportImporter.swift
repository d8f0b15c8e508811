import Foundation

/// Reads the Anthropic cost report, the response of `GET /v1/organizations/cost_report`: buckets
/// `{starting_at, ending_at, results: [{amount, currency, cost_type, description, model, token_type,
/// service_tier, context_window, workspace_id, …}]}`.
///
/// `amount` is a decimal string in the currency's lowest unit (cents): `"123.45"` USD is $1.2345, so
/// cost = amount / 100. The report cannot be grouped by key, so scope = `project(workspace_id ?? "default")` when it
/// is grouped by workspace (the ledger apportions a workspace's cost to its keys by their priced usage), else the
/// organisation (unattributed); day = the bucket's `starting_at` (UTC); model when grouped by description; tokens stay
/// zero; `description`, `cost_type`, `token_type`, `service_tier` tell a day's buckets apart for de-duplication.
enum AnthropicCostReportImporter: ExportImporter {
    static let format = "anthropic.cost-report"
    static let signature = "\"data\" buckets with \"starting_at\" whose results have a string \"amount\" and \"cost_type\"/\"currency\""

    static func recognises(_ content: ExportContent) -> Bool {
        AnthropicReportPages.kind(content) == .cost
    }

    static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        var bundle = ExportBundle()
        let grouped = AnthropicReportPages.groupedByWorkspace(content)
        let skipped = try AnthropicReportPages.forEachResult(content) { result, day in
            // Cents → dollars, then bounded (`ExportLimits`); the report has no credit rows, so never negative.
            guard let cost = try result.required("amount").optionalAmount(scale: 0.01) else { throw result.error("missing \"amount\"") }
            let bucket = ["description", "cost_type", "token_type", "service_tier", "context_window", "inference_geo"]
                .compactMap { result[$0].optionalString }
            bundle.usage.append(UsageRecord(
                provider: "anthropic", scope: AnthropicReportPages.workspaceScope(result, grouped: grouped), day: day,
                cost: cost, currency: (result["currency"].optionalString ?? "USD").uppercased(),
                model: result["model"].optionalString, source: source,
                bucket: bucket.isEmpty ? nil : bucket.joined(separator: "/")))
        }
        bundle.skippedRows = skipped
        return bundle
    }
}
