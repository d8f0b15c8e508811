import Foundation

/// Reads an IAM allow policy: `gcloud projects get-iam-policy PROJECT --format=json` (also folders, organizations,
/// service accounts), the REST `getIamPolicy` response, or the same wrapped as `{"policy": {…}}`:
/// `{"version": 1, "etag": "…", "bindings": [{"role": "roles/editor", "members": ["serviceAccount:…", "user:…"],
/// "condition": {…}}]}`.
///
/// One `PrivilegeGrant` per service account (principal = its e-mail) over all its bindings: `admin` for the basic
/// roles `roles/owner` and `roles/editor`; `write` for admin roles (`roles/aiplatform.admin`,
/// `roles/iam.serviceAccountKeyAdmin`, any role whose last part ends in "admin"); `restricted` otherwise. Scopes are
/// the roles, with ` (condition: TITLE)` for conditional bindings. Other members (`user:`, `group:`, `deleted:…`) are skipped.
public enum GCPIAMPolicyImporter: ExportImporter {
    public static let format = "gcp.iam-policy"
    public static let signature = "JSON object with \"bindings\":[{\"role\",\"members\"}]"

    public static func recognises(_ content: ExportContent) -> Bool {
        guard case .json(let json) = content, let policy = policy(json) else { return false }
        guard let bindings = policy["bindings"] as? [Any] else { return false }
        return policy["etag"] != nil || policy["version"] != nil
            || bindings.contains { ($0 as? [String: Any]).map { $0["role"] != nil || $0["members"] != nil } ?? false }
    }

    static func policy(_ json: Any) -> [String: Any]? {
        guard let object = json as? [String: Any] else { return nil }
        if object["bindings"] != nil { return object }
        if let inner = object["policy"] as? [String: Any], inner["bindings"] != nil { return inner }
        return nil
    }

    public static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        guard case .json(let json) = content, let policy = policy(json) else { throw ExportError("missing \"bindings\"") }
        let place = (json as? [String: Any])?["bindings"] != nil ? "bindings" : "policy.bindings"
        guard let bindings = policy["bindings"] as? [Any] else {
            throw CloudExport.at(place, "expected an array, got \(CloudExport.kind(policy["bindings"]))")
        }
        var order: [String] = []
        var grants: [String: (level: Int, scopes: [String])] = [:]
        for binding in try CloudExport.objects(bindings, at: place) {
            let role = try CloudExport.requiredText(binding.fields, "role", at: binding.place)
            guard let members = binding["members"] as? [Any] else {
                throw CloudExport.at(binding.at("members"), "expected an array of members, got \(CloudExport.kind(binding["members"]))")
            }
            var scope = role
            if let condition = binding["condition"] as? [String: Any] {
                scope += " (condition: \(CloudExport.text(condition["title"]) ?? CloudExport.text(condition["expression"]) ?? "unnamed"))"
            }
            for (i, member) in members.enumerated() {
                guard let member = member as? String else {
                    throw CloudExport.at(binding.at("members") + "[\(i)]", "expected a string, got \(CloudExport.kind(member))")
                }
                guard member.hasPrefix("serviceAccount:") else { continue }
                let email = String(member.dropFirst("serviceAccount:".count))
                if grants[email] == nil { order.append(email); grants[email] = (0, []) }
                grants[email]!.level = max(grants[email]!.level, level(of: role))
                if !grants[email]!.scopes.contains(scope) { grants[email]!.scopes.append(scope) }
            }
        }
        var bundle = ExportBundle()
        bundle.grants = order.map { email in
            let g = grants[email]!
            return PrivilegeGrant(principal: email, level: ["restricted", "write", "admin"][g.level], scopes: g.scopes, source: source)
        }
        return bundle
    }

    /// 2 admin, 1 write, 0 restricted.
    static func level(of role: String) -> Int {
        if role == "roles/owner" || role == "roles/editor" { return 2 }
        guard role.hasPrefix("roles/") else { return 0 }   // custom roles (`projects/P/roles/X`) are not judged by name
        let last = role.split(separator: ".").last.map(String.init) ?? role
        return last.lowercased().hasSuffix("admin") ? 1 : 0
    }
}
