import Foundation

/// GitLab: `GET /api/v4/personal_access_tokens/self` with `PRIVATE-TOKEN` describes the calling personal, project or
/// group access token: name, scopes, owner id, expiry, `active`/`revoked`. The scopes give the privilege. Self-managed
/// instances are reached through `endpoints: gitlab`. 401 is a refused (revoked, expired or unknown) token.
public struct GitLabValidator: HeaderValidator {
    public let provider = "gitlab"
    public let officialBase: URL? = URL(string: "https://gitlab.com")!
    public init() {}
    public func accepts(kind: String) -> Bool { kind == "personal-access-token" }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) {
        ("/api/v4/personal_access_tokens/self", ["PRIVATE-TOKEN": secret.value])
    }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        guard let json = answer.json, let raw = json["scopes"] as? [String] else {
            return AnswerReading.unexpected(answer, "GET /personal_access_tokens/self")
        }
        if AnswerReading.flag(json["revoked"]) == true || AnswerReading.flag(json["active"]) == false {
            return ValidationOutcome(status: .revoked, detail: "HTTP \(answer.status): GitLab says the token is revoked or inactive")
        }
        let scopes = AnswerReading.scopes(raw)
        var detail = "HTTP \(answer.status): GET /personal_access_tokens/self succeeded"
        if let name = ValidationStage.plain(json["name"] as? String, limit: 48) { detail += "; token \"\(name)\"" }
        if let user = AnswerReading.count(json["user_id"]) { detail += " of user id \(user)" }
        detail += scopes.isEmpty ? "; no scopes" : "; scopes \(scopes.prefix(8).joined(separator: ", "))"
        if let expires = ValidationStage.plain(json["expires_at"] as? String, limit: 32) { detail += "; expires \(expires)" }
        else if json["expires_at"] is NSNull { detail += "; no expiry" }
        return ValidationOutcome(status: .active, detail: detail, privilege: Privilege(level: Self.level(scopes: scopes), scopes: scopes))
    }

    /// `sudo`, `admin_mode` → admin; `api` (full read-write API) and the `write_*`, runner and agent scopes → write;
    /// `read_*` only → read; none recognised → unknown.
    static func level(scopes: [String]) -> PrivilegeLevel {
        if scopes.contains(where: { ["sudo", "admin_mode"].contains($0) }) { return .admin }
        if scopes.contains(where: { ["api", "create_runner", "manage_runner", "k8s_proxy", "ai_features", "self_rotate"].contains($0) || $0.hasPrefix("write_") }) {
            return .write
        }
        if scopes.contains(where: { $0.hasPrefix("read_") }) { return .read }
        return .unknown
    }
}

/// Slack: `POST /api/auth.test` with `Authorization: Bearer` says who the token is (user, team). Slack refuses with a
/// 2xx: `{"ok": false, "error": …}`; `invalid_auth`, `token_revoked`, `token_expired` and `account_inactive` are a
/// refused token, other errors are errors. The `x-oauth-scopes` header lists the token's scopes. Bot and user tokens
/// only: webhook URLs, app-level and configuration tokens are not checked with this call.
public struct SlackValidator: Validator {
    public let provider = "slack"
    public let officialBase: URL? = URL(string: "https://slack.com")!
    static let refusedErrors: Set<String> = ["invalid_auth", "token_revoked", "token_expired", "account_inactive"]
    public init() {}
    public func accepts(kind: String) -> Bool { ["bot-token", "legacy-bot-token", "user-token"].contains(kind) }
    public func call(for subject: ValidationSubject, base: URL, at date: Date) -> ValidationCall? {
        var headers = AnswerReading.bearer(subject.secret)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return ValidationCall(method: "POST", path: "/api/auth.test", headers: headers, body: Data())
    }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        guard let json = answer.json, let ok = AnswerReading.flag(json["ok"]) else { return AnswerReading.unexpected(answer, "auth.test") }
        guard ok else {
            let error = json["error"] as? String ?? ""
            let shown = ValidationStage.plain(error, limit: 40) ?? "no error code"
            if Self.refusedErrors.contains(error) {
                return ValidationOutcome(status: .revoked, detail: "HTTP \(answer.status): auth.test refused the token (\(shown))")
            }
            return ValidationOutcome(status: .error, detail: "HTTP \(answer.status): auth.test answered \(shown)")
        }
        let user = ValidationStage.plain(json["user"] as? String, limit: 48)
        let team = ValidationStage.plain(json["team"] as? String, limit: 48)
        let teamId = ValidationStage.plain(json["team_id"] as? String, limit: 24)
        var detail = "HTTP \(answer.status): auth.test succeeded"
        if let user { detail += " as \(user)" }
        if let team { detail += " in \(team)" + (teamId.map { " (\($0))" } ?? "") }
        if json["bot_id"] is String { detail += "; a bot" }
        var privilege: Privilege?
        if let header = answer.headers["x-oauth-scopes"] {
            let scopes = AnswerReading.scopes(header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            privilege = Privilege(level: Self.level(scopes: scopes), scopes: scopes)
            detail += scopes.isEmpty ? "; no scopes" : "; scopes \(scopes.prefix(8).joined(separator: ", "))"
        }
        return ValidationOutcome(status: .active, detail: detail, principal: user, account: team ?? teamId, privilege: privilege)
    }

    /// `admin*` → admin; any `…:write…` scope or the legacy `bot`, `client`, `post` → write; otherwise read; none → unknown.
    static func level(scopes: [String]) -> PrivilegeLevel {
        if scopes.isEmpty { return .unknown }
        if scopes.contains(where: { $0.hasPrefix("admin") }) { return .admin }
        if scopes.contains(where: { $0.contains(":write") || ["bot", "client", "post"].contains($0) }) { return .write }
        return .read
    }
}

/// SendGrid: `GET /v3/scopes` lists the calling key's scopes. A key that can create or change API keys, subusers or
/// teammates is admin (full access keys can); one that sends mail or changes anything else is write; read-only scopes
/// are read. EU subusers are reached through `endpoints: sendgrid` (`https://api.eu.sendgrid.com`).
public struct SendGridValidator: HeaderValidator {
    public let provider = "sendgrid"
    public let officialBase: URL? = URL(string: "https://api.sendgrid.com")!
    public init() {}
    public func accepts(kind: String) -> Bool { kind == "api-key" }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) { ("/v3/scopes", AnswerReading.bearer(secret)) }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        guard let raw = answer.json?["scopes"] as? [String] else { return AnswerReading.unexpected(answer, "GET /v3/scopes") }
        let all = raw.compactMap { ValidationStage.plain($0, limit: 60) }
        let level = Self.level(scopes: all)
        var detail = "HTTP \(answer.status): GET /v3/scopes succeeded; \(all.count) scopes"
        switch level {
        case .admin: detail += " (full access or equivalent: manages API keys, subusers or teammates)"
        case .write: detail += " (restricted: " + (all.contains("mail.send") ? "sends mail" : "changes settings") + ")"
        default: detail += " (restricted: read only)"
        }
        return ValidationOutcome(status: .active, detail: detail, privilege: Privilege(level: level, scopes: Array(all.prefix(40))))
    }

    static func level(scopes: [String]) -> PrivilegeLevel {
        let admin = ["api_keys.create", "api_keys.update", "subusers.create", "teammates.create"]
        if scopes.contains(where: { admin.contains($0) }) { return .admin }
        if scopes.contains(where: { $0 == "mail.send" || $0.hasSuffix(".create") || $0.hasSuffix(".update") || $0.hasSuffix(".delete") }) {
            return .write
        }
        return scopes.isEmpty ? .unknown : .read
    }
}

/// Stripe: `GET /v1/balance` with `Authorization: Bearer`: live or test mode goes to `detail`. 401 (invalid or expired
/// key) is refused. A restricted key without balance read answers 403 "does not have the required permissions": it
/// works, restricted. Stripe's error message names the key with its last characters and is never copied. Secret and
/// restricted keys, live and test; not publishable keys or webhook secrets.
public struct StripeValidator: HeaderValidator {
    public let provider = "stripe"
    public let officialBase: URL? = URL(string: "https://api.stripe.com")!
    public init() {}
    public func accepts(kind: String) -> Bool { ["secret-key", "test-secret-key", "restricted-key", "test-restricted-key"].contains(kind) }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) { ("/v1/balance", AnswerReading.bearer(secret)) }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        guard let json = answer.json, (json["object"] as? String) == "balance" else { return AnswerReading.unexpected(answer, "GET /v1/balance") }
        var detail = "HTTP \(answer.status): GET /v1/balance succeeded"
        switch AnswerReading.flag(json["livemode"]) {
        case true?: detail += "; live mode"
        case false?: detail += "; test mode"
        case nil: break
        }
        return ValidationOutcome(status: .active, detail: detail)
    }
    public func refusal(_ answer: HTTPAnswer) -> ValidationOutcome? {
        guard answer.status == 403, let message = (answer.json?["error"] as? [String: Any])?["message"] as? String,
              message.contains("does not have the required permissions") else { return nil }
        return ValidationOutcome(status: .active, detail: "HTTP 403: the key works but may not read the balance (a restricted key without that permission)",
                                 privilege: Privilege(level: .restricted))
    }
}

/// Datadog: `GET /api/v1/validate` with `DD-API-KEY` answers `{"valid": true}` or 403. Keys belong to one site: set
/// `endpoints: datadog` to the site's API (`https://api.datadoghq.eu`, `https://api.us3.datadoghq.com`,
/// `https://api.us5.datadoghq.com`, `https://api.ap1.datadoghq.com`, `https://api.ddog-gov.com`); the default is
/// `https://api.datadoghq.com`, where another site's key is refused too, which the 403 detail says. API keys only:
/// an application key is checked only together with its API key.
public struct DatadogValidator: HeaderValidator {
    public let provider = "datadog"
    public let officialBase: URL? = URL(string: "https://api.datadoghq.com")!
    public init() {}
    public func accepts(kind: String) -> Bool { kind == "api-key" }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) { ("/api/v1/validate", ["DD-API-KEY": secret.value]) }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        switch AnswerReading.flag(answer.json?["valid"]) {
        case true?: return ValidationOutcome(status: .active, detail: "HTTP \(answer.status): GET /api/v1/validate says valid: true")
        case false?: return ValidationOutcome(status: .revoked, detail: "HTTP \(answer.status): GET /api/v1/validate says valid: false")
        case nil: return AnswerReading.unexpected(answer, "GET /api/v1/validate")
        }
    }
    public func refusal(_ answer: HTTPAnswer) -> ValidationOutcome? {
        guard answer.status == 403 else { return nil }
        return ValidationOutcome(status: .revoked, detail: "HTTP 403: this Datadog site refuses the API key (a key of another site — datadoghq.eu, us3, us5, ap1, ddog-gov — is refused here too: set endpoints: datadog to its site)")
    }
}
