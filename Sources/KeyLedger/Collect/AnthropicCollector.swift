import Foundation

/// Anthropic's Admin API (`https://api.anthropic.com`, `x-api-key` admin key, `anthropic-version: 2023-06-01`;
/// platform.claude.com API reference):
///
/// - `GET /v1/organizations/api_keys` and `GET /v1/organizations/workspaces`: `limit=1000` (the most), `after_id` ←
///   `last_id` while `has_more`.
/// - `GET /v1/organizations/usage_report/messages`: `starting_at` (RFC 3339; `ending_at` with `--until`),
///   `bucket_width=1d`, `limit=31` (the most for daily buckets), `group_by[]` = `api_key_id`, `workspace_id`, `model`,
///   `page` ← `next_page` while `has_more`.
/// - `GET /v1/organizations/cost_report`: the same window, `group_by[]` = `workspace_id`, `description` (the report
///   cannot be grouped by key; `description` carries the model).
enum AnthropicCollector {
    static func run(_ session: CollectSession) {
        let list = CollectPaging.cursor(param: "after_id", field: "last_id")
        session.collect("api-keys", path: "/v1/organizations/api_keys", query: [("limit", "1000")], paging: list)
        session.collect("workspaces", path: "/v1/organizations/workspaces", query: [("limit", "1000")], paging: list)
        var window = [("starting_at", ISODate.timestamp(session.request.period.since))]
        if let end = session.request.period.end { window.append(("ending_at", ISODate.timestamp(end))) }
        let daily = window + [("bucket_width", "1d"), ("limit", "31")]
        session.collect("usage-report-messages", path: "/v1/organizations/usage_report/messages",
                        query: daily + ["api_key_id", "workspace_id", "model"].map { ("group_by[]", $0) }, paging: .nextPage)
        session.collect("cost-report", path: "/v1/organizations/cost_report",
                        query: daily + ["workspace_id", "description"].map { ("group_by[]", $0) }, paging: .nextPage)
    }
}
