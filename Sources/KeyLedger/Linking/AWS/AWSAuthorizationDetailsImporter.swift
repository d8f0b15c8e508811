import Foundation

/// Reads `aws iam get-account-authorization-details --output json` (IAM `GetAccountAuthorizationDetails`):
/// `UserDetailList[{UserName, Arn, UserPolicyList[{PolicyName, PolicyDocument}], AttachedManagedPolicies[{PolicyName,
/// PolicyArn}], GroupList[]}]`, `GroupDetailList[{GroupName, GroupPolicyList, AttachedManagedPolicies}]`,
/// `RoleDetailList[{RoleName, Arn, RolePolicyList, AttachedManagedPolicies}]` and `Policies[{PolicyName, Arn,
/// DefaultVersionId, PolicyVersionList[{Document, VersionId, IsDefaultVersion}]}]`.
///
/// One `PrivilegeGrant` per user and per role, keyed by ARN, over its inline and attached policies and those of its
/// groups: `admin` for `AdministratorAccess` or an Allow of `*` on `*`; `write` for an Allow of `service:*`, of a
/// Create/Delete/Put/Update/Attach/Detach action, of `NotAction`, or of `*` on named resources; `restricted` otherwise.
/// Deny statements, conditions and permission boundaries are not subtracted, so the level is an upper bound.
/// Policy documents may be JSON objects (CLI output) or URL-encoded JSON strings (the raw API). Managed policies
/// whose document is not in the export are judged by name (`AdministratorAccess`; `PowerUserAccess`, `…FullAccess`,
/// `AmazonBedrockLimitedAccess` as write).
public enum AWSAuthorizationDetailsImporter: ExportImporter {
    public static let format = "aws.authorization-details"
    public static let signature = "JSON object with \"UserDetailList\" or \"RoleDetailList\""

    public static func recognises(_ content: ExportContent) -> Bool {
        guard case .json(let json) = content, let object = json as? [String: Any] else { return false }
        return object["UserDetailList"] != nil || object["RoleDetailList"] != nil
    }

    enum Level: Int, Comparable {
        case restricted = 0, write, admin
        var name: String { ["restricted", "write", "admin"][rawValue] }
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    public static func read(_ content: ExportContent, source: String) throws -> ExportBundle {
        guard case .json(let json) = content, let root = json as? [String: Any] else { throw ExportError("expected a JSON object") }

        // Managed policies: ARN → level of the default version.
        var managed: [String: Level] = [:]
        for policy in try list(root, "Policies", at: "") {
            let arn = try CloudExport.requiredText(policy.fields, "Arn", at: policy.place)
            let versions = try list(policy.fields, "PolicyVersionList", at: policy.place)
            let defaultId = CloudExport.text(policy["DefaultVersionId"])
            let chosen = versions.first { (try? CloudExport.bool($0["IsDefaultVersion"], at: "")) == true }
                ?? versions.first { defaultId != nil && CloudExport.text($0["VersionId"]) == defaultId }
            if let chosen {
                managed[arn] = try Self.level(ofDocument: chosen["Document"], at: chosen.at("Document"))
            }
        }

        // Groups: name → (level, policy names).
        var groups: [String: (Level, [String])] = [:]
        for group in try list(root, "GroupDetailList", at: "") {
            let name = try CloudExport.requiredText(group.fields, "GroupName", at: group.place)
            groups[name] = try grant(of: group, inline: "GroupPolicyList", managed: managed)
        }

        var bundle = ExportBundle()
        for (listName, nameKey, inlineKey) in [("UserDetailList", "UserName", "UserPolicyList"), ("RoleDetailList", "RoleName", "RolePolicyList")] {
            for entity in try list(root, listName, at: "") {
                let arn = try CloudExport.requiredText(entity.fields, "Arn", at: entity.place)
                _ = try CloudExport.requiredText(entity.fields, nameKey, at: entity.place)
                var (level, scopes) = try grant(of: entity, inline: inlineKey, managed: managed)
                if entity["GroupList"] != nil {
                    guard let groupNames = entity["GroupList"] as? [Any] else {
                        throw CloudExport.at(entity.at("GroupList"), "expected an array, got \(CloudExport.kind(entity["GroupList"]))")
                    }
                    for case let groupName as String in groupNames {
                        guard let (groupLevel, groupScopes) = groups[groupName] else { continue }
                        level = max(level, groupLevel)
                        scopes += groupScopes.filter { !scopes.contains($0) }
                    }
                }
                bundle.grants.append(PrivilegeGrant(principal: arn, level: level.name, scopes: scopes, source: source))
            }
        }
        return bundle
    }

    /// Level and policy names of one user, role or group from its inline and attached managed policies.
    static func grant(of entity: CloudExport.Row, inline key: String, managed: [String: Level]) throws -> (Level, [String]) {
        var level = Level.restricted
        var scopes: [String] = []
        for policy in try list(entity.fields, key, at: entity.place) {
            let name = try CloudExport.requiredText(policy.fields, "PolicyName", at: policy.place)
            level = max(level, try Self.level(ofDocument: policy["PolicyDocument"], at: policy.at("PolicyDocument")))
            if !scopes.contains(name) { scopes.append(name) }
        }
        for policy in try list(entity.fields, "AttachedManagedPolicies", at: entity.place) {
            let name = try CloudExport.requiredText(policy.fields, "PolicyName", at: policy.place)
            let arn = CloudExport.text(policy["PolicyArn"]) ?? ""
            level = max(level, managed[arn] ?? Self.level(ofManagedName: name))
            if name == "AdministratorAccess" && arn.hasPrefix("arn:aws:iam::aws:policy/") { level = .admin }
            if !scopes.contains(name) { scopes.append(name) }
        }
        return (level, scopes)
    }

    /// An array of objects under `key`; empty when absent.
    static func list(_ object: [String: Any], _ key: String, at place: String) throws -> [CloudExport.Row] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let array = value as? [Any] else {
            throw CloudExport.at(CloudExport.join(place, key), "expected an array, got \(CloudExport.kind(value))")
        }
        return try CloudExport.objects(array, at: CloudExport.join(place, key))
    }

    static func level(ofManagedName name: String) -> Level {
        if name == "AdministratorAccess" { return .admin }
        if name == "PowerUserAccess" || name.hasSuffix("FullAccess") || name == "AmazonBedrockLimitedAccess" { return .write }
        return .restricted
    }

    /// The level a policy document grants; the document is a JSON object or a (URL-encoded) JSON string.
    static func level(ofDocument value: Any?, at place: String) throws -> Level {
        let document: [String: Any]
        switch value {
        case let o as [String: Any]: document = o
        case let s as String:
            let decoded = s.removingPercentEncoding ?? s
            guard let data = decoded.data(using: .utf8), let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw CloudExport.at(place, "expected a policy document (JSON, possibly URL-encoded)")
            }
            document = o
        case nil, is NSNull: throw CloudExport.at(place, "missing policy document")
        default: throw CloudExport.at(place, "expected a policy document, got \(CloudExport.kind(value))")
        }
        let statements: [Any]
        switch document["Statement"] {
        case let a as [Any]: statements = a
        case let o as [String: Any]: statements = [o]
        case nil: return .restricted
        default: throw CloudExport.at(place + ".Statement", "expected an object or an array, got \(CloudExport.kind(document["Statement"]))")
        }
        var level = Level.restricted
        for (i, element) in statements.enumerated() {
            guard let statement = element as? [String: Any] else {
                throw CloudExport.at("\(place).Statement[\(i)]", "expected an object, got \(CloudExport.kind(element))")
            }
            guard (statement["Effect"] as? String)?.lowercased() == "allow" else { continue }
            level = max(level, Self.level(ofAllow: statement))
        }
        return level
    }

    static let writeVerbs = ["create", "delete", "put", "update", "attach", "detach"]

    static func level(ofAllow statement: [String: Any]) -> Level {
        let resources = CloudExport.strings(statement["Resource"])
        let anyResource = resources.contains("*") || statement["NotResource"] != nil
        if statement["NotAction"] != nil { return .write }
        var level = Level.restricted
        for action in CloudExport.strings(statement["Action"]) {
            let a = action.lowercased()
            if a == "*" || a == "*:*" {
                if anyResource { return .admin }
                level = .write
            } else if a.hasSuffix(":*") {
                level = .write
            } else if let colon = a.firstIndex(of: ":"), writeVerbs.contains(where: { a[a.index(after: colon)...].hasPrefix($0) }) {
                level = .write
            }
        }
        return level
    }
}
