import Foundation

/// The validator a rule's `validation:` block declares (`RuleValidation`): one read-only call on the provider's own
/// host (or the base URL `endpoints: <provider>` sets), judged by its status and, where declared, a word of its body.
/// The stage uses it for a rule's keys when no validator in code accepts them.
public struct RuleDeclaredValidator: Validator {
    public let rule: Rule
    public let spec: RuleValidation

    public init?(rule: Rule) {
        guard let spec = rule.validation else { return nil }
        self.rule = rule
        self.spec = spec
    }

    public var provider: String { rule.provider }
    /// The declared URL's scheme and host (and port): what `endpoints: <provider>` replaces.
    public var officialBase: URL? {
        guard var c = URLComponents(url: spec.url, resolvingAgainstBaseURL: false) else { return nil }
        c.path = ""; c.query = nil; c.fragment = nil
        return c.url
    }
    public func accepts(kind: String) -> Bool { kind == rule.kind }

    public func call(for subject: ValidationSubject, base: URL, at date: Date) -> ValidationCall? {
        let keyId = subject.identity.keyId
        if spec.needsKeyId, keyId == nil { return nil }
        func fill(_ s: String, encoded: Bool) -> String {
            // Unreserved characters and `:` (legal in a path segment and a query value) stay as they are: a Telegram bot
            // token (`<id>:<token>`) goes into the path whole.
            var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            allowed.insert(charactersIn: "-._~:")
            func enc(_ v: String) -> String { encoded ? (v.addingPercentEncoding(withAllowedCharacters: allowed) ?? v) : v }
            return s.replacingOccurrences(of: "{{secret}}", with: enc(subject.secret.value))
                .replacingOccurrences(of: "{{key_id}}", with: enc(keyId ?? ""))
        }
        var headers = spec.headers.mapValues { fill($0, encoded: false) }
        if let basic = spec.basicAuth {
            let pair = fill(basic.username, encoded: false) + ":" + fill(basic.password, encoded: false)
            headers["Authorization"] = "Basic " + Data(pair.utf8).base64EncodedString()
        }
        var body: Data?
        if let template = spec.body {
            let form = headers.keys.contains { $0.lowercased() == "content-type" } == false
            body = Data(fill(template, encoded: form).utf8)
            if form { headers["Content-Type"] = "application/x-www-form-urlencoded" }
        }
        return ValidationCall(method: spec.method, path: fill(spec.pathAndQuery, encoded: true), headers: headers, body: body)
    }

    /// What the call was, for `detail` (the declared path, never a filled-in secret).
    var described: String {
        let path = spec.path
        return "\(spec.method) \(path.contains("{{") ? "…" : path)"
    }

    func body(_ answer: HTTPAnswer, contains text: String?) -> Bool {
        guard let text, !text.isEmpty else { return false }
        return answer.body.range(of: Data(text.utf8)) != nil
    }

    public func active(_ answer: HTTPAnswer) -> ValidationOutcome {
        if body(answer, contains: spec.revokedBody) {
            return ValidationOutcome(status: .revoked, detail: "HTTP \(answer.status): \(described) answered that the key is refused")
        }
        if let active = spec.active, !active.contains(answer.status) {
            return ValidationOutcome(status: .error, detail: "HTTP \(answer.status): \(described): not an answer the rule documents")
        }
        if let marker = spec.activeBody, !marker.isEmpty, !body(answer, contains: marker) {
            return ValidationOutcome(status: .error, detail: "HTTP \(answer.status): \(described): the answer is not the documented one")
        }
        return ValidationOutcome(status: .active, detail: "HTTP \(answer.status): \(described) succeeded")
    }

    /// Non-2xx answers the rule declares: a status or body word that means refused, or a status that means works
    /// (a restricted key's 403). Others keep the stage's rule.
    public func refusal(_ answer: HTTPAnswer) -> ValidationOutcome? {
        if spec.unknown.contains(answer.status), !body(answer, contains: spec.revokedBody) {
            return ValidationOutcome(status: .unknown, detail: "HTTP \(answer.status): \(described): this answer cannot tell whether the key works")
        }
        if spec.revoked.contains(answer.status) || body(answer, contains: spec.revokedBody) {
            return ValidationOutcome(status: .revoked, detail: "HTTP \(answer.status): \(described): the provider refuses the key")
        }
        if let active = spec.active, active.contains(answer.status) {
            return ValidationOutcome(status: .active, detail: "HTTP \(answer.status): \(described): the key works (the answer the rule documents)")
        }
        if [401, 403].contains(answer.status) {
            return ValidationOutcome(status: .error, detail: "HTTP \(answer.status): \(described): not an answer the rule documents")
        }
        return nil
    }
}
