import Foundation

/// Reads LiteLLM proxy virtual keys: a database export of table `LiteLLM_VerificationToken` (CSV with header, JSON
/// array or JSON Lines), the `GET /key/list` response (`{"keys":[…], "total_count", …}`, rows as hashes or, with
/// `return_full_object=true`, as objects), or the `GET /key/info` response (`{"key": …, "info": {…}}`).
///
/// `token` is the SHA-256 hex of the virtual key, so each row becomes a `ProviderKey` recognised by `.sha256(token)`:
/// name `key_alias` ?? `key_name`, owner `user_id` ?? `team_id`, project `team_id`, created `created_at`, last used
/// `last_active`, status `blocked` or `active`, scopes the allowed `models`. A key given in plaintext (`/key/info?key=sk-…`
/// echoes it) is hashed on reading and never kept.
public enum LiteLLMVerificationTokensImporter: ExportImporter {
    public static let format = "litellm.verification-tokens"
    public static let signature = "LiteLLM_VerificationToken rows (\"token\" with key_alias/key_name/spend/…), /key/list or /key/info JSON"

    static let companions: Set<String> = ["key_alias", "key_name", "spend", "max_budget", "models", "blocked", "expires", "team_id",
                                          "user_id", "budget_duration", "tpm_limit", "rpm_limit", "last_active", "created_at"]

    public static func recognises(_ content: ExportContent) -> Bool {
        if case .json(let json) = content, let object = json as? [String: Any] {
            if object["info"] is [String: Any], object["key"] is String { return true }
            if let keys = object["keys"] as? [Any], let first = keys.first {
                if let hash = first as? String { return CloudExport.isSHA256Hex(hash) }
                if let row = first as? [String: Any] { return row["token"] != nil }
                return false
            }
        }
        guard let fields = LiteLLMRows.firstFields(content, wrappers: []) else { return false }
        return fields.contains("token") && !fields.contains("request_id") && !fields.contains("date") && !fields.isDisjoint(with: companions)
    }

    public static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        var bundle = ExportBundle()
        if case .json(let json) = content, let object = json as? [String: Any] {
            if let info = object["info"] as? [String: Any], let key = object["key"] as? String {
                guard let token = CloudExport.text(key) else { throw CloudExport.at("", "missing \"key\"") }
                bundle.keys = [try providerKey(CloudExport.Row(place: "info", fields: info), token: CloudExport.secretHash(token), source: source)]
                return bundle
            }
            if let keys = object["keys"] as? [Any] {
                for (i, element) in keys.enumerated() {
                    if let hash = element as? String {
                        guard let token = CloudExport.text(hash) else { throw CloudExport.at("keys[\(i)]", "empty key hash") }
                        let hashed = CloudExport.secretHash(token)
                        bundle.keys.append(ProviderKey(provider: "litellm", keyId: hashed, status: "active", recognition: .sha256(hashed), source: source))
                    } else if let row = element as? [String: Any] {
                        bundle.keys.append(try providerKey(CloudExport.Row(place: "keys[\(i)]", fields: row), token: nil, source: source))
                    } else {
                        throw CloudExport.at("keys[\(i)]", "expected a key hash or object, got \(CloudExport.kind(element))")
                    }
                }
                return bundle
            }
        }
        bundle.keys = try LiteLLMRows.rows(content, wrappers: []).map { try providerKey($0, token: nil, source: source) }
        return bundle
    }

    static func providerKey(_ row: CloudExport.Row, token given: String?, source: String) throws -> ProviderKey {
        let token = try given ?? CloudExport.secretHash(CloudExport.requiredText(row.fields, "token", at: row.place))
        let blocked = try CloudExport.bool(row["blocked"], at: row.at("blocked")) ?? false
        let team = CloudExport.text(row["team_id"])
        return ProviderKey(
            provider: "litellm", keyId: token,
            name: CloudExport.text(row["key_alias"]) ?? CloudExport.text(row["key_name"]),
            owner: CloudExport.text(row["user_id"]) ?? team, project: team,
            created: try CloudExport.date(row["created_at"], at: row.at("created_at")),
            lastUsed: try CloudExport.date(row["last_active"], at: row.at("last_active")),
            status: blocked ? "blocked" : "active",
            scopes: CloudExport.strings(row["models"]),
            // `expires` is only meaningful where the export has the column; null there means the key never expires.
            expiry: row.fields.keys.contains("expires") ? KeyExpiry.listed(try CloudExport.date(row["expires"], at: row.at("expires"))) : nil,
            recognition: .sha256(token), source: source)
    }
}
