import Foundation

/// Reads the OpenAI admin API key list, the response of `GET /v1/organization/admin_api_keys`
/// (`organization.admin_api_key` objects in a `{"object":"list","data":[…]}` page; also a bare array or
/// JSON Lines of keys, or one key). Every key is organisation-wide, so privilege is `admin`.
///
/// `owner` is flat (`{type, object, id, name, role}`); `expires_at` null means the key never expires.
/// A saved create response also carries `value`; it is never read.
enum OpenAIAdminKeysImporter: ExportImporter {
    static let format = "openai.admin-api-keys"
    static let signature = "JSON entries with \"object\": \"organization.admin_api_key\""
    static let discriminator = "organization.admin_api_key"

    static func recognises(_ content: ExportContent) -> Bool {
        OpenAIKeyListing.recognises(content, object: discriminator)
    }

    static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        try OpenAIKeyListing.read(content, object: discriminator, source: source) { entry, _ in
            let id = try entry.required("id").string()
            let recognition = try RedactionHint.read(entry, field: "redacted_value")
            let (principal, owner) = OpenAIKeyListing.owner(entry["owner"])
            let expiry = KeyExpiry.listed(try entry["expires_at"].optionalDate())
            return ProviderKey(
                provider: "openai", keyId: id, name: entry["name"].optionalString, principal: principal, owner: owner,
                project: nil, created: try entry["created_at"].optionalDate(), lastUsed: try entry["last_used_at"].optionalDate(),
                status: entry["status"].optionalString, privilege: "admin", scopes: OpenAIKeyListing.scopes(entry),
                expiry: expiry, recognition: recognition, source: source)
        }
    }
}
