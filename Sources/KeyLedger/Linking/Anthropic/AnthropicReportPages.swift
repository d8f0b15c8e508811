import Foundation

/// What the Anthropic usage and cost reports share: `{"data":[{"starting_at","ending_at","results":[…]}],
/// "has_more","next_page"}`, saved as one page, an array or JSON Lines of pages, or a bare array of buckets.
enum AnthropicReportPages {
    enum Kind { case usage, cost, empty }

    static func isBucket(_ object: [String: Any]) -> Bool { object["starting_at"] != nil && object["results"] is [Any] }

    /// The buckets of `root` with their paths; nil unless the first bucket has `starting_at` and `results`.
    static func buckets(_ root: Any) -> [AIExportNode]? {
        var out: [AIExportNode] = []
        if let page = root as? [String: Any] {
            guard let data = page["data"] as? [Any] else { return nil }
            // A report page without buckets (a window with no days yet): a report by its `next_page` cursor field.
            if data.isEmpty, page.keys.contains("next_page"), page["object"] == nil, page["first_id"] == nil { return [] }
            out = data.enumerated().map { AIExportNode($1, path: "data[\($0)]") }
        } else if let items = root as? [Any] {
            for (i, item) in items.enumerated() {
                if let page = item as? [String: Any], !isBucket(page), let data = page["data"] as? [Any] {
                    out += data.enumerated().map { AIExportNode($1, path: "[\(i)].data[\($0)]") }
                } else {
                    out.append(AIExportNode(item, path: "[\(i)]"))
                }
            }
        } else {
            return nil
        }
        guard let first = out.first?.object, isBucket(first) else { return nil }
        return out
    }

    static func isUsageResult(_ r: [String: Any]) -> Bool {
        r["uncached_input_tokens"] != nil || r["cache_read_input_tokens"] != nil || (r["output_tokens"] != nil && r["amount"] == nil)
    }

    static func isCostResult(_ r: [String: Any]) -> Bool {
        r["amount"] != nil && !(r["amount"] is [String: Any]) && (r["currency"] != nil || r["cost_type"] != nil || r["token_type"] != nil)
    }

    /// What the file holds, from its first result; `.empty` when every bucket's results are empty.
    static func kind(_ content: ExportContent) -> Kind? {
        guard case .json(let root) = content, let buckets = buckets(root) else { return nil }
        for bucket in buckets {
            guard let object = bucket.object, isBucket(object), let results = object["results"] as? [Any] else { return nil }
            guard let first = results.first else { continue }
            guard let result = first as? [String: Any] else { return nil }
            if isUsageResult(result) { return .usage }
            if isCostResult(result) { return .cost }
            return nil
        }
        return .empty
    }

    /// Whether any result of the report names a workspace, i.e. the report was grouped by `workspace_id`: only then does
    /// a null `workspace_id` mean the default workspace. Without that grouping every row is an organisation total.
    static func groupedByWorkspace(_ content: ExportContent) -> Bool {
        guard case .json(let root) = content, let buckets = buckets(root) else { return false }
        return buckets.contains { bucket in
            ((bucket.object?["results"] as? [Any]) ?? []).contains { ($0 as? [String: Any])?["workspace_id"] is String }
        }
    }

    /// The scope of a result without an `api_key_id`: its workspace (null = the default workspace) when the report is
    /// grouped by workspace, else the organisation (unattributed: the rows are no workspace's).
    static func workspaceScope(_ result: AIExportNode, grouped: Bool) -> UsageScope {
        guard grouped else { return .organization("anthropic") }
        return .project(result["workspace_id"].optionalString ?? "default")
    }

    /// Calls `body` with each result and the `YYYY-MM-DD` of its bucket's `starting_at`. A bucket dated out of bounds,
    /// or a result with an amount out of bounds, is skipped and returned (`ExportLimits`); the rest are read.
    static func forEachResult(_ content: ExportContent, _ body: (AIExportNode, String) throws -> Void) throws -> [String] {
        guard case .json(let root) = content, let buckets = buckets(root) else { throw ExportError("expected Anthropic report buckets") }
        var skipped: [String] = []
        let badBuckets = try CloudExport.eachRow(buckets) { bucket in
            guard bucket.object != nil else { throw bucket.error("expected a bucket object, got \(AIExportNode.describe(bucket.value))") }
            let day = try bucket.required("starting_at").usageDay()
            let results = try bucket.required("results").elements()
            let badResults = try CloudExport.eachRow(results) { result in
                guard result.object != nil else { throw result.error("expected a result object, got \(AIExportNode.describe(result.value))") }
                try body(result, day)
            }
            skipped += badResults
        }
        return skipped + badBuckets
    }
}
