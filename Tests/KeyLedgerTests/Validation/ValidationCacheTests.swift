import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// `scan --validate --db`: lasting answers (active, revoked) are kept in the history store and reused while younger than
/// `validation: cache_for:` (`--validate-cache`); unknown and error answers are asked again. The provider is the local
/// test server, reached through keyledger.yml's `endpoints:` as a gateway would be.
///
/// The answers follow the providers' documented responses: GitHub `GET /user` 200 (docs.github.com "Get the
/// authenticated user": `{"login": "octocat", "id": 1, …}`, scopes in `X-OAuth-Scopes`); OpenAI 401 for a bad key
/// (platform.openai.com error codes: `{"error": {"message": …, "type": "invalid_request_error", "code":
/// "invalid_api_key"}}`); Anthropic 529 `overloaded_error` (docs.anthropic.com "Errors":
/// `{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}`); a Hugging Face 404 stands for
/// an answer no validator expects.
final class ValidationCacheTests: XCTestCase {
    struct Keys {
        var github: String, openai: String, anthropic: String, huggingface: String
        var all: [String] { [github, openai, anthropic, huggingface] }
        var env: String {
            "GITHUB_TOKEN=\(github)\nOPENAI_API_KEY=\(openai)\nANTHROPIC_API_KEY=\(anthropic)\nHF_TOKEN=\(huggingface)\n"
        }
    }

    static func keys(seed: UInt64 = 41) -> Keys {
        var f = CredentialFactory(seed: seed)
        return Keys(github: f.gitHubToken(), openai: f.openAIProjectKey(), anthropic: f.anthropicAPIKey(), huggingface: f.huggingFaceToken())
    }

    /// One answer per provider: GitHub active, OpenAI revoked, Anthropic overloaded (unknown), Hugging Face 404 (error).
    static func provider(_ request: LocalHTTPServer.Request) -> LocalHTTPServer.Response {
        if request.path.hasPrefix("/github") {
            return .init(status: 200, headers: ["X-OAuth-Scopes": "repo, read:org"], body: #"{"login":"octo-cache","id":1,"type":"User"}"#)
        }
        if request.path.hasPrefix("/openai") {
            return .init(status: 401, body: #"{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#)
        }
        if request.path.hasPrefix("/anthropic") {
            return .init(status: 529, body: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        }
        return .init(status: 404, body: #"{"error":"Not Found"}"#)
    }

    func startServer(_ handler: @escaping @Sendable (LocalHTTPServer.Request) -> LocalHTTPServer.Response = provider) throws -> LocalHTTPServer {
        let server = try LocalHTTPServer(handler: handler)
        addTeardownBlock { server.stop() }
        return server
    }

    func configText(_ server: LocalHTTPServer, extra: String = "") -> String {
        let base = server.baseURL
        return "endpoints:\n  openai: \(base)/openai\n  anthropic: \(base)/anthropic\n  github: \(base)/github\n  huggingface: \(base)/hf\n" + extra
    }

    /// One `scan --validate --db` of a folder holding `keys`, as of `asOf`.
    func scan(_ dir: String, server: LocalHTTPServer, asOf: Date, extraConfig: String = "", window: TimeInterval? = nil) throws -> Register {
        var options = ScanOptions(request: ScanRequest(paths: [dir + "/app"], history: false))
        options.matcher = sharedMatcher
        options.configuration = try KeyLedgerConfig.parse(configText(server, extra: extraConfig), source: "keyledger.yml")
        options.validate = true
        options.validateTimeout = 3
        options.validationCacheWindow = window
        options.storePath = dir + "/history.sqlite"
        options.asOf = asOf
        options.generatedAt = asOf
        return try ScanPipeline.run(options).register
    }

    func folder(_ keys: Keys) throws -> String {
        let dir = try temporaryDirectory(self)
        try write(keys.env, to: "app/.env", in: dir)
        return dir
    }

    func routes(_ server: LocalHTTPServer) -> [String] { server.requests.map(\.route).sorted() }

    func testASecondScanWithinTheWindowAsksOnlyWhatWasNotLasting() throws {
        let keys = Self.keys()
        let server = try startServer()
        let dir = try folder(keys)
        let now = Date()

        let first = try scan(dir, server: server, asOf: now)
        XCTAssertEqual(routes(server), ["/anthropic/v1/models", "/github/user", "/hf/api/whoami-v2", "/openai/v1/models"])
        let github = try XCTUnwrap(first.credential(for: keys.github)?.validation)
        XCTAssertEqual(github.status, .active)
        XCTAssertNil(github.cached, "asked this run")
        XCTAssertEqual(first.credential(for: keys.openai)?.validation?.status, .revoked)
        XCTAssertEqual(first.credential(for: keys.anthropic)?.validation?.status, .unknown)
        XCTAssertEqual(first.credential(for: keys.huggingface)?.validation?.status, .error)

        // An hour later: GitHub and OpenAI answers are reused, Anthropic and Hugging Face are asked again.
        let second = try scan(dir, server: server, asOf: now.addingTimeInterval(3_600))
        XCTAssertEqual(server.requests.count, 6)
        XCTAssertEqual(Array(server.requests.dropFirst(4).map(\.route)).sorted(), ["/anthropic/v1/models", "/hf/api/whoami-v2"])
        let reused = try XCTUnwrap(second.credential(for: keys.github))
        XCTAssertEqual(reused.validation?.status, .active)
        XCTAssertEqual(reused.validation?.cached, true)
        XCTAssertEqual(reused.validation?.checkedAt, github.checkedAt, "a reused answer keeps when it was given")
        XCTAssertEqual(reused.validation?.detail, github.detail)
        // What the answer told about the identity comes back with it, as the call would have given it.
        XCTAssertEqual(reused.identity.principal, "octo-cache")
        XCTAssertEqual(reused.privilege.level, .write)
        XCTAssertEqual(reused.privilege.scopes, ["repo", "read:org"])
        XCTAssertEqual(reused.risk.factors.first { $0.id == "validation.active" }?.points, 10)
        let revoked = try XCTUnwrap(second.credential(for: keys.openai))
        XCTAssertEqual(revoked.validation?.status, .revoked)
        XCTAssertEqual(revoked.validation?.cached, true)
        XCTAssertNotNil(revoked.risk.factors.first { $0.id == "validation.revoked" })
        XCTAssertNil(second.credential(for: keys.anthropic)?.validation?.cached)
        XCTAssertEqual(second.credential(for: keys.anthropic)?.validation?.status, .unknown)

        // The register JSON says so, and the risk is the same as when asked.
        let json = String(decoding: try JSONEncoder().encode(second), as: UTF8.self)
        XCTAssertTrue(json.contains(#""cached":true"#))
        XCTAssertEqual(reused.risk.score, first.credential(for: keys.github)?.risk.score)

        // The store keeps only the lasting answers, by fingerprint.
        let store = try HistoryStore.open(path: dir + "/history.sqlite")
        defer { store.close() }
        let kept = try store.storedValidations()
        XCTAssertEqual(Set(kept.keys), [Secret(keys.github).fingerprint, Secret(keys.openai).fingerprint])
        XCTAssertEqual(kept[Secret(keys.github).fingerprint]?.principal, "octo-cache")
        XCTAssertEqual(try store.scans().count, 2)
    }

    func testAnAnswerOlderThanTheWindowIsAskedAgain() throws {
        let keys = Self.keys(seed: 42)
        let server = try startServer()
        let dir = try folder(keys)
        let now = Date()
        _ = try scan(dir, server: server, asOf: now)
        XCTAssertEqual(server.requests.count, 4)

        // Two days on, past the default day: the key that worked is asked again (not marked cached), the refusal is
        // kept for its own 30 days, unknown and error are asked as always.
        let later = try scan(dir, server: server, asOf: now.addingTimeInterval(2 * 86_400))
        XCTAssertEqual(server.requests.count, 7)
        XCTAssertNil(later.credential(for: keys.github)?.validation?.cached)
        XCTAssertEqual(later.credential(for: keys.openai)?.validation?.cached, true)
        XCTAssertEqual(later.credential(for: keys.openai)?.validation?.status, .revoked)

        // keyledger.yml `validation: cache_for: 7d` keeps the "works" answer for a week…
        _ = try scan(dir, server: server, asOf: now.addingTimeInterval(3 * 86_400), extraConfig: "validation:\n  cache_for: 7d\n")
        XCTAssertEqual(server.requests.count, 9, "only the unknown and error answers were asked again")
        // …`--validate-cache 0` always asks about every key, refused ones too…
        _ = try scan(dir, server: server, asOf: now.addingTimeInterval(3 * 86_400), extraConfig: "validation:\n  cache_for: 7d\n", window: 0)
        XCTAssertEqual(server.requests.count, 13)
        // …a week past the latest answer the key that worked is asked again, the refusal (8 days old) is not…
        let weekOn = try scan(dir, server: server, asOf: now.addingTimeInterval(11 * 86_400), extraConfig: "validation:\n  cache_for: 7d\n")
        XCTAssertEqual(server.requests.count, 16)
        XCTAssertNil(weekOn.credential(for: keys.github)?.validation?.cached)
        XCTAssertEqual(weekOn.credential(for: keys.openai)?.validation?.cached, true)
        // …and past 30 days the refusal is asked again too.
        let monthOn = try scan(dir, server: server, asOf: now.addingTimeInterval(34 * 86_400))
        XCTAssertEqual(server.requests.count, 20)
        XCTAssertNil(monthOn.credential(for: keys.openai)?.validation?.cached)

        // `revoked_cache_for: 2d` (a fresh store; answers are stamped when the provider was asked, ages measured to
        // `--as-of`): a day and a half on the refusal is reused, the "works" answer is not; two and a half days on
        // both are asked again.
        let fresh = try folder(keys)
        let shortRefusal = "validation:\n  revoked_cache_for: 2d\n"
        let before = server.requests.count
        _ = try scan(fresh, server: server, asOf: now, extraConfig: shortRefusal)
        XCTAssertEqual(server.requests.count - before, 4)
        let dayAndHalf = try scan(fresh, server: server, asOf: now.addingTimeInterval(36 * 3_600), extraConfig: shortRefusal)
        XCTAssertEqual(server.requests.count - before, 7)
        XCTAssertEqual(dayAndHalf.credential(for: keys.openai)?.validation?.cached, true)
        let refusalExpired = try scan(fresh, server: server, asOf: now.addingTimeInterval(60 * 3_600), extraConfig: shortRefusal)
        XCTAssertEqual(server.requests.count - before, 11)
        XCTAssertNil(refusalExpired.credential(for: keys.openai)?.validation?.cached)
    }

    func testUnknownAndErrorAreNeverKept() throws {
        let keys = Self.keys(seed: 43)
        // Every provider overloaded or answering what no validator expects.
        let server = try startServer { request in
            request.path.hasPrefix("/github") ? .init(status: 503) : request.path.hasPrefix("/openai") ? .init(status: 429) : .init(status: 404)
        }
        let dir = try folder(keys)
        let now = Date()
        _ = try scan(dir, server: server, asOf: now)
        let again = try scan(dir, server: server, asOf: now.addingTimeInterval(60))
        XCTAssertEqual(server.requests.count, 8, "nothing was reused")
        XCTAssertEqual(again.credential(for: keys.github)?.validation?.status, .unknown)
        XCTAssertEqual(again.credential(for: keys.openai)?.validation?.status, .unknown)
        XCTAssertEqual(again.credential(for: keys.huggingface)?.validation?.status, .error)
        let store = try HistoryStore.open(path: dir + "/history.sqlite")
        defer { store.close() }
        XCTAssertEqual(try store.connection.query("SELECT COUNT(*) AS n FROM validations").first?.int("n"), 0)
    }

    /// An answer that echoes a secret (here: a GitHub login that is another found key) reaches neither the register
    /// nor the store's bytes; the reused answer is as clean.
    func testTheStoreKeepsNoSecretAnAnswerEchoes() throws {
        let keys = Self.keys(seed: 44)
        let echoed = keys.openai
        let server = try startServer { request in
            request.path.hasPrefix("/github")
                ? .init(status: 200, headers: ["X-OAuth-Scopes": "repo, \(echoed)"], body: #"{"login":"\#(echoed)","id":1}"#)
                : .init(status: 401, body: #"{"message":"Bad credentials \#(echoed)"}"#)
        }
        let dir = try folder(keys)
        let now = Date()
        _ = try scan(dir, server: server, asOf: now)
        let second = try scan(dir, server: server, asOf: now.addingTimeInterval(60))
        XCTAssertEqual(second.credential(for: keys.github)?.validation?.cached, true)
        assertNoPlaintext(String(decoding: try JSONEncoder().encode(second), as: UTF8.self), keys.all, "the register")
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: dir + "/history.sqlite" + suffix) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/history.sqlite" + suffix))
            assertNoPlaintext(String(decoding: bytes, as: UTF8.self), keys.all, "store bytes\(suffix)")
        }
        let store = try HistoryStore.open(path: dir + "/history.sqlite")
        defer { store.close() }
        XCTAssertEqual(try store.storedValidations().count, 4, "active and revoked answers are kept")
    }

    /// Two scans recording at once: the newer answer stays, whichever commits last.
    func testTheNewerAnswerWins() throws {
        let dir = try temporaryDirectory(self)
        let store = try HistoryStore.open(path: dir + "/h.sqlite")
        defer { store.close() }
        let fingerprint = Secret(Self.keys(seed: 45).github).fingerprint
        func answer(_ status: ValidationStatus, _ at: String) -> StoredValidation {
            StoredValidation(fingerprint: fingerprint, provider: "github", rule: "github.pat",
                             validation: CredentialValidation(status: status, checkedAt: at, detail: "HTTP"))
        }
        let register = HistoryStoreCrashTests.largeRegister(count: 1, asOf: "2026-11-20")
        try store.record(register, validations: [answer(.revoked, "2026-11-20T10:00:00Z")])
        try store.record(register, validations: [answer(.active, "2026-11-19T10:00:00Z"), answer(.unknown, "2026-11-21T10:00:00Z")])
        let kept = try XCTUnwrap(try store.storedValidations()[fingerprint])
        XCTAssertEqual(kept.validation.status, .revoked)
        XCTAssertEqual(kept.validation.checkedAt, "2026-11-20T10:00:00Z")
    }

    func testCacheForInKeyledgerYml() throws {
        XCTAssertEqual(try KeyLedgerConfig.parse("validation:\n  cache_for: 7d\n", source: "k.yml").validationCache.window, 7 * 86_400)
        XCTAssertEqual(try KeyLedgerConfig.parse("validation:\n  cache_for: 12h\n", source: "k.yml").validationCache.window, 12 * 3_600)
        XCTAssertEqual(try KeyLedgerConfig.parse("validation:\n  cache_for: 2w\n", source: "k.yml").validationCache.window, 14 * 86_400)
        XCTAssertEqual(try KeyLedgerConfig.parse("validation:\n  cache_for: 0\n", source: "k.yml").validationCache.window, 0)
        XCTAssertEqual(try KeyLedgerConfig.parse("owners: []\n", source: "k.yml").validationCache.window, ValidationCachePolicy.defaultWindow)
        XCTAssertEqual(try KeyLedgerConfig.parse("owners: []\n", source: "k.yml").validationCache.revokedWindow, 30 * 86_400)
        XCTAssertEqual(try KeyLedgerConfig.parse("validation:\n  revoked_cache_for: 8w\n", source: "k.yml").validationCache.revokedWindow, 56 * 86_400)
        // A refusal is kept at least as long as a "works" answer, and `cache_for: 0` asks about every key.
        XCTAssertEqual(try KeyLedgerConfig.parse("validation:\n  cache_for: 7d\n  revoked_cache_for: 2d\n", source: "k.yml").validationCache.revokedWindow, 7 * 86_400)
        XCTAssertEqual(try KeyLedgerConfig.parse("validation:\n  cache_for: 0\n", source: "k.yml").validationCache.revokedWindow, 0)
        let planted = Self.keys(seed: 46).openai
        for (text, line, words) in [("validation:\n  cache_for: 400d\n", 2, "up to 366d"),
                                    ("validation:\n  cache_for: soon\n", 2, "`cache_for` must be 0 (always ask) or a duration"),
                                    ("validation:\n  cache_for: \(planted)\n", 2, "`cache_for` must be"),
                                    ("owners: []\nvalidation:\n  cache: 1d\n", 3, "unknown validation setting `cache` (expected cache_for, revoked_cache_for)"),
                                    ("validation: 1d\n", 1, "`validation` must be a mapping")] {
            XCTAssertThrowsError(try KeyLedgerConfig.parse(text, source: "k.yml")) { error in
                let e = error as? KeyLedgerConfig.ConfigError
                XCTAssertEqual(e?.line, line, "\(error)")
                XCTAssertTrue("\(error)".contains(words), "\(error)")
                assertNoPlaintext("\(error)", [planted], "the config error")
            }
        }
        XCTAssertEqual(ValidationCachePolicy.text(86_400), "1d")
        XCTAssertEqual(ValidationCachePolicy.text(14 * 86_400), "2w")
        XCTAssertEqual(ValidationCachePolicy.text(36 * 3_600), "36h")
    }

    func testValidateCacheFlag() throws {
        let noValidate = try runKeyledger(["scan", "--validate-cache", "1d", "--db", "x.sqlite"])
        XCTAssertEqual(noValidate.status, 2, noValidate.stderr)
        XCTAssertTrue(noValidate.stderr.contains("--validate-cache needs --validate"), noValidate.stderr)
        let noDB = try runKeyledger(["scan", "--validate", "--validate-cache", "1d"])
        XCTAssertTrue(noDB.stderr.contains("--validate-cache needs --db"), noDB.stderr)
        let planted = Self.keys(seed: 47).github
        let bad = try runKeyledger(["scan", "--validate", "--db", "x.sqlite", "--validate-cache", planted])
        XCTAssertEqual(bad.status, 2, scrubbed(bad.stderr, [planted]))
        XCTAssertTrue(bad.stderr.contains("--validate-cache must be 0 (always ask) or a duration"), scrubbed(bad.stderr, [planted]))
        assertNoPlaintext(bad.stderr, [planted], "stderr")
    }

    /// The command as a user runs it: `--validate-cache 0` asks every time, the default reuses within a day.
    func testTheCommandLineReusesAndRefreshes() throws {
        let keys = Self.keys(seed: 48)
        let server = try startServer()
        let dir = try folder(keys)
        try write(configText(server), to: "keyledger.yml", in: dir)
        let scan = ["scan", dir + "/app", "--no-history", "--validate", "--config", dir + "/keyledger.yml", "--db", dir + "/h.sqlite",
                    "--format", "json"]
        for (arguments, requests) in [(scan, 4), (scan, 6), (scan + ["--validate-cache", "0"], 10)] {
            let result = try runKeyledger(arguments)
            XCTAssertEqual(result.status, 1, scrubbed(result.stderr, keys.all))
            assertNoPlaintext(result.stdout + result.stderr, keys.all, "scan output")
            XCTAssertEqual(server.requests.count, requests, arguments.joined(separator: " "))
        }
    }
}
