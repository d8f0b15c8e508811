import Foundation

/// Reads the OpenAI project API key list, the response of
/// `GET /v1/organization/projects/{project_id}/api_keys` (`organization.project.api_key` objects in a
/// `{"object":"list","data":[…]}` page; also a bare array or JSON Lines of keys, or one key).
///
/// The response does not name its project: a top-level `"project_id"` (or `"project": {"id": …}`) added when
/// saving, or a `project_id` on each key, is used when present. The key's `redacted_value` becomes its
/// recognition hint (`sk-proj-****…abcd` keeps the length; `sk-abc...def` does not); `owner_project_access`
/// becomes the status. `expires_at` (service-account keys are created with `expires_in_seconds`) becomes the expiry
/// when the key carries the field (null there: never); a listing without the field says nothing about expiry.
enum OpenAIProjectKeysImporter: ExportImporter {
    static let format = "openai.project-api-keys"
    static let signature = "JSON entries with \"object\": \"organization.project.api_key\""
    static let discriminator = "organization.project.api_key"

    static func recognises(_ content: ExportContent) -> Bool {
        OpenAIKeyListing.recognises(content, object: discriminator)
    }

    static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        try OpenAIKeyListing.read(content, object: discriminator, source: source) { entry, page in
            let id = try entry.required("id").string()
            let recognition = try RedactionHint.read(entry, field: "redacted_value")
            let (principal, owner) = OpenAIKeyListing.owner(entry["owner"])
            let project = entry["project_id"].optionalString ?? page["project_id"].optionalString
                ?? page["project"]["id"].optionalString ?? page["project"].optionalString
            return ProviderKey(
                provider: "openai", keyId: id, name: entry["name"].optionalString, principal: principal, owner: owner,
                project: project, created: try entry["created_at"].optionalDate(), lastUsed: try entry["last_used_at"].optionalDate(),
                status: entry["owner_project_access"].optionalString, privilege: nil, scopes: OpenAIKeyListing.scopes(entry),
                expiry: entry.has("expires_at") ? KeyExpiry.listed(try entry["expires_at"].optionalDate()) : nil,
                recognition: recognition, source: source)
        }
    }
}
