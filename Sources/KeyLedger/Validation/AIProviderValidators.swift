import Foundation

/// The API-key providers' read-only checks, after OpenAI, Anthropic, GitHub and Hugging Face in
/// `ValidatorRegistry.builtin`: AI platforms here, developer platforms in DeveloperPlatformValidators.swift.
let apiKeyValidators: [any Validator] = [
    GoogleAIValidator(), OpenRouterValidator(), XAIValidator(), DeepSeekValidator(), CohereValidator(),
    ElevenLabsValidator(), PineconeValidator(),
    ModelListValidator.groq, ModelListValidator.mistral, ModelListValidator.together, ModelListValidator.fireworks,
    GitLabValidator(), SlackValidator(), SendGridValidator(), StripeValidator(), DatadogValidator(),
]

/// Reading answers: values go through `ValidationStage.plain` (printable, one line, dropped — not cut — past their
/// limit); amounts are formatted numbers, never echoed text.
enum AnswerReading {
    static func bearer(_ secret: Secret) -> [String: String] { ["Authorization": "Bearer " + secret.value] }

    /// A JSON number or numeric string as `12.34`; nil for anything else.
    static func amount(_ value: Any?) -> String? {
        let number: Double?
        if let text = value as? String { number = Double(text.trimmingCharacters(in: .whitespaces)) }
        else if let n = value as? NSNumber { number = n.doubleValue }
        else { number = nil }
        guard let number, number.isFinite else { return nil }
        return String(format: "%.2f", number)
    }

    /// A whole JSON number (a count), nil for anything else.
    static func count(_ value: Any?) -> Int? {
        guard let n = value as? NSNumber, n.doubleValue.isFinite, n.doubleValue == n.doubleValue.rounded() else { return nil }
        return n.intValue
    }

    static func flag(_ value: Any?) -> Bool? { value as? Bool }

    /// Scope names from an answer: printable, short, at most `limit` of them.
    static func scopes(_ values: [String], limit: Int = 40) -> [String] {
        Array(values.compactMap { ValidationStage.plain($0, limit: 60) }.prefix(limit))
    }

    /// A refusal read from a non-2xx answer, worded like the stage's own.
    static func refused(_ status: Int, _ why: String) -> ValidationOutcome {
        ValidationOutcome(status: .revoked, detail: "HTTP \(status): the provider refuses the key (\(why))")
    }

    /// A 2xx answer that is not the shape the call documents: read as an error, never as active.
    static func unexpected(_ answer: HTTPAnswer, _ call: String) -> ValidationOutcome {
        ValidationOutcome(status: .error, detail: "HTTP \(answer.status): \(call) answered, but not in its documented shape")
    }
}

/// Google AI (Gemini API): `GET /v1beta/models?pageSize=1` on the Generative Language API with `x-goog-api-key`.
/// An `AIza` key is any Google API key, so the answer says whether it works for Gemini: 400 `API_KEY_INVALID` is a
/// refused key; 403 `SERVICE_DISABLED` (the key's project has the API off), `API_KEY_SERVICE_BLOCKED` (the key is
/// restricted away from it; Vertex AI express `AQ.` keys answer so) and referrer/IP/app restrictions leave the key
/// unknown: a live Google key, not shown to be a Gemini key, its other APIs not checked. The key goes in a header,
/// never in the URL. Endpoint name `google_ai`.
public struct GoogleAIValidator: HeaderValidator {
    public let provider = "google"
    public let endpoint = "google_ai"
    public let officialBase: URL? = URL(string: "https://generativelanguage.googleapis.com")!
    public init() {}
    public func accepts(kind: String) -> Bool { kind == "api-key" || kind == "gemini-key" }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) {
        ("/v1beta/models?pageSize=1", ["x-goog-api-key": secret.value])
    }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        guard let models = answer.json?["models"] as? [Any] else { return AnswerReading.unexpected(answer, "GET /v1beta/models") }
        let first = ValidationStage.plain((models.first as? [String: Any])?["name"] as? String, limit: 48)
        var detail = "HTTP \(answer.status): the Generative Language API (Gemini) accepts the key"
        if let first { detail += "; lists \(first)" }
        return ValidationOutcome(status: .active, detail: detail)
    }
    public func refusal(_ answer: HTTPAnswer) -> ValidationOutcome? {
        let error = answer.json?["error"] as? [String: Any]
        let infos = (error?["details"] as? [[String: Any]] ?? []).filter { ($0["reason"] as? String) != nil }
        let reasons = infos.compactMap { $0["reason"] as? String }
        let message = error?["message"] as? String ?? ""
        let consumer = infos.lazy.compactMap { ($0["metadata"] as? [String: Any])?["consumer"] as? String }.first
        let project = ValidationStage.plain(consumer, limit: 48).map { " (\($0))" } ?? ""
        switch answer.status {
        case 400 where reasons.contains("API_KEY_INVALID") || message.contains("API key not valid") || message.contains("API key expired"):
            return AnswerReading.refused(400, "API_KEY_INVALID")
        case 403 where reasons.contains("SERVICE_DISABLED"):
            return ValidationOutcome(status: .unknown, detail: "HTTP 403 SERVICE_DISABLED: the key's project\(project) has the Generative Language API off — a live Google API key, not a Gemini key; its other Google APIs were not checked")
        case 403 where reasons.contains("API_KEY_SERVICE_BLOCKED"):
            return ValidationOutcome(status: .unknown, detail: "HTTP 403 API_KEY_SERVICE_BLOCKED: the key is restricted away from the Generative Language API (an API restriction, or a Vertex AI express key); not checked elsewhere")
        case 403 where reasons.contains { $0.hasPrefix("API_KEY_") && $0.hasSuffix("_BLOCKED") }:
            let reason = ValidationStage.plain(reasons.first { $0.hasPrefix("API_KEY_") }, limit: 40) ?? "API_KEY_BLOCKED"
            return ValidationOutcome(status: .unknown, detail: "HTTP 403 \(reason): the key only works from the referrers, addresses or apps it is restricted to; not checked")
        default:
            return nil
        }
    }
}

/// Models-list checks for OpenAI-compatible APIs: `GET <path>` with `Authorization: Bearer`; 401 is a refused key.
/// The answer is `{"object": "list", "data": [...]}` (Groq, Mistral, Fireworks) or a bare array (Together).
public struct ModelListValidator: HeaderValidator {
    public let provider: String
    public let officialBase: URL?
    public let path: String
    public init(provider: String, officialBase: URL, path: String) {
        self.provider = provider; self.officialBase = officialBase; self.path = path
    }
    /// console.groq.com/docs/api-reference#models-list
    public static let groq = ModelListValidator(provider: "groq", officialBase: URL(string: "https://api.groq.com")!, path: "/openai/v1/models")
    /// docs.mistral.ai/api/#tag/models/operation/list_models_v1_models_get
    public static let mistral = ModelListValidator(provider: "mistral", officialBase: URL(string: "https://api.mistral.ai")!, path: "/v1/models")
    /// docs.together.ai/reference/models-1 (a JSON array of models)
    public static let together = ModelListValidator(provider: "together", officialBase: URL(string: "https://api.together.xyz")!, path: "/v1/models")
    /// Fireworks' OpenAI-compatible inference API (docs.fireworks.ai; the base `https://api.fireworks.ai/inference/v1`).
    public static let fireworks = ModelListValidator(provider: "fireworks", officialBase: URL(string: "https://api.fireworks.ai")!, path: "/inference/v1/models")

    public func accepts(kind: String) -> Bool { kind == "api-key" }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) { (path, AnswerReading.bearer(secret)) }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        let body = try? JSONSerialization.jsonObject(with: answer.body)
        guard let models = ((body as? [String: Any])?["data"] as? [Any]) ?? (body as? [Any]) else {
            return AnswerReading.unexpected(answer, "GET \(path)")
        }
        return ValidationOutcome(status: .active, detail: "HTTP \(answer.status): GET \(path) succeeded (\(models.count) models)")
    }
}

/// OpenRouter: `GET /api/v1/key` describes the calling key: usage and limit (USD credits) and the free-tier flag go to
/// `detail`; a management (provisioning) key, which creates and deletes keys, is admin. The answer's `label` repeats
/// part of the key and is never read.
public struct OpenRouterValidator: HeaderValidator {
    public let provider = "openrouter"
    public let officialBase: URL? = URL(string: "https://openrouter.ai")!
    public init() {}
    public func accepts(kind: String) -> Bool { kind == "api-key" }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) { ("/api/v1/key", AnswerReading.bearer(secret)) }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        guard let data = answer.json?["data"] as? [String: Any] else { return AnswerReading.unexpected(answer, "GET /api/v1/key") }
        var detail = "HTTP \(answer.status): GET /api/v1/key succeeded"
        var spend: [String] = []
        if let usage = AnswerReading.amount(data["usage"]) { spend.append("usage \(usage) USD") }
        if let limit = AnswerReading.amount(data["limit"]) {
            var text = "limit \(limit) USD"
            if let remaining = AnswerReading.amount(data["limit_remaining"]) { text += " (\(remaining) remaining)" }
            if let reset = ValidationStage.plain(data["limit_reset"] as? String, limit: 12) { text += ", resets \(reset)" }
            spend.append(text)
        } else if data.keys.contains("limit") {
            spend.append("no limit")
        }
        if !spend.isEmpty { detail += "; " + spend.joined(separator: ", ") }
        if AnswerReading.flag(data["is_free_tier"]) == true { detail += "; free tier" }
        let management = AnswerReading.flag(data["is_management_key"]) == true || AnswerReading.flag(data["is_provisioning_key"]) == true
        if management { detail += "; a management key (creates and deletes API keys)" }
        return ValidationOutcome(status: .active, detail: detail,
                                 privilege: management ? Privilege(level: .admin, scopes: ["management-key"]) : nil)
    }
}

/// xAI: `GET /v1/api-key` describes the calling key (name, team, ACLs, blocked/disabled flags). An invalid key is a
/// 400 (docs.x.ai API reference, "Bad request … an invalid API key is provided"); a blocked or disabled key or team is
/// refused. ACLs `api-key:model:*` and `api-key:endpoint:*` are the whole team's models and endpoints (write); fewer
/// are restricted. `redacted_api_key` repeats part of the key and is never read.
public struct XAIValidator: HeaderValidator {
    public let provider = "xai"
    public let officialBase: URL? = URL(string: "https://api.x.ai")!
    public init() {}
    public func accepts(kind: String) -> Bool { kind == "api-key" }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) { ("/v1/api-key", AnswerReading.bearer(secret)) }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        guard let json = answer.json, let acls = json["acls"] as? [String] else { return AnswerReading.unexpected(answer, "GET /v1/api-key") }
        let blocked = [("api_key_blocked", "the key is blocked"), ("api_key_disabled", "the key is disabled"), ("team_blocked", "its team is blocked")]
            .filter { AnswerReading.flag(json[$0.0]) == true }.map(\.1)
        if !blocked.isEmpty {
            return ValidationOutcome(status: .revoked, detail: "HTTP \(answer.status): GET /v1/api-key says \(blocked.joined(separator: " and "))")
        }
        let name = ValidationStage.plain(json["name"] as? String, limit: 48)
        let team = ValidationStage.plain(json["team_id"] as? String, limit: 48)
        let scopes = AnswerReading.scopes(acls)
        var detail = "HTTP \(answer.status): GET /v1/api-key succeeded"
        if let name { detail += "; key \"\(name)\"" }
        if let team { detail += "; team \(team)" }
        detail += scopes.isEmpty ? "; no ACLs" : "; ACLs \(scopes.prefix(6).joined(separator: ", "))"
        let everything = scopes.contains("api-key:model:*") && scopes.contains("api-key:endpoint:*")
        return ValidationOutcome(status: .active, detail: detail, account: team,
                                 privilege: Privilege(level: everything ? .write : .restricted, scopes: scopes))
    }
    public func refusal(_ answer: HTTPAnswer) -> ValidationOutcome? {
        answer.status == 400 ? AnswerReading.refused(400, "invalid API key") : nil
    }
}

/// DeepSeek: `GET /user/balance`: whether the account may call the API and its balance per currency (spend detail).
public struct DeepSeekValidator: HeaderValidator {
    public let provider = "deepseek"
    public let officialBase: URL? = URL(string: "https://api.deepseek.com")!
    public init() {}
    public func accepts(kind: String) -> Bool { kind == "api-key" }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) { ("/user/balance", AnswerReading.bearer(secret)) }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        guard let json = answer.json, let infos = json["balance_infos"] as? [[String: Any]] else {
            return AnswerReading.unexpected(answer, "GET /user/balance")
        }
        var detail = "HTTP \(answer.status): GET /user/balance succeeded"
        let balances = infos.prefix(3).compactMap { info -> String? in
            guard let total = AnswerReading.amount(info["total_balance"]) else { return nil }
            let currency = ValidationStage.plain(info["currency"] as? String, limit: 8) ?? "?"
            var text = "\(total) \(currency)"
            if let granted = AnswerReading.amount(info["granted_balance"]), let topped = AnswerReading.amount(info["topped_up_balance"]) {
                text += " (granted \(granted), topped up \(topped))"
            }
            return text
        }
        if !balances.isEmpty { detail += "; balance " + balances.joined(separator: ", ") }
        if AnswerReading.flag(json["is_available"]) == false { detail += "; balance not available for API calls" }
        return ValidationOutcome(status: .active, detail: detail)
    }
}

/// Cohere: `POST /v1/check-api-key` ("checks that the api key in the Authorization header is valid and active"):
/// `valid`, `organization_id`, `owner_id`. `valid: false` is a refused key.
public struct CohereValidator: Validator {
    public let provider = "cohere"
    public let officialBase: URL? = URL(string: "https://api.cohere.com")!
    public init() {}
    public func accepts(kind: String) -> Bool { kind == "api-key" }
    public func call(for subject: ValidationSubject, base: URL, at date: Date) -> ValidationCall? {
        ValidationCall(method: "POST", path: "/v1/check-api-key", headers: AnswerReading.bearer(subject.secret))
    }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        guard let json = answer.json, let valid = AnswerReading.flag(json["valid"]) else {
            return AnswerReading.unexpected(answer, "POST /v1/check-api-key")
        }
        guard valid else { return ValidationOutcome(status: .revoked, detail: "HTTP \(answer.status): check-api-key says the key is not valid") }
        let organisation = ValidationStage.plain(json["organization_id"] as? String, limit: 48)
        let owner = ValidationStage.plain(json["owner_id"] as? String, limit: 48)
        var detail = "HTTP \(answer.status): check-api-key says the key is valid"
        if let organisation { detail += "; organisation \(organisation)" }
        if let owner { detail += "; owner \(owner)" }
        return ValidationOutcome(status: .active, detail: detail, principal: owner, account: organisation)
    }
}

/// ElevenLabs: `GET /v1/user` with `xi-api-key`: the subscription tier and character use (spend detail). A key
/// restricted without `user_read` answers 401 `missing_permissions`: it works, with restricted privilege; 401
/// `invalid_api_key` is a refused key. The answer's `xi_api_key` field is the key itself and is never read.
public struct ElevenLabsValidator: HeaderValidator {
    public let provider = "elevenlabs"
    public let officialBase: URL? = URL(string: "https://api.elevenlabs.io")!
    public init() {}
    public func accepts(kind: String) -> Bool { kind == "api-key" }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) { ("/v1/user", ["xi-api-key": secret.value]) }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        guard let json = answer.json, let subscription = json["subscription"] as? [String: Any] else {
            return AnswerReading.unexpected(answer, "GET /v1/user")
        }
        var detail = "HTTP \(answer.status): GET /v1/user succeeded"
        if let tier = ValidationStage.plain(subscription["tier"] as? String, limit: 24) { detail += "; tier \(tier)" }
        if let used = AnswerReading.count(subscription["character_count"]), let limit = AnswerReading.count(subscription["character_limit"]) {
            detail += "; \(used) of \(limit) characters used"
        }
        if let status = ValidationStage.plain(subscription["status"] as? String, limit: 24) { detail += "; subscription \(status)" }
        return ValidationOutcome(status: .active, detail: detail)
    }
    public func refusal(_ answer: HTTPAnswer) -> ValidationOutcome? {
        guard answer.status == 401, let status = (answer.json?["detail"] as? [String: Any])?["status"] as? String else { return nil }
        switch status {
        case "missing_permissions":
            return ValidationOutcome(status: .active, detail: "HTTP 401 missing_permissions: the key works but may not read the user (a restricted key)",
                                     privilege: Privilege(level: .restricted))
        case "quota_exceeded":
            return ValidationOutcome(status: .active, detail: "HTTP 401 quota_exceeded: the key works; the account's character quota is used up")
        default:
            return nil
        }
    }
}

/// Pinecone: `GET /indexes` on the control plane with `Api-Key` and `X-Pinecone-Api-Version`: the project's indexes.
public struct PineconeValidator: HeaderValidator {
    public let provider = "pinecone"
    public let officialBase: URL? = URL(string: "https://api.pinecone.io")!
    public static let apiVersion = "2025-04"
    public init() {}
    public func accepts(kind: String) -> Bool { kind == "api-key" }
    public func request(for secret: Secret) -> (path: String, headers: [String: String]) {
        ("/indexes", ["Api-Key": secret.value, "X-Pinecone-Api-Version": Self.apiVersion])
    }
    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        let body = try? JSONSerialization.jsonObject(with: answer.body)
        guard let indexes = ((body as? [String: Any])?["indexes"] as? [Any]) ?? (body as? [Any]) else {
            return AnswerReading.unexpected(answer, "GET /indexes")
        }
        return ValidationOutcome(status: .active, detail: "HTTP \(answer.status): GET /indexes succeeded (\(indexes.count) indexes in the key's project)")
    }
}
