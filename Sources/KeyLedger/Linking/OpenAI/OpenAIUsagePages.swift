import Foundation

/// What the OpenAI Usage and Costs responses share: `{"object":"page","data":[{"object":"bucket",
/// "start_time","end_time","results":[…]}],"has_more","next_page"}`, saved as one page, an array or JSON Lines
/// of pages, or a bare array of buckets. The API answers `results`; OpenAI's published OpenAPI description names the
/// bucket's array `result`, so a page saved by a client generated from it carries that: both are read.
enum OpenAIUsagePages {
    /// The bucket's array of results, under either name.
    static func resultsField(_ bucket: [String: Any]) -> String? {
        if bucket["results"] is [Any] { return "results" }
        if bucket["result"] is [Any] { return "result" }
        return nil
    }

    /// The buckets of `root` with their paths; nil when `root` is not laid out as pages or buckets.
    static func buckets(_ root: Any) -> [AIExportNode]? {
        if let page = root as? [String: Any] {
            guard isPage(page) else { return nil }
            return AIExportNode(root, path: "")["data"].array.map { items in
                items.enumerated().map { AIExportNode($1, path: "data[\($0)]") }
            }
        }
        guard let items = root as? [Any], let first = items.first as? [String: Any], isPage(first) || isBucket(first) else { return nil }
        var out: [AIExportNode] = []
        for (i, item) in items.enumerated() {
            if let page = item as? [String: Any], isPage(page), let data = page["data"] as? [Any] {
                out += data.enumerated().map { AIExportNode($1, path: "[\(i)].data[\($0)]") }
            } else {
                out.append(AIExportNode(item, path: "[\(i)]"))
            }
        }
        return out
    }

    static func isPage(_ object: [String: Any]) -> Bool { object["object"] as? String == "page" && object["data"] is [Any] }
    static func isBucket(_ object: [String: Any]) -> Bool { object["object"] as? String == "bucket" }

    /// What the file holds, for detection: the `object` of its first result, `""` for pages whose buckets are
    /// all empty (a period without usage), nil when not OpenAI pages or when results carry no `object`.
    static func resultKind(_ content: ExportContent) -> String? {
        guard case .json(let root) = content, let buckets = buckets(root) else { return nil }
        for bucket in buckets {
            guard let object = bucket.object, isBucket(object) else { return nil }
            guard let field = resultsField(object), let results = object[field] as? [Any] else { return nil }
            guard let first = results.first else { continue }
            return (first as? [String: Any])?["object"] as? String
        }
        return ""
    }

    /// Calls `body` with each result and the `YYYY-MM-DD` of its bucket's `start_time`. A bucket dated out of bounds,
    /// or a result with an amount out of bounds, is skipped and returned (`ExportLimits`); the rest are read.
    static func forEachResult(_ content: ExportContent, _ body: (AIExportNode, String) throws -> Void) throws -> [String] {
        guard case .json(let root) = content, let buckets = buckets(root) else { throw ExportError("expected an OpenAI page of buckets") }
        var skipped: [String] = []
        let badBuckets = try CloudExport.eachRow(buckets) { bucket in
            guard bucket.object != nil else { throw bucket.error("expected a bucket object, got \(AIExportNode.describe(bucket.value))") }
            let day = try bucket.required("start_time").usageDay()
            let results = try bucket.required(bucket.object.flatMap(resultsField) ?? "results").elements()
            let badResults = try CloudExport.eachRow(results) { result in
                guard result.object != nil else { throw result.error("expected a result object, got \(AIExportNode.describe(result.value))") }
                try body(result, day)
            }
            skipped += badResults
        }
        return skipped + badBuckets
    }

    /// Key id when the rows are grouped by `api_key_id`, else project id when grouped by `project_id`, else the
    /// organisation (ungrouped usage, costs grouped by `line_item` only): spend no key can carry, kept as unattributed.
    static func scope(_ result: AIExportNode) -> UsageScope {
        if let key = result["api_key_id"].optionalString { return .key(key) }
        if let project = result["project_id"].optionalString { return .project(project) }
        return .organization("openai")
    }

    /// Checks that `result` is of the expected family.
    static func check(_ result: AIExportNode, prefix: String) throws {
        if let kind = result["object"].value as? String, !kind.hasPrefix(prefix) {
            throw result.error("expected \"object\": \"\(prefix)…\", got \(kind.hasPrefix("organization.") ? "\"\(kind)\"" : AIExportNode.describe(kind))")
        }
    }
}
