import Foundation

/// OpenAI: `GET /v1/models` with `Authorization: Bearer`. Admin keys cannot list models (that would read as revoked):
/// they read the organisation instead, `GET /v1/organization/projects?limit=1` (Administration API, "List projects"),
/// and an admin key that can is an organisation admin. One provider, two calls: picked by the rule's kind.
public struct OpenAIValidator: Validator {
    public let provider = "openai"
    public let officialBase: URL? = URL(string: "https://api.openai.com")!
    public init() {}
    public func accepts(kind: String) -> Bool { true }
    public func call(for subject: ValidationSubject, base: URL, at date: Date) -> ValidationCall? {
        let path = subject.kind == "admin-key" ? "/v1/organization/projects?limit=1" : "/v1/models"
        return ValidationCall(path: path, headers: ["Authorization": "Bearer " + subject.secret.value])
    }
    public func active(_ answer: HTTPAnswer, for subject: ValidationSubject) -> ValidationOutcome {
        guard subject.kind == "admin-key" else { return active(answer) }
        let organisation = ValidationStage.plain(answer.headers["openai-organization"])
        var detail = "HTTP \(answer.status): GET /v1/organization/projects succeeded (an organisation admin key)"
        if let organisation { detail += "; organisation \(organisation)" }
        return ValidationOutcome(status: .active, detail: detail, account: organisation, privilege: Privilege(level: .admin, scopes: ["organization admin"]))
    }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        let models = (answer.json?["data"] as? [Any])?.count
        let organisation = ValidationStage.plain(answer.headers["openai-organization"])
        var detail = "HTTP \(answer.status): GET /v1/models succeeded"
        if let models { detail += " (\(models) models)" }
        if let organisation { detail += "; organisation \(organisation)" }
        return ValidationOutcome(status: .active, detail: detail, account: organisation)
    }
}

/// Anthropic: `GET /v1/models` with `x-api-key` and `anthropic-version`. Admin keys read their organisation,
/// `GET /v1/organizations/me` (Admin API, "Get Current Organization": `{id, name, type: "organization"}`), and one that
/// can is an organisation admin. OAuth tokens use other calls and are not checked here.
public struct AnthropicValidator: Validator {
    public let provider = "anthropic"
    public let officialBase: URL? = URL(string: "https://api.anthropic.com")!
    public static let apiVersion = "2023-06-01"
    public init() {}
    public func accepts(kind: String) -> Bool { kind == "api-key" || kind == "admin-key" }
    public func call(for subject: ValidationSubject, base: URL, at date: Date) -> ValidationCall? {
        let path = subject.kind == "admin-key" ? "/v1/organizations/me" : "/v1/models"
        return ValidationCall(path: path, headers: ["x-api-key": subject.secret.value, "anthropic-version": Self.apiVersion])
    }
    public func active(_ answer: HTTPAnswer, for subject: ValidationSubject) -> ValidationOutcome {
        guard subject.kind == "admin-key" else { return active(answer) }
        let json = answer.json
        let id = ValidationStage.plain(json?["id"] as? String) ?? ValidationStage.plain(answer.headers["anthropic-organization-id"])
        let name = ValidationStage.plain(json?["name"] as? String)
        var detail = "HTTP \(answer.status): GET /v1/organizations/me succeeded (an organisation admin key)"
        if let name { detail += "; organisation \(name)" }
        return ValidationOutcome(status: .active, detail: detail, account: id, privilege: Privilege(level: .admin, scopes: ["organization admin"]))
    }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        let models = (answer.json?["data"] as? [Any])?.count
        let organisation = ValidationStage.plain(answer.headers["anthropic-organization-id"])
        var detail = "HTTP \(answer.status): GET /v1/models succeeded"
        if let models { detail += " (\(models) models)" }
        if let organisation { detail += "; organisation \(organisation)" }
        return ValidationOutcome(status: .active, detail: detail, account: organisation)
    }
}

/// GitHub: `GET /user`; the login names the identity and `X-OAuth-Scopes` (classic and OAuth tokens) the privilege.
/// Installation and refresh tokens cannot call `/user` (403 would read as revoked) and are not checked here.
public struct GitHubValidator: HeaderValidator {
    public let provider = "github"
    public let officialBase: URL? = URL(string: "https://api.github.com")!
    public init() {}
    public func accepts(kind: String) -> Bool {
        ["classic-token", "oauth-token", "user-to-server-token", "fine-grained-token"].contains(kind)
    }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) {
        ("/user", ["Authorization": "Bearer " + secret.value, "Accept": "application/vnd.github+json",
                   "X-GitHub-Api-Version": "2022-11-28"])
    }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        let login = ValidationStage.plain(answer.json?["login"] as? String)
        var detail = "HTTP \(answer.status): GET /user succeeded"
        if let login { detail += " as \(login)" }
        var privilege: Privilege?
        if let header = answer.headers["x-oauth-scopes"] {
            let scopes = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                .compactMap { ValidationStage.plain($0, limit: 40) }
            privilege = Privilege(level: Self.level(scopes: scopes), scopes: scopes)
            detail += scopes.isEmpty ? "; no scopes" : "; scopes \(scopes.prefix(8).joined(separator: ", "))"
        }
        return ValidationOutcome(status: .active, detail: detail, principal: login, privilege: privilege)
    }

    /// `admin:*`, `delete_repo`, `site_admin` → admin; `repo`, `workflow`, `write:*`, `public_repo`, `gist` → write;
    /// anything else (`read:*`, `user:email`, none) → read.
    static func level(scopes: [String]) -> PrivilegeLevel {
        if scopes.contains(where: { $0.hasPrefix("admin:") || $0 == "delete_repo" || $0 == "site_admin" }) { return .admin }
        if scopes.contains(where: { ["repo", "workflow", "public_repo", "gist", "user", "project", "codespace"].contains($0) || $0.hasPrefix("write:") }) {
            return .write
        }
        return .read
    }
}

/// Hugging Face: `GET /api/whoami-v2`; the name and the token's role (`read`, `write`, `fineGrained`) say who and what.
public struct HuggingFaceValidator: HeaderValidator {
    public let provider = "huggingface"
    public let officialBase: URL? = URL(string: "https://huggingface.co")!
    public init() {}
    public func accepts(kind: String) -> Bool { true }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) {
        ("/api/whoami-v2", ["Authorization": "Bearer " + secret.value])
    }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        let json = answer.json
        let name = ValidationStage.plain(json?["name"] as? String)
        let role = ValidationStage.plain(((json?["auth"] as? [String: Any])?["accessToken"] as? [String: Any])?["role"] as? String, limit: 20)
        var detail = "HTTP \(answer.status): whoami succeeded"
        if let name { detail += " as \(name)" }
        if let role { detail += "; token role \(role)" }
        let privilege = role.map { role -> Privilege in
            switch role {
            case "admin": return Privilege(level: .admin, scopes: [role])
            case "write": return Privilege(level: .write, scopes: [role])
            case "read": return Privilege(level: .read, scopes: [role])
            case "fineGrained": return Privilege(level: .restricted, scopes: [role])
            default: return Privilege(level: .unknown, scopes: [role])
            }
        }
        return ValidationOutcome(status: .active, detail: detail, principal: name, privilege: privilege)
    }
}
