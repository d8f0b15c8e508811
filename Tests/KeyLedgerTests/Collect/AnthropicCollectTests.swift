import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// `collect anthropic` against a local server replaying the shapes of Anthropic's Admin API reference (list API
/// keys, list workspaces, the messages usage report, the cost report), with a generated key's `partial_key_hint`.
final class AnthropicCollectTests: XCTestCase {
    static let prefix = "an"
    var prefix: String { Self.prefix }
    static func route(_ path: String) -> String { "/\(prefix)/v1/organizations/\(path)" }
    func route(_ path: String) -> String { Self.route(path) }

    struct Keys { var api: String; var other: String; var admin: String }

    func makeKeys() -> Keys {
        var f = CredentialFactory()
        return Keys(api: f.anthropicAPIKey(), other: f.anthropicAPIKey(), admin: f.anthropicAdminKey())
    }

    /// API keys in two pages (`after_id` = `last_id`), the usage report in two pages (`page` = `next_page`).
    func replay(_ keys: Keys) throws -> CollectReplay {
        let hint = CollectFixture.anthropicHint(keys.api)
        let otherHint = CollectFixture.anthropicHint(keys.other)
        return try CollectReplay(self) { request in
            let json = CollectReplay.json
            let route = AnthropicCollectTests.route
            switch request.route {
            case route("api_keys"):
                // List API keys: `{"data":[{"id","type":"api_key","partial_key_hint",…}],"has_more","first_id","last_id"}`.
                if request.values("after_id") == ["apikey_01Rj2N8SVvo6BePZj99NhmiT"] {
                    return json(#"{"data":[{"id":"apikey_02Other","type":"api_key","name":"Batch Key","workspace_id":null,"created_at":"2024-10-30T23:58:27.427722Z","created_by":{"id":"user_01WCz1FkmYMm4gnmykNKUu3Q","type":"user"},"partial_key_hint":"\#(otherHint)","status":"active","expires_at":null}],"has_more":false,"first_id":"apikey_02Other","last_id":"apikey_02Other"}"#)
                }
                return json(#"{"data":[{"id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","type":"api_key","name":"Developer Key","workspace_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","created_at":"2024-10-30T23:58:27.427722Z","created_by":{"id":"user_01WCz1FkmYMm4gnmykNKUu3Q","type":"user"},"partial_key_hint":"\#(hint)","status":"active","expires_at":null}],"has_more":true,"first_id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","last_id":"apikey_01Rj2N8SVvo6BePZj99NhmiT"}"#)
            case route("workspaces"):
                // List workspaces: `"type": "workspace"` objects.
                return json(##"{"data":[{"id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","type":"workspace","name":"Workspace Name","created_at":"2024-10-30T23:58:27.427722Z","archived_at":null,"display_color":"#6C5BB9"}],"has_more":false,"first_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","last_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"}"##)
            case route("usage_report/messages"):
                // Messages usage report: daily buckets of token counts grouped by key, workspace and model.
                if request.values("page") == ["page_MjAyNS0wNS0xNFQwMDowMDowMFo="] {
                    return json(#"{"data":[{"starting_at":"2026-11-11T00:00:00Z","ending_at":"2026-11-12T00:00:00Z","results":[{"uncached_input_tokens":3000,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},"cache_read_input_tokens":0,"output_tokens":1000,"server_tool_use":{"web_search_requests":0},"api_key_id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","workspace_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","model":"claude-sonnet-4-20250514","service_tier":"standard","context_window":"0-200k"}]}],"has_more":false,"next_page":null}"#)
                }
                return json(#"{"data":[{"starting_at":"2026-11-10T00:00:00Z","ending_at":"2026-11-11T00:00:00Z","results":[{"uncached_input_tokens":1500,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},"cache_read_input_tokens":0,"output_tokens":500,"server_tool_use":{"web_search_requests":0},"api_key_id":"apikey_01Rj2N8SVvo6BePZj99NhmiT","workspace_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","model":"claude-sonnet-4-20250514","service_tier":"standard","context_window":"0-200k"}]}],"has_more":true,"next_page":"page_MjAyNS0wNS0xNFQwMDowMDowMFo="}"#)
            case route("cost_report"):
                // Cost report: amounts in cents as decimal strings, grouped by workspace and description.
                return json(#"{"data":[{"starting_at":"2026-11-10T00:00:00Z","ending_at":"2026-11-11T00:00:00Z","results":[{"currency":"USD","amount":"123.45","workspace_id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","description":"Claude Sonnet 4 Usage - Input Tokens","cost_type":"tokens","context_window":"0-200k","model":"claude-sonnet-4-20250514","service_tier":"standard","token_type":"uncached_input_tokens"}]}],"has_more":false,"next_page":null}"#)
            default:
                return CollectReplay.notFound
            }
        }
    }

    func testPagesRetriesAndRoundTripIntoTheRegister() throws {
        let keys = makeKeys()
        let replay = try replay(keys)
        replay.fault(route("workspaces"), .init(status: 429, headers: ["Retry-After": "1"], body: #"{"type":"error","error":{"type":"rate_limit_error","message":"Rate limited"}}"#))
        replay.fault(route("usage_report/messages"), .init(status: 529, body: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#))
        let out = try temporaryDirectory(self)
        let summary = try CollectFixture.collect(.anthropic, adminKey: keys.admin, replay: replay, prefix: prefix, out: out)

        XCTAssertTrue(summary.complete, summary.failures.map(\.description).joined(separator: "; "))
        for request in replay.requests {
            assertCarriesKey(request, header: "x-api-key", scheme: "", key: keys.admin)
            XCTAssertEqual(request.headers["anthropic-version"], "2023-06-01")
        }
        XCTAssertEqual(replay.requests(route("api_keys")).map { $0.values("after_id") }, [[], ["apikey_01Rj2N8SVvo6BePZj99NhmiT"]])
        XCTAssertEqual(replay.requests(route("api_keys")).first?.values("limit"), ["1000"])
        let usage = replay.requests(route("usage_report/messages"))
        XCTAssertEqual(usage.map { $0.values("page") }, [[], [], ["page_MjAyNS0wNS0xNFQwMDowMDowMFo="]], "529 retried, then the cursor")
        for request in usage {
            XCTAssertEqual(request.values("starting_at"), ["2026-10-21T00:00:00Z"])
            XCTAssertEqual(request.values("bucket_width"), ["1d"])
            XCTAssertEqual(request.values("limit"), ["31"])
            XCTAssertEqual(request.values("group_by[]"), ["api_key_id", "workspace_id", "model"])
        }
        XCTAssertEqual(replay.requests(route("cost_report")).first?.values("group_by[]"), ["workspace_id", "description"])
        let waits = replay.arrivals(route("workspaces"))
        XCTAssertEqual(waits.count, 2)
        if waits.count == 2 { XCTAssertGreaterThanOrEqual(waits[1].timeIntervalSince(waits[0]), 0.95, "Retry-After: 1 was not honoured") }

        XCTAssertEqual(CollectFixture.files(out + "/anthropic"), [
            "api-keys-page-0001.json", "api-keys-page-0002.json", "cost-report-page-0001.json",
            "usage-report-messages-page-0001.json", "usage-report-messages-page-0002.json", "workspaces-page-0001.json",
        ])
        XCTAssertEqual(summary.pages, 6)
        XCTAssertEqual(summary.rows, 6, "2 keys, 1 workspace, 2 usage rows, 1 cost row")

        let outcome = try CollectFixture.scan(envLine: "ANTHROPIC_API_KEY=\(keys.api)\n", exports: out, in: self)
        XCTAssertEqual(outcome.register.scan.problems.map { $0.path + ": " + String($0.reason.prefix(60)) }, [], "every collected file reads")
        let record = try XCTUnwrap(outcome.register.credential(for: keys.api))
        // The documented key id reaches the register whole (the sanitiser's shape net spares provider object ids).
        XCTAssertEqual(record.identity.keyId, "apikey_01Rj2N8SVvo6BePZj99NhmiT")
        XCTAssertEqual(record.usage.tokens30d, 6000, "2000 + 4000 tokens from the two usage pages")
        XCTAssertGreaterThan(record.usage.spend30d, 0)
        assertNoPlaintext(summary.lines.joined(separator: "\n"), [keys.admin, keys.api], "the summary")
    }

    func testSlowAnswerPastTheTimeoutIsRetriedThenNamedAndTheRestKept() throws {
        let keys = makeKeys()
        let replay = try replay(keys)
        let slow = CollectReplay.Response(status: 200, body: "{}", delay: 3)
        replay.fault(route("cost_report"), slow, slow)
        let out = try temporaryDirectory(self)
        var policy = CollectFixture.fastPolicy
        policy.maxAttempts = 2
        policy.timeout = 1
        let summary = try CollectFixture.collect(.anthropic, adminKey: keys.admin, replay: replay, prefix: prefix, out: out, policy: policy)
        XCTAssertEqual(summary.failures.map(\.path), ["/v1/organizations/cost_report"])
        XCTAssertTrue(summary.failures.first?.reason.hasPrefix("no answer within 1s (gave up after 2 attempts)") ?? false, "\(summary.failures)")
        XCTAssertEqual(replay.requests(route("cost_report")).count, 2)
        XCTAssertTrue(CollectFixture.files(out + "/anthropic").contains("usage-report-messages-page-0002.json"), "the pages before are kept")
    }

    func testUnauthorizedIsNotRetried() throws {
        let keys = makeKeys()
        let replay = try replay(keys)
        replay.fault(route("api_keys"), .init(status: 401, body: #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key \#(keys.admin)"}}"#))
        let out = try temporaryDirectory(self)
        let summary = try CollectFixture.collect(.anthropic, adminKey: keys.admin, replay: replay, prefix: prefix, out: out)
        XCTAssertEqual(replay.requests.count, 1)
        XCTAssertEqual(summary.failures.map(\.status), [401])
        XCTAssertEqual(summary.failures.map(\.path), ["/v1/organizations/api_keys"])
        XCTAssertEqual(CollectFixture.files(out + "/anthropic"), [])
        assertNoPlaintext(summary.lines.joined(separator: "\n"), [keys.admin], "the summary")
    }
}
