import Foundation

/// Reads the Anthropic Admin API key list, the response of `GET /v1/organizations/api_keys`
/// (`{"data":[{"id":"apikey_…","type":"api_key","partial_key_hint",…}],"has_more","first_id","last_id"}`;
/// also a bare array or JSON Lines of keys, saved pages, or one key from `GET …/api_keys/{api_key_id}`).
///
/// `partial_key_hint` (`sk-ant-api03-R2D...igAA`) becomes the recognition hint; project = `workspace_id`
/// (null = `default`); owner = `created_by.id`; principal = `principal.id` (newer responses) else `created_by.id`;
/// privilege `admin` when the hint is of an admin key (`sk-ant-admin…`).
enum AnthropicKeysImporter: ExportImporter {
    static let format = "anthropic.api-keys"
    static let signature = "JSON entries with \"partial_key_hint\""

    static func isEntry(_ object: [String: Any]) -> Bool { object["partial_key_hint"] != nil }

    static func recognises(_ content: ExportContent) -> Bool {
        guard case .json(let root) = content else { return false }
        return AIExportEntries.sample(root, isEntry: isEntry).contains(where: isEntry)
    }

    static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        guard case .json(let root) = content else { throw ExportError("expected JSON") }
        var bundle = ExportBundle()
        for (entry, _) in AIExportEntries.entries(root, isEntry: isEntry) {
            guard entry.object != nil else { throw entry.error("expected a key object, got \(AIExportNode.describe(entry.value))") }
            if let type = entry["type"].value as? String, type != "api_key" {
                throw entry.error("expected \"type\": \"api_key\", got \(AIExportNode.describe(type))")
            }
            let id = try entry.required("id").string()
            let recognition = try RedactionHint.read(entry, field: "partial_key_hint")
            let hint = try entry["partial_key_hint"].string()
            let createdBy = entry["created_by"]["id"].optionalString
            bundle.keys.append(ProviderKey(
                provider: "anthropic", keyId: id, name: entry["name"].optionalString,
                principal: entry["principal"]["id"].optionalString ?? createdBy, owner: createdBy,
                project: entry["workspace_id"].optionalString ?? "default",
                created: try entry["created_at"].optionalDate(), lastUsed: try entry["last_used_at"].optionalDate(),
                status: entry["status"].optionalString, privilege: hint.hasPrefix("sk-ant-admin") ? "admin" : nil,
                expiry: KeyExpiry.listed(try entry["expires_at"].optionalDate()), recognition: recognition, source: source))
        }
        return bundle
    }
}
