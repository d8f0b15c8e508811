import Foundation

/// Reads `gcloud iam service-accounts keys list --iam-account=EMAIL --format=json` (an array of `ServiceAccountKey`:
/// `name` = `projects/P/serviceAccounts/EMAIL/keys/KEYID`, `validAfterTime`, `validBeforeTime`, `keyAlgorithm`,
/// `keyOrigin`, `keyType`, `disabled`), or the REST response of `GET …/v1/projects/P/serviceAccounts/EMAIL/keys`
/// (`{"keys":[…]}`). Several lists concatenated into one array work too.
///
/// Each user-managed key becomes a `ProviderKey` recognised by its key id, the `private_key_id` of the JSON key file.
/// `SYSTEM_MANAGED` keys are skipped: Google holds their private part, so they can never be found in a repository.
/// When the project segment is `-`, the project is taken from the account's e-mail domain.
public enum GCPServiceAccountKeysImporter: ExportImporter {
    public static let format = "gcp.service-account-keys"
    public static let signature = "JSON array (or {\"keys\":[…]}) of objects whose \"name\" is projects/…/serviceAccounts/…/keys/…"

    public static func recognises(_ content: ExportContent) -> Bool {
        guard case .json(let json) = content, let array = entries(json) else { return false }
        return array.contains { element in
            guard let o = element as? [String: Any], let name = o["name"] as? String else { return false }
            return name.contains("/serviceAccounts/") && name.contains("/keys/")
        }
    }

    static func entries(_ json: Any) -> [Any]? {
        if let array = json as? [Any] { return array }
        if let object = json as? [String: Any], let keys = object["keys"] as? [Any] { return keys }
        return nil
    }

    public static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        guard case .json(let json) = content, let array = entries(json) else { throw ExportError("expected a JSON array of keys") }
        let place = json is [Any] ? "" : "keys"
        var bundle = ExportBundle()
        for row in try CloudExport.objects(array, at: place) {
            let name = try CloudExport.requiredText(row.fields, "name", at: row.place)
            guard let parsed = parse(name) else {
                throw CloudExport.at(row.at("name"), "expected \"projects/P/serviceAccounts/EMAIL/keys/KEY\", got \(CloudExport.quoted(name, reveal: true))")
            }
            if CloudExport.text(row["keyType"])?.uppercased() == "SYSTEM_MANAGED" { continue }
            let disabled = try CloudExport.bool(row["disabled"], at: row.at("disabled")) ?? false
            // User-managed keys say 9999-12-31 (never) unless an org policy limits their lifetime.
            let expiry = KeyExpiry.listed(try CloudExport.date(row["validBeforeTime"], at: row.at("validBeforeTime")))
            bundle.keys.append(ProviderKey(
                provider: "gcp", keyId: parsed.key, principal: parsed.email, owner: parsed.email, project: parsed.project,
                created: try CloudExport.date(row["validAfterTime"], at: row.at("validAfterTime")),
                status: disabled ? "disabled" : "active", expiry: expiry,
                recognition: .keyId(parsed.key), source: source))
        }
        return bundle
    }

    /// `projects/P/serviceAccounts/EMAIL/keys/KEY` → project, e-mail, key id.
    static func parse(_ name: String) -> (project: String, email: String, key: String)? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "projects", parts[2] == "serviceAccounts", parts[4] == "keys",
              !parts[1].isEmpty, parts[3].contains("@"), !parts[5].isEmpty else { return nil }
        var project = parts[1]
        if project == "-", let domain = parts[3].split(separator: "@").last, domain.hasSuffix(".iam.gserviceaccount.com") {
            project = String(domain.dropLast(".iam.gserviceaccount.com".count))
        }
        return (project, parts[3], parts[5])
    }
}
