import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Every built-in rule that declares a `validation:` call, driven through `scan --validate` against a local server
/// reached through keyledger.yml's `endpoints: <provider>` (no test-only path): each rule's own first example is
/// scanned, and the provider answers with the rule's documented "works" answer (active), its refusal (revoked) and an
/// answer it does not document (error). The request must be the declared one — method, path — and carry the secret
/// where the rule says (a header, basic auth, the query or the body; compared in memory, never printed), once.
final class RuleDeclaredValidationTests: XCTestCase {
    enum Mode: CaseIterable { case active, revoked, error }

    struct Subject {
        var rule: Rule
        var example: String
        var secret: String
        var file: String { rule.id + ".txt" }
    }

    /// The validated rules with the secret their first example yields (a rule whose example the matcher does not
    /// find fails: it could never be checked).
    static func subjects() throws -> [Subject] {
        let rules = sharedMatcher.rules.filter { $0.validation != nil }
        var out: [Subject] = []
        let workspace = sharedMatcher.makeWorkspace()
        for rule in rules {
            guard let example = rule.examples.first else { XCTFail("\(rule.id) declares validation but has no example"); continue }
            let matches = Array(example.utf8).withUnsafeBytes { sharedMatcher.matches(in: $0, workspace: workspace, path: rule.examplePath) }
            guard let match = matches.first(where: { sharedMatcher.rules[$0.ruleIndex].id == rule.id }) else {
                XCTFail("\(rule.id): its first example yields no finding of the rule"); continue
            }
            out.append(Subject(rule: rule, example: example, secret: match.secret.value))
        }
        return out
    }

    /// The answer a provider gives in `mode` for `rule`'s call.
    static func answer(_ rule: Rule, _ mode: Mode) -> LocalHTTPServer.Response {
        let spec = rule.validation!
        switch mode {
        case .active:
            return .init(status: spec.active?.min() ?? 200, body: spec.activeBody ?? "{}")
        case .revoked:
            if let word = spec.revokedBody { return .init(status: spec.revoked.min() ?? 401, body: word) }
            if spec.revoked.isEmpty { return .init(status: spec.unknown.min() ?? 401, body: #"{"error":"forbidden"}"#) }
            return .init(status: spec.revoked.min() ?? 401, body: #"{"error":"invalid key"}"#)
        case .error:
            let taken = spec.revoked.union(spec.active ?? []).union(spec.unknown)
            return .init(status: [404, 422, 410].first { !taken.contains($0) } ?? 418, body: "not here")
        }
    }

    /// Whether a received path is the declared one, a placeholder matching what was filled in (never a `/`).
    static func path(_ received: String, matches declared: String) -> Bool {
        let decoded = received.removingPercentEncoding ?? received
        var pattern = NSRegularExpression.escapedPattern(for: declared)
        for placeholder in ["{{secret}}", "{{key_id}}"] {
            pattern = pattern.replacingOccurrences(of: NSRegularExpression.escapedPattern(for: placeholder), with: "[^/]+")
        }
        return decoded.range(of: "^" + pattern + "$", options: .regularExpression) != nil
    }

    /// Whether the request carries `secret` where `spec` puts it (a header, basic auth, the query, the path or the body).
    static func carries(_ request: LocalHTTPServer.Request, _ secret: String, _ spec: RuleValidation) -> Bool {
        if request.headers.values.contains(where: { $0.contains(secret) }) { return true }
        if let auth = request.headers["authorization"], auth.hasPrefix("Basic "),
           let decoded = Data(base64Encoded: String(auth.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }), decoded.contains(secret) {
            return true
        }
        if request.query.contains(where: { $0.value.contains(secret) }) { return true }
        if (request.route.removingPercentEncoding ?? request.route).contains(secret) { return true }
        let body = String(decoding: request.body, as: UTF8.self)
        return body.contains(secret) || (body.removingPercentEncoding ?? "").contains(secret)
    }

    func testEveryDeclaredValidationAgainstItsDocumentedAnswers() throws {
        let subjects = try Self.subjects()
        XCTAssertFalse(subjects.isEmpty, "no built-in rule declares validation")
        let byProvider = Dictionary(grouping: subjects, by: \.rule.provider)
        for mode in Mode.allCases {
            let server = try LocalHTTPServer { request in
                // The provider is the first path segment (its endpoint's base); the rule is the one whose secret came.
                let provider = String(request.route.dropFirst().split(separator: "/").first ?? "")
                guard let subject = byProvider[provider]?.first(where: { Self.carries(request, $0.secret, $0.rule.validation!) }) else {
                    return .init(status: 400, body: "no rule's secret in this request")
                }
                return Self.answer(subject.rule, mode)
            }
            addTeardownBlock { server.stop() }
            let dir = try temporaryDirectory(self)
            for s in subjects { try write(s.example + "\n", to: "estate/" + s.file, in: dir) }
            let endpoints = Set(subjects.map(\.rule.provider)).sorted().map { "  \($0): \(server.baseURL)/\($0)\n" }.joined()
            var options = ScanOptions(request: ScanRequest(paths: [dir + "/estate"], history: false))
            options.matcher = sharedMatcher
            options.configuration = try KeyLedgerConfig.parse("endpoints:\n" + endpoints, source: "keyledger.yml")
            options.validate = true
            options.validateTimeout = 5
            options.asOf = ISODate.parse("2026-11-20")!
            options.generatedAt = options.asOf
            let register = try ScanPipeline.run(options).register
            let requests = server.requests
            for s in subjects {
                let spec = s.rule.validation!
                let record = register.credentials.first { c in c.rule == s.rule.id && c.locations.contains { $0.path.hasSuffix(s.file) } }
                guard let record else { XCTFail("\(s.rule.id): the scan did not report its example"); continue }
                let mine = requests.filter { Self.carries($0, s.secret, spec) }
                XCTAssertEqual(mine.count, 1, "\(s.rule.id) (\(mode)): one request carrying the key, where the rule puts it")
                if let request = mine.first {
                    XCTAssertEqual(request.method, spec.method, s.rule.id)
                    // The path as the rule writes it (a trailing `/` kept), each placeholder standing for one segment.
                    let route = String(request.route.dropFirst(s.rule.provider.count + 1))
                    XCTAssertTrue(Self.path(route, matches: spec.path), "\(s.rule.id): the declared path")
                }
                // A call that can only say "works" answers its refusal mode with `unknown`, never `revoked`.
                let worksOnly = spec.revoked.isEmpty && spec.revokedBody == nil
                let expected: ValidationStatus = mode == .active ? .active : mode == .revoked ? (worksOnly ? .unknown : .revoked) : .error
                XCTAssertEqual(record.validation?.status, expected, "\(s.rule.id) (\(mode)): \(record.validation?.detail ?? "not validated")")
            }
            let json = String(decoding: try JSONEncoder().encode(register), as: UTF8.self)
            assertNoPlaintext(json, subjects.map(\.secret), "the register")
        }
    }

    /// The `validation:` block is parsed strictly: https on a fixed host, read-only methods, known placeholders and
    /// settings, statuses that are statuses, and a call that sends the secret.
    func testValidationBlocksAreParsedStrictly() throws {
        func rule(_ validation: String) -> String {
            "provider: acme\nrules:\n  - id: acme.key\n    kind: api-key\n    pattern: 'acme_([a-z0-9]{32})'\n    validation:\n" + validation
        }
        let good = try RuleLoader.parse(yaml: rule("      url: https://api.acme.example/v1/me?key={{secret}}\n      active: [200]\n"), source: "t.yml")
        XCTAssertEqual(good.first?.validation?.revoked, [401, 403])
        XCTAssertEqual(good.first?.validation?.method, "GET")
        let bodyOnly = try RuleLoader.parse(yaml: rule("      url: https://api.acme.example/v1/me\n      headers: { api-key: '{{secret}}' }\n      revoked: []\n      revoked_body: 'Key not found'\n"), source: "t.yml")
        XCTAssertEqual(bodyOnly.first?.validation?.revoked, [])
        // A call that can only say "works": its ambiguous refusal is unknown, never revoked.
        let worksOnly = try XCTUnwrap(try RuleLoader.parse(yaml: rule("      url: https://api.acme.example/v1/me\n      headers: { api-key: '{{secret}}' }\n      revoked: []\n      unknown: [401, 403]\n"), source: "t.yml").first)
        let validator = try XCTUnwrap(RuleDeclaredValidator(rule: worksOnly))
        XCTAssertEqual(validator.refusal(HTTPAnswer(status: 401, body: Data("{}".utf8)))?.status, .unknown)
        XCTAssertEqual(validator.active(HTTPAnswer(status: 200, body: Data("{}".utf8))).status, .active)
        for (text, words) in [("      url: http://api.acme.example/v1/me\n      headers: { X-Key: '{{secret}}' }\n", "https"),
                              ("      url: https://{{secret}}.acme.example/\n", "placeholder in the host"),
                              ("      url: https://api.acme.example/v1/me\n      method: DELETE\n      headers: { X-Key: '{{secret}}' }\n", "read-only"),
                              ("      url: https://api.acme.example/v1/me\n      headers: { X-Key: '{{token}}' }\n", "only {{secret}} and {{key_id}}"),
                              ("      url: https://api.acme.example/v1/me\n", "never sends {{secret}}"),
                              ("      url: https://api.acme.example/v1/me\n      headers: { X-Key: '{{secret}}' }\n      active: [301]\n", "not a 2xx"),
                              ("      url: https://api.acme.example/v1/me\n      headers: { X-Key: '{{secret}}' }\n      revoked: []\n", "needs `revoked_body`"),
                              ("      url: https://api.acme.example/v1/me\n      headers: { X-Key: '{{secret}}' }\n      unknown: [401]\n", "both `unknown`"),
                              ("      url: https://api.acme.example/v1/me\n      headers: { X-Key: '{{secret}}' }\n      verify: yes\n", "unknown validation setting"),
                              ("      url: https://api.acme.example/v1/me\n      headers: { X-Key: '{{secret}}' }\n      active: [200, 401]\n      revoked: [401]\n", "both")] {
            XCTAssertThrowsError(try RuleLoader.parse(yaml: rule(text), source: "t.yml")) { error in
                XCTAssertTrue("\(error)".contains(words), "\(error)")
            }
        }
    }

    /// A key whose call needs the key id found next to it is not checked without one, and nothing is sent.
    func testKeyIdTemplateWithoutKeyIdSendsNothing() throws {
        let yaml = "provider: acme\nrules:\n  - id: acme.key\n    kind: api-key\n    pattern: 'acme_([a-z0-9]{32})'\n    validation:\n"
            + "      url: https://api.acme.example/v1/accounts/{{key_id}}\n      basic_auth: { username: '{{key_id}}', password: '{{secret}}' }\n"
        let rule = try XCTUnwrap(try RuleLoader.parse(yaml: yaml, source: "t.yml").first)
        let validator = try XCTUnwrap(RuleDeclaredValidator(rule: rule))
        let subject = ValidationSubject(secret: Secret("acme_" + String(repeating: "k", count: 32)), ruleId: rule.id, kind: rule.kind, identity: Identity())
        XCTAssertNil(validator.call(for: subject, base: validator.officialBase!, at: Date()))
        var withId = subject
        withId.identity.keyId = "AC0123"
        let call = try XCTUnwrap(validator.call(for: withId, base: validator.officialBase!, at: Date()))
        XCTAssertEqual(call.path, "/v1/accounts/AC0123")
        XCTAssertEqual(validator.officialBase?.absoluteString, "https://api.acme.example")
        XCTAssertTrue(Self.path("/v1/accounts/AC0123", matches: rule.validation!.path))
        XCTAssertFalse(Self.path("/v1/accounts/AC/0123", matches: rule.validation!.path))
        let slash = try XCTUnwrap(try RuleLoader.parse(yaml: yaml.replacingOccurrences(of: "/v1/accounts/{{key_id}}", with: "/v1/addresses/"), source: "t.yml").first)
        XCTAssertEqual(slash.validation!.path, "/v1/addresses/")
        XCTAssertEqual(RuleDeclaredValidator(rule: slash)?.call(for: withId, base: validator.officialBase!, at: Date())?.path, "/v1/addresses/")
        XCTAssertTrue(call.headers["Authorization"]?.hasPrefix("Basic ") ?? false)
    }
}
