import Foundation

/// Reads the admin-API listings `keyledger collect` saves beside the keys, usage and costs, which name no key and no
/// spend: OpenAI projects (`GET /v1/organization/projects`, `organization.project` objects) and project service
/// accounts (`…/projects/{id}/service_accounts`, `organization.project.service_account`), Anthropic workspaces
/// (`GET /v1/organizations/workspaces`, `"type": "workspace"`), LiteLLM teams (`GET /team/list`, rows with `team_id`)
/// and list pages with no entries: OpenAI's `{"object": "list", "data": []}`, Anthropic's `{"data": [], "first_id": null,
/// "last_id": null, "has_more": false}`, LiteLLM's key list `{"keys": [], "total_count": 0, …}` and spend log page
/// `{"data": [], "total_pages": 0, …}` (a project without keys, a period without requests).
///
/// They are the evidence of what the organisation held when the pull was made (a project with no keys, a team with no
/// spend); `scan --exports` recognises them so that a folder `collect` wrote reads without problems, and takes
/// nothing from them.
enum AdminListingImporter: ExportImporter {
    static let format = "admin-listing"
    static let signature = "OpenAI projects or service accounts, Anthropic workspaces, LiteLLM teams, a list page with no entries"

    static let openAIObjects: Set<String> = ["organization.project", "organization.project.service_account"]

    static func recognises(_ content: ExportContent) -> Bool {
        guard case .json(let root) = content else { return false }
        if let page = root as? [String: Any] {
            if let keys = page["keys"] as? [Any] { return keys.isEmpty && page["total_count"] != nil }
            guard let data = page["data"] as? [Any] else { return false }
            guard let first = data.first else {
                return page["object"] as? String == "list" || page.keys.contains("last_id") || page["total_pages"] != nil
            }
            return (first as? [String: Any]).map(isListed) ?? false
        }
        if let rows = root as? [Any], let first = rows.first as? [String: Any] { return isListed(first) || isTeam(first) }
        return false
    }

    /// An OpenAI project or service account, or an Anthropic workspace.
    static func isListed(_ entry: [String: Any]) -> Bool {
        if let object = entry["object"] as? String { return openAIObjects.contains(object) }
        return entry["type"] as? String == "workspace" && entry["partial_key_hint"] == nil
    }

    /// A LiteLLM team row: a `team_id`, and none of the fields of a key, a spend log or a daily spend row.
    static func isTeam(_ row: [String: Any]) -> Bool {
        row["team_id"] != nil && row["token"] == nil && row["request_id"] == nil && row["api_key"] == nil && row["date"] == nil
    }

    static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        guard recognises(content) else { throw ExportError("expected an admin listing") }
        return ExportBundle()
    }
}
