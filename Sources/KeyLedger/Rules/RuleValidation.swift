import Foundation

/// A rule's `validation:` block: the one read-only HTTPS call that tells whether a found key still works, for
/// providers whose check is a single request judged by its status (and, where the provider answers 200 either way, a
/// word of its body). Providers that need more — signatures, per-resource hosts, identity from the answer — have a
/// validator in code (`Sources/KeyLedger/Validation/`), which takes precedence for the kinds it accepts.
///
/// ```yaml
/// validation:
///   method: GET                                 # GET (default), POST or HEAD
///   url: https://api.example.com/v1/me          # https on the provider's own host; the path and query may hold
///                                               #   {{secret}} or {{key_id}} (percent-encoded)
///   headers: { Authorization: 'Bearer {{secret}}' }
///   basic_auth: { username: '{{key_id}}', password: '{{secret}}' }   # optional
///   body: 'token={{secret}}'                    # optional (POST); form-encoded unless headers say otherwise
///   active: [200]                               # statuses meaning "works" (default: any 2xx)
///   revoked: [401, 403]                         # statuses meaning "refused" (default: 401, 403; `[]` with
///                                               #   `revoked_body`: only the body word means refused)
///   active_body: '"ok":true'                    # optional: a "works" answer must contain this text, else `error`
///   revoked_body: 'invalid_auth'                # optional: an answer containing this text is "refused"
///   unknown: [401]                              # optional: statuses that cannot tell (an IP allowlist answers
///                                               #   as a bad key does): `unknown`, never `revoked`
///   source: https://docs.example.com/api/me     # where the call and its answers are documented
/// ```
///
/// `{{key_id}}` is the key id the rule's `identity.key_id` found next to the secret (an account SID, an app id); a
/// credential without one is not checked. The secret goes only to the URL's host, or to the base URL keyledger.yml's
/// `endpoints: <provider>` sets; redirects are never followed.
public struct RuleValidation: Sendable, Equatable {
    public var method: String
    /// The URL with its placeholders resolved to `x` (for its host and path shape).
    public var url: URL
    /// The URL as written, placeholders and all.
    public var urlTemplate: String
    /// What follows the host in `urlTemplate`, as written (`/v1/accounts/{{key_id}}.json`, `/addresses/`,
    /// `/v1/me?key={{secret}}`): always starting with `/`, placeholders unfilled.
    public var pathAndQuery: String
    /// `pathAndQuery` without its query.
    public var path: String { String(pathAndQuery.prefix { $0 != "?" }) }
    public var headers: [String: String]
    public var basicAuth: BasicAuth?
    public var body: String?
    /// nil: any 2xx.
    public var active: Set<Int>?
    public var revoked: Set<Int>
    /// Statuses that cannot tell (an IP allowlist answers as a bad key does): `unknown`, never `revoked`.
    public var unknown: Set<Int> = []
    public var activeBody: String?
    public var revokedBody: String?
    public var source: String?

    public struct BasicAuth: Sendable, Equatable {
        public var username: String
        public var password: String
    }

    /// The placeholders a template may hold.
    static let placeholders: Set<String> = ["{{secret}}", "{{key_id}}"]

    /// Whether a template (URL, header, basic auth, body) needs the key id.
    public var needsKeyId: Bool {
        ([urlTemplate, body ?? "", basicAuth?.username ?? "", basicAuth?.password ?? ""] + Array(headers.values))
            .contains { $0.contains("{{key_id}}") }
    }

    /// Parses a `validation:` mapping; `fail` makes the error that names the rule.
    static func parse(_ value: Any, fail: (String) -> RuleError) throws -> RuleValidation {
        guard let map = value as? [String: Any] else { throw fail("`validation` must be a mapping with `url`") }
        let known: Set<String> = ["method", "url", "headers", "basic_auth", "body", "active", "revoked", "unknown", "active_body", "revoked_body", "source"]
        if let unknown = map.keys.filter({ !known.contains($0) }).sorted().first {
            throw fail("unknown validation setting `\(unknown)` (expected \(known.sorted().joined(separator: ", ")))")
        }
        let method = ((map["method"] as? String) ?? "GET").uppercased()
        guard ["GET", "POST", "HEAD"].contains(method) else { throw fail("validation method must be GET, POST or HEAD (a read-only call)") }
        guard let text = map["url"] as? String else { throw fail("validation needs `url`") }
        // The host as written: a placeholder there would let a key choose where it is sent.
        let afterScheme = text.range(of: "://").map { text[$0.upperBound...] } ?? ""
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let rest = String(afterScheme.dropFirst(authority.count))
        let pathAndQuery = rest.isEmpty ? "/" : (rest.hasPrefix("/") ? rest : "/" + rest)
        let resolved = text.replacingOccurrences(of: "{{secret}}", with: "x").replacingOccurrences(of: "{{key_id}}", with: "x")
        guard !authority.contains("{{"), !authority.contains("@"), let url = URL(string: resolved),
              let components = URLComponents(string: resolved), components.scheme == "https",
              let host = components.host, !host.isEmpty, components.fragment == nil
        else { throw fail("validation url must be https://host/path on the provider's own host (no credentials, no placeholder in the host)") }
        func template(_ s: String, _ what: String) throws -> String {
            var rest = s[...]
            while let open = rest.range(of: "{{") {
                guard let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex),
                      placeholders.contains(String(rest[open.lowerBound..<close.upperBound])) else {
                    throw fail("validation \(what): only {{secret}} and {{key_id}} may be filled in")
                }
                rest = rest[close.upperBound...]
            }
            return s
        }
        _ = try template(text, "url")
        var headers: [String: String] = [:]
        if let h = map["headers"] {
            guard let h = h as? [String: Any] else { throw fail("validation headers must map names to values") }
            for (name, v) in h {
                guard let v = v as? String ?? (v as? Int).map(String.init), !name.isEmpty,
                      name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                    throw fail("validation header `\(name)` needs a text value and a name of letters, digits and -")
                }
                headers[name] = try template(v, "header \(name)")
            }
        }
        var basic: BasicAuth?
        if let b = map["basic_auth"] {
            guard let b = b as? [String: Any], let user = b["username"] as? String else { throw fail("validation basic_auth needs `username` (and `password`)") }
            basic = BasicAuth(username: try template(user, "basic_auth"), password: try template((b["password"] as? String) ?? "", "basic_auth"))
        }
        let body = try (map["body"] as? String).map { try template($0, "body") }
        func statuses(_ key: String, allowEmpty: Bool = false) throws -> Set<Int>? {
            guard let raw = map[key] else { return nil }
            guard let list = raw as? [Any], allowEmpty || !list.isEmpty else { throw fail("validation `\(key)` must list HTTP statuses") }
            return try Set(list.map { item in
                guard let n = item as? Int, (200..<600).contains(n), !(300..<400).contains(n) else {
                    throw fail("validation `\(key)`: \(item) is not a 2xx, 4xx or 5xx status")
                }
                return n
            })
        }
        let active = try statuses("active")
        // `revoked: []` with `revoked_body`: a status alone never means refused, only the body word does (a 401 that is
        // also what an IP allowlist answers).
        let revoked = try statuses("revoked", allowEmpty: true) ?? [401, 403]
        let unknown = try statuses("unknown") ?? []
        if revoked.isEmpty, map["revoked_body"] == nil, unknown.isEmpty {
            throw fail("validation `revoked: []` needs `revoked_body` (or `unknown` statuses: a call that can only say \"works\")")
        }
        if !unknown.isDisjoint(with: revoked) || !unknown.isDisjoint(with: active ?? []) {
            throw fail("validation: a status cannot be both `unknown` and `active` or `revoked`")
        }
        if let active, !active.isDisjoint(with: revoked) { throw fail("validation: a status cannot be both `active` and `revoked`") }
        let all = [text, body ?? "", basic?.username ?? "", basic?.password ?? ""] + Array(headers.values)
        guard all.contains(where: { $0.contains("{{secret}}") }) else { throw fail("validation never sends {{secret}}") }
        return RuleValidation(method: method, url: url, urlTemplate: text, pathAndQuery: pathAndQuery, headers: headers, basicAuth: basic, body: body, active: active, revoked: revoked,
                              unknown: unknown, activeBody: map["active_body"] as? String, revokedBody: map["revoked_body"] as? String,
                              source: map["source"] as? String)
    }
}
