import Foundation

/// OpenAI's Administration, Usage and Costs APIs (`https://api.openai.com`, `Authorization: Bearer` admin key;
/// openai/openai-openapi `openapi.yaml` and the API reference):
///
/// - `GET /v1/organization/projects` (`limit` ≤ 100, `after` ← `last_id` while `has_more`), then for every project
///   `…/projects/{id}/api_keys` (`owner_project_access=any`: without it the API may leave out some enabled keys) and
///   `…/projects/{id}/service_accounts`; their answers do not name the project, so each saved page gets a top-level
///   `"project_id"` (what `OpenAIProjectKeysImporter` reads).
/// - `GET /v1/organization/admin_api_keys`.
/// - `GET /v1/organization/usage/{type}` for each usage type, `start_time` (and `end_time` with `--until`),
///   `bucket_width=1d`, `limit=31` (the most for daily buckets), `page` ← `next_page`, grouped by what each allows:
///   completions by `api_key_id`, `project_id`, `model` and `batch` (batch is priced at half rate); embeddings,
///   moderations, images and the audio types by `api_key_id`, `project_id`, `model`; vector stores and code
///   interpreter sessions by `project_id` only.
/// - `GET /v1/organization/costs`, `bucket_width=1d`, `limit=180`, grouped by `api_key_id`, `project_id`, `line_item`.
enum OpenAICollector {
    static let usage: [(type: String, groupBy: [String])] = [
        ("completions", ["api_key_id", "project_id", "model", "batch"]),
        ("embeddings", ["api_key_id", "project_id", "model"]),
        ("moderations", ["api_key_id", "project_id", "model"]),
        ("images", ["api_key_id", "project_id", "model"]),
        ("audio_speeches", ["api_key_id", "project_id", "model"]),
        ("audio_transcriptions", ["api_key_id", "project_id", "model"]),
        ("vector_stores", ["project_id"]),
        ("code_interpreter_sessions", ["project_id"]),
    ]

    static func run(_ session: CollectSession) {
        let list = CollectPaging.cursor(param: "after", field: "last_id")
        if case .pages(let pages) = session.collect("projects", path: "/v1/organization/projects", query: [("limit", "100")], paging: list) {
            for id in ids(in: pages) {
                let project = "/v1/organization/projects/" + CollectSession.segment(id)
                session.collect("project-\(id)-api-keys", path: project + "/api_keys",
                                query: [("limit", "100"), ("owner_project_access", "any")], paging: list, stamp: [("project_id", id)])
                session.collect("project-\(id)-service-accounts", path: project + "/service_accounts",
                                query: [("limit", "100")], paging: list, stamp: [("project_id", id)])
            }
        }
        session.collect("admin-api-keys", path: "/v1/organization/admin_api_keys", query: [("limit", "100")], paging: list)
        var window = [("start_time", String(Int64(session.request.period.since.timeIntervalSince1970)))]
        if let end = session.request.period.end { window.append(("end_time", String(Int64(end.timeIntervalSince1970)))) }
        for (type, groupBy) in usage {
            session.collect("usage-" + type.replacingOccurrences(of: "_", with: "-"), path: "/v1/organization/usage/" + type,
                            query: window + [("bucket_width", "1d"), ("limit", "31")] + groupBy.map { ("group_by", $0) }, paging: .nextPage)
        }
        session.collect("costs", path: "/v1/organization/costs",
                        query: window + [("bucket_width", "1d"), ("limit", "180")] + ["api_key_id", "project_id", "line_item"].map { ("group_by", $0) },
                        paging: .nextPage)
    }

    /// The `id`s of the list entries on `pages`.
    static func ids(in pages: [Any]) -> [String] {
        var seen: Set<String> = []
        return pages.flatMap { (($0 as? [String: Any])?["data"] as? [Any]) ?? [] }
            .compactMap { ($0 as? [String: Any])?["id"] as? String }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
