import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// `scan --validate` against a local server reached through keyledger.yml's `endpoints:` (no test-only code path):
/// per validator an active, a revoked and an error answer, the request made (path, the secret in the right header —
/// compared by fingerprint, never printed), timeouts, redirects, and no secret in the register or on stderr.
final class ValidationTests: XCTestCase {
    struct Case {
        var provider: String
        var key: String
        /// The path the server sees (the endpoint's base path + the validator's path).
        var path: String
        /// The header carrying the secret, and its prefix before the secret.
        var header: String
        var scheme: String
        var activeBody: String
        var activeHeaders: [String: String] = [:]
    }

    static func cases() -> [String: Case] {
        var keys = CredentialFactory(seed: 13)
        return [
            "openai": Case(provider: "openai", key: keys.openAIProjectKey(), path: "/openai/v1/models", header: "authorization", scheme: "Bearer ",
                           activeBody: #"{"object":"list","data":[{"id":"gpt-4o","object":"model"},{"id":"gpt-4o-mini","object":"model"}]}"#,
                           activeHeaders: ["openai-organization": "org-test"]),
            "anthropic": Case(provider: "anthropic", key: keys.anthropicAPIKey(), path: "/anthropic/v1/models", header: "x-api-key", scheme: "",
                              activeBody: #"{"data":[{"id":"claude-test","type":"model"}],"has_more":false}"#),
            "github": Case(provider: "github", key: keys.gitHubToken(), path: "/github/user", header: "authorization", scheme: "Bearer ",
                           activeBody: #"{"login":"octo-test","id":1}"#, activeHeaders: ["X-OAuth-Scopes": "repo, read:org"]),
            "huggingface": Case(provider: "huggingface", key: keys.huggingFaceToken(), path: "/hf/api/whoami-v2", header: "authorization", scheme: "Bearer ",
                                activeBody: #"{"type":"user","name":"hf-test","auth":{"type":"access_token","accessToken":{"displayName":"ci","role":"write"}}}"#),
        ]
    }

    func startServer(_ handler: @escaping @Sendable (LocalHTTPServer.Request) -> LocalHTTPServer.Response) throws -> LocalHTTPServer {
        let server = try LocalHTTPServer(handler: handler)
        addTeardownBlock { server.stop() }
        return server
    }

    func configText(_ server: LocalHTTPServer) -> String {
        let base = server.baseURL
        return "endpoints:\n  openai: \(base)/openai\n  anthropic: \(base)/anthropic/\n  github: \(base)/github\n  huggingface: \(base)/hf\n"
    }

    func scan(_ content: String, server: LocalHTTPServer, timeout: TimeInterval = 5) throws -> Register {
        let dir = try temporaryDirectory(self)
        try write(content, to: "app/.env", in: dir)
        var options = ScanOptions(request: ScanRequest(paths: [dir], history: false))
        options.matcher = sharedMatcher
        options.configuration = try KeyLedgerConfig.parse(configText(server), source: "keyledger.yml")
        options.validate = true
        options.validateTimeout = timeout
        options.asOf = ISODate.parse("2026-11-20")!
        options.generatedAt = options.asOf
        return try ScanPipeline.run(options).register
    }

    func envLine(_ c: Case) -> String {
        let name = ["openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "github": "GITHUB_TOKEN", "huggingface": "HF_TOKEN"][c.provider]!
        return "\(name)=\(c.key)\n"
    }

    /// The secret reached the server in the right header (compared by fingerprint).
    func assertRequest(_ request: LocalHTTPServer.Request?, _ c: Case, file: StaticString = #filePath, line: UInt = #line) {
        guard let request else { return XCTFail("no request reached the server", file: file, line: line) }
        XCTAssertEqual(request.method, "GET", file: file, line: line)
        XCTAssertEqual(request.path, c.path, file: file, line: line)
        let value = request.headers[c.header] ?? ""
        XCTAssertTrue(value.hasPrefix(c.scheme), "\(c.header) does not start with `\(c.scheme)`", file: file, line: line)
        XCTAssertEqual(Secret(String(value.dropFirst(c.scheme.count))).fingerprint, Secret(c.key).fingerprint,
                       "\(c.header) does not carry the key \(Secret(c.key).redacted)", file: file, line: line)
        if c.provider == "anthropic" { XCTAssertEqual(request.headers["anthropic-version"], "2023-06-01", file: file, line: line) }
    }

    /// Scans a file holding the provider's key against a server answering `response`; the record and the requests.
    func run(_ provider: String, _ response: LocalHTTPServer.Response, timeout: TimeInterval = 5)
        throws -> (record: CredentialRecord, requests: [LocalHTTPServer.Request], c: Case) {
        let c = Self.cases()[provider]!
        let server = try startServer { _ in response }
        let register = try scan(envLine(c), server: server, timeout: timeout)
        let record = try XCTUnwrap(register.credential(for: c.key), "\(provider) key not found")
        let json = String(decoding: try JSONEncoder().encode(register), as: UTF8.self)
        assertNoPlaintext(json, [c.key], "the register")
        return (record, server.requests, c)
    }

    func checkActive(_ provider: String) throws -> CredentialRecord {
        let c = Self.cases()[provider]!
        let (record, requests, _) = try run(provider, .init(status: 200, headers: c.activeHeaders, body: c.activeBody))
        XCTAssertEqual(requests.count, 1)
        assertRequest(requests.first, c)
        let validation = try XCTUnwrap(record.validation)
        XCTAssertEqual(validation.status, .active)
        XCTAssertEqual(validation.checkedAt.count, 20, validation.checkedAt)
        XCTAssertTrue(validation.detail.hasPrefix("HTTP 200"), validation.detail)
        let factor = record.risk.factors.first { $0.id == "validation.active" }
        XCTAssertEqual(factor?.points, 10)
        return record
    }

    func checkRevoked(_ provider: String, status: Int) throws {
        let (record, requests, c) = try run(provider, .init(status: status, body: #"{"error":{"message":"invalid key"}}"#))
        XCTAssertEqual(requests.count, 1, "a \(status) is never retried")
        assertRequest(requests.first, c)
        XCTAssertEqual(record.validation?.status, .revoked)
        XCTAssertTrue(record.validation?.detail.contains("HTTP \(status)") ?? false)
        let factor = try XCTUnwrap(record.risk.factors.first { $0.id == "validation.revoked" })
        // The key was in the work tree (exposure, no owner …: above low); the refusal takes the score to the top of low.
        XCTAssertLessThan(factor.points, 0)
        XCTAssertEqual(record.risk.score, RiskModel.revokedScoreCeiling)
        XCTAssertEqual(record.risk.severity, .low)
        XCTAssertTrue(factor.reason.hasPrefix("refused by the provider on 20"), factor.reason)
        XCTAssertTrue(factor.reason.hasSuffix("still a finding until history is cleaned or accepted"), factor.reason)
        XCTAssertFalse(record.treatment.contains { $0.action == .rotate }, "a dead key is not rotated")
        XCTAssertEqual(record.status, .open, "a revoked key is still a finding")
    }

    func checkError(_ provider: String) throws {
        let (record, requests, c) = try run(provider, .init(status: 404, body: "not here"))
        assertRequest(requests.first, c)
        XCTAssertEqual(record.validation?.status, .error)
        XCTAssertTrue(record.validation?.detail.contains("HTTP 404") ?? false)
        XCTAssertFalse(record.risk.factors.contains { $0.id.hasPrefix("validation.") })
    }

    func testOpenAIActive() throws {
        let record = try checkActive("openai")
        XCTAssertEqual(record.identity.account, "org-test")
        XCTAssertTrue(record.validation!.detail.contains("2 models"), record.validation!.detail)
    }
    func testOpenAIRevoked() throws { try checkRevoked("openai", status: 401) }
    func testOpenAIError() throws { try checkError("openai") }

    func testAnthropicActive() throws { _ = try checkActive("anthropic") }
    func testAnthropicRevoked() throws { try checkRevoked("anthropic", status: 403) }
    func testAnthropicError() throws { try checkError("anthropic") }

    func testGitHubActive() throws {
        let record = try checkActive("github")
        XCTAssertEqual(record.identity.principal, "octo-test")
        XCTAssertEqual(record.privilege.level, .write)
        XCTAssertEqual(record.privilege.scopes, ["repo", "read:org"])
    }
    func testGitHubRevoked() throws { try checkRevoked("github", status: 401) }
    func testGitHubError() throws { try checkError("github") }

    func testHuggingFaceActive() throws {
        let record = try checkActive("huggingface")
        XCTAssertEqual(record.identity.principal, "hf-test")
        XCTAssertEqual(record.privilege.level, .write)
    }
    func testHuggingFaceRevoked() throws { try checkRevoked("huggingface", status: 401) }
    func testHuggingFaceError() throws { try checkError("huggingface") }

    func testServerErrorAndRateLimitAreUnknown() throws {
        XCTAssertEqual(try run("openai", .init(status: 503)).record.validation?.status, .unknown)
        XCTAssertEqual(try run("github", .init(status: 429, headers: ["Retry-After": "30"])).record.validation?.status, .unknown)
    }

    /// A 429 asking for a short wait (`Retry-After: 1`) holds the provider's calls that long, then the call is made once
    /// more; without a usable `Retry-After`, or asking longer than the stage waits (10 s), the key stays unknown after one call.
    func testRateLimitWithShortRetryAfterIsAskedOnceMore() throws {
        final class Count: @unchecked Sendable { let lock = NSLock(); var times: [Date] = []
            func add() -> Int { lock.lock(); defer { lock.unlock() }; times.append(Date()); return times.count } }
        let count = Count()
        let c = Self.cases()["openai"]!
        let server = try startServer { _ in
            count.add() == 1 ? .init(status: 429, headers: ["Retry-After": "1"], body: #"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#)
                : .init(status: 200, headers: c.activeHeaders, body: c.activeBody)
        }
        let register = try scan(envLine(c), server: server)
        XCTAssertEqual(register.credential(for: c.key)?.validation?.status, .active)
        XCTAssertEqual(server.requests.count, 2)
        XCTAssertGreaterThanOrEqual(count.times[1].timeIntervalSince(count.times[0]), 0.95, "Retry-After was not honoured")

        for headers in [[:], ["Retry-After": "120"], ["Retry-After": "soon"]] {
            let once = try run("openai", .init(status: 429, headers: headers))
            XCTAssertEqual(once.requests.count, 1, "\(headers)")
            XCTAssertEqual(once.record.validation?.status, .unknown)
            XCTAssertTrue(once.record.validation?.detail.contains("rate limited") ?? false)
        }
    }

    /// One provider's calls start at most ten a second (the stage's default), across its threads: eleven keys take a
    /// second at least, however fast the provider answers.
    func testCallsToOneProviderArePaced() throws {
        final class Times: @unchecked Sendable { let lock = NSLock(); var all: [Date] = []
            func add() { lock.lock(); all.append(Date()); lock.unlock() } }
        let times = Times()
        let server = try startServer { _ in times.add(); return .init(status: 401) }
        var keys = CredentialFactory(seed: 6)
        let secrets = (0..<11).map { _ in keys.openAIProjectKey() }
        _ = try scan(secrets.enumerated().map { "KEY_\($0.offset)=\($0.element)\n" }.joined(), server: server)
        XCTAssertEqual(times.all.count, 11)
        let sorted = times.all.sorted()
        XCTAssertGreaterThanOrEqual(sorted.last!.timeIntervalSince(sorted.first!), 0.95)
    }

    /// A login made of the key's two halves (each too short for the sanitiser's nets) is dropped, not shown.
    func testAnAnswerEchoingTheKeyInPiecesIsDropped() throws {
        let c = Self.cases()["github"]!
        let a = String(c.key.prefix(c.key.count / 2)), b = String(c.key.dropFirst(c.key.count / 2))
        let (record, _, _) = try run("github", .init(status: 200, headers: ["X-OAuth-Scopes": "repo, \(b)"], body: #"{"login":"\#(a) \#(b)"}"#))
        XCTAssertEqual(record.validation?.status, .active)
        XCTAssertNil(record.identity.principal)
        XCTAssertEqual(record.privilege.scopes, ["repo"], "a scope echoing the key is dropped, the others kept")
        let text = (record.validation?.detail ?? "") + " " + record.privilege.scopes.joined(separator: " ")
        XCTAssertFalse(text.contains(a) || text.contains(b), "a piece of the key reached the register")
    }

    /// An answer past the transport's limit is cut off, not held in memory: the call fails with a fixed phrase.
    func testAnAnswerTooLargeIsRefused() throws {
        let server = try startServer { _ in .init(status: 200, body: String(repeating: "A", count: 3 << 20)) }
        let small = URLSessionTransport(maxBodyBytes: 1 << 20)
        guard case .failed(let reason) = small.send(HTTPRequest(url: URL(string: server.baseURL + "/big")!), timeout: 10) else {
            return XCTFail("a 3 MiB answer was taken whole past a 1 MiB limit")
        }
        XCTAssertEqual(reason, "answer too large (over 1 MiB)")
        guard case .answer(let answer) = URLSessionTransport().send(HTTPRequest(url: URL(string: server.baseURL + "/big")!), timeout: 10) else {
            return XCTFail("the default limit refused a 3 MiB page")
        }
        XCTAssertEqual(answer.body.count, 3 << 20)
    }

    /// A keyledger.yml picked up from the working directory (a checkout's own, here next to the scanned folder) cannot
    /// choose where keys go: its `endpoints:` are ignored for --validate (with a warning), so the key goes to the
    /// official host — here no request reaches the checkout's "gateway". Named with --config, the same file is used.
    func testTheCheckoutsOwnKeyledgerYmlCannotRedirectKeys() throws {
        let c = Self.cases()["openai"]!
        let gateway = try startServer { _ in .init(status: 200, body: #"{"data":[]}"#) }
        let repo = try temporaryDirectory(self)
        try write(envLine(c), to: "app/.env", in: repo)
        try write("endpoints:\n  openai: \(gateway.baseURL)/attacker\n", to: "keyledger.yml", in: repo)
        // An unreachable official host stands in for the internet: the call fails fast, and nothing reaches the gateway.
        let implicit = try runKeyledger(["scan", "app", "--no-history", "--validate", "--validate-timeout", "2", "--format", "json"], cwd: repo,
                                        environment: ["https_proxy": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"])
        XCTAssertEqual(gateway.requests.count, 0, "the checkout's keyledger.yml sent the key to its own host")
        XCTAssertTrue(implicit.stderr.contains("endpoints: in ./keyledger.yml is ignored for --validate"), implicit.stderr)
        assertNoPlaintext(implicit.stdout + implicit.stderr, [c.key], "the output")

        let named = try runKeyledger(["scan", "app", "--no-history", "--validate", "--config", "keyledger.yml", "--format", "json"], cwd: repo)
        XCTAssertEqual(gateway.requests.map(\.route), ["/attacker/v1/models"], "a file named with --config is the user's own")
        XCTAssertFalse(named.stderr.contains("is ignored for --validate"))
    }

    func testGitHubScopesToPrivilege() {
        XCTAssertEqual(GitHubValidator.level(scopes: ["admin:org", "repo"]), .admin)
        XCTAssertEqual(GitHubValidator.level(scopes: ["workflow"]), .write)
        XCTAssertEqual(GitHubValidator.level(scopes: ["read:user", "user:email"]), .read)
        XCTAssertEqual(GitHubValidator.level(scopes: []), .read)
    }

    func testTimeout() throws {
        let start = Date()
        let (record, _, _) = try run("openai", .init(status: 200, body: "{}", delay: 4), timeout: 1)
        XCTAssertEqual(record.validation?.status, .unknown)
        XCTAssertTrue(record.validation?.detail.contains("within 1s") ?? false, record.validation?.detail ?? "")
        XCTAssertLessThan(Date().timeIntervalSince(start), 3.9, "the call did not stop at its timeout")
        XCTAssertFalse(record.risk.factors.contains { $0.id.hasPrefix("validation.") })
    }

    /// Only the configured endpoint is contacted: a redirect is not followed, keys of providers without a validator
    /// and kinds the call cannot check (GitHub installation tokens) are sent nowhere.
    func testOnlyTheConfiguredHostIsContacted() throws {
        let elsewhere = try startServer { _ in .init(status: 200, body: "{}") }
        let redirect = "\(elsewhere.baseURL)/openai/v1/models"
        let server = try startServer { _ in .init(status: 302, headers: ["Location": redirect]) }
        var keys = CredentialFactory(seed: 77)
        let openai = keys.openAIProjectKey(), installation = keys.gitHubToken(prefix: "ghs"), other = keys.perplexityKey()
        let register = try scan("OPENAI_API_KEY=\(openai)\nGITHUB_APP_TOKEN=\(installation)\nPERPLEXITY_API_KEY=\(other)\n", server: server)
        XCTAssertEqual(elsewhere.requests.count, 0, "the redirect was followed: the secret left the configured host")
        XCTAssertEqual(server.requests.map(\.path), ["/openai/v1/models"])
        let record = try XCTUnwrap(register.credential(for: openai))
        XCTAssertEqual(record.validation?.status, .error)
        XCTAssertTrue(record.validation?.detail.contains("redirect not followed") ?? false)
        XCTAssertNotNil(register.credential(for: installation), "the installation token was found")
        XCTAssertNil(register.credential(for: installation)?.validation)
        XCTAssertNotNil(register.credential(for: other), "the perplexity key was found")
        XCTAssertNil(register.credential(for: other)?.validation)
    }

    /// At most `concurrencyPerProvider` (4) calls to one provider at a time.
    func testPerProviderConcurrencyLimit() throws {
        final class Gauge: @unchecked Sendable {
            let lock = NSLock(); var now = 0; var peak = 0
            func enter() { lock.lock(); now += 1; peak = max(peak, now); lock.unlock() }
            func leave() { lock.lock(); now -= 1; lock.unlock() }
        }
        let gauge = Gauge()
        let server = try startServer { _ in
            gauge.enter(); Thread.sleep(forTimeInterval: 0.3); gauge.leave()
            return .init(status: 401)
        }
        var keys = CredentialFactory(seed: 5)
        let secrets = (0..<9).map { _ in keys.openAIProjectKey() }
        let register = try scan(secrets.enumerated().map { "KEY_\($0.offset)=\($0.element)\n" }.joined(), server: server)
        XCTAssertEqual(server.requests.count, 9)
        let statuses = secrets.map { register.credential(for: $0)?.validation?.status }
        XCTAssertEqual(statuses, Array(repeating: .revoked, count: 9), "\(secrets.map { register.credential(for: $0)?.validation?.detail ?? "-" })")
        XCTAssertLessThanOrEqual(gauge.peak, 4)
        XCTAssertGreaterThanOrEqual(gauge.peak, 2, "calls to one provider ran one at a time")
    }

    func testEndpointsSection() throws {
        let config = try KeyLedgerConfig.parse("endpoints:\n  openai: https://gateway.example/openai/\n  github: http://localhost:8080\n", source: "k.yml")
        XCTAssertEqual(config.endpoints.base(for: "openai")?.absoluteString, "https://gateway.example/openai")
        XCTAssertEqual(config.endpoints.base(for: "github")?.absoluteString, "http://localhost:8080")
        XCTAssertEqual(config.endpoints.base(for: "anthropic")?.absoluteString, "https://api.anthropic.com")
        for (text, line, words) in [("owners: []\nendpoints:\n  openai: http://gateway.example\n", 3, "https"),
                                    ("endpoints:\n  openai: https://user:pw@gateway.example\n", 2, "credentials"),
                                    ("endpoints:\n  openai: https://gateway.example/?key=1\n", 2, "query"),
                                    ("endpoints:\n\n  opena: https://gateway.example\n", 3, "unknown endpoint provider"),
                                    ("endpoints: https://x\n", 1, "must map")] {
            XCTAssertThrowsError(try KeyLedgerConfig.parse(text, source: "k.yml")) { error in
                let e = error as? KeyLedgerConfig.ConfigError
                XCTAssertEqual(e?.line, line, "\(error)")
                XCTAssertTrue("\(error)".contains(words), "\(error)")
            }
        }
    }

    /// The command as a user runs it: the register and stderr hold no secret, even when an answer echoes one.
    func testNoSecretInRegisterOrStderr() throws {
        let cases = Self.cases()
        let echoed = cases["github"]!.key
        let server = try startServer { request in
            if request.path.hasPrefix("/github") { return .init(status: 200, body: #"{"login":"\#(echoed)"}"#) }
            if request.path.hasPrefix("/hf") { return .init(status: 401) }
            return .init(status: 200, body: #"{"data":[]}"#)
        }
        let dir = try temporaryDirectory(self)
        try write(cases.values.map(envLine).joined(), to: "app/.env", in: dir)
        try write(configText(server), to: "keyledger.yml", in: dir)
        let result = try runKeyledger(["scan", dir + "/app", "--no-history", "--validate", "--validate-timeout", "3s",
                                       "--config", dir + "/keyledger.yml", "--format", "json"])
        let secrets = cases.values.map(\.key)
        assertNoPlaintext(result.stdout, secrets, "stdout")
        assertNoPlaintext(result.stderr, secrets, "stderr")
        XCTAssertEqual(result.status, 1, scrubbed(result.stderr, secrets))
        let register = try JSONDecoder().decode(Register.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(register.credential(for: cases["github"]!.key)?.validation?.status, .active)
        XCTAssertEqual(register.credential(for: cases["huggingface"]!.key)?.validation?.status, .revoked)
        XCTAssertEqual(register.credential(for: cases["openai"]!.key)?.validation?.status, .active)
        XCTAssertEqual(server.requests.count, 4)
    }

    func testValidateIsNeverStagedAndTimeoutNeedsValidate() throws {
        let staged = try runKeyledger(["scan", "--staged", "--validate"])
        XCTAssertEqual(staged.status, 2, staged.stderr)
        XCTAssertTrue(staged.stderr.contains("--validate is never part of --staged"), staged.stderr)
        let timeout = try runKeyledger(["scan", "--validate-timeout", "3"])
        XCTAssertTrue(timeout.stderr.contains("--validate-timeout needs --validate"), timeout.stderr)
        XCTAssertNotEqual(timeout.status, 0)
    }
}
