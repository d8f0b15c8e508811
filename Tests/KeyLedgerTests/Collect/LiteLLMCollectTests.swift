import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// `collect litellm` against a local server replaying a LiteLLM proxy's management answers (`/key/list` with
/// `return_full_object=true`, `/team/list`, `/spend/logs/v2`; the `LiteLLM_VerificationToken` and `LiteLLM_SpendLogs`
/// columns of the proxy's schema), for a generated virtual key whose SHA-256 the proxy stores.
final class LiteLLMCollectTests: XCTestCase {
    static let prefix = "proxy"
    var prefix: String { Self.prefix }
    static func route(_ path: String) -> String { "/\(prefix)/\(path)" }
    func route(_ path: String) -> String { Self.route(path) }

    struct Keys { var virtual: String; var other: String; var master: String }

    func makeKeys() -> Keys {
        var f = CredentialFactory()
        return Keys(virtual: "sk-" + f.random(32, from: CredentialFactory.urlSafe), other: "sk-" + f.random(32, from: CredentialFactory.urlSafe),
                    master: "sk-" + f.random(40, from: CredentialFactory.alnum))
    }

    static func spendRow(_ id: String, key: String, spend: Double, prompt: Int, completion: Int, start: String) -> String {
        #"{"request_id":"\#(id)","call_type":"acompletion","api_key":"\#(SHA256.hex(key))","spend":\#(spend),"total_tokens":\#(prompt + completion),"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"startTime":"\#(start)","endTime":"\#(start)","model":"gpt-4o-mini","model_group":"gpt-4o-mini","custom_llm_provider":"openai","user":"","team_id":"team-billing","status":"success","cache_hit":"False"}"#
    }

    /// Keys in two numbered pages (`total_pages` 2), spend logs in two numbered pages; `v2` false answers 404 on
    /// `/spend/logs/v2` (an older proxy) and the rows on `/spend/logs`.
    func replay(_ keys: Keys, v2: Bool = true) throws -> CollectReplay {
        let (virtual, other) = (keys.virtual, keys.other)
        return try CollectReplay(self) { request in
            let json = CollectReplay.json
            let route = LiteLLMCollectTests.route
            let day10 = LiteLLMCollectTests.spendRow("chatcmpl-1", key: virtual, spend: 0.25, prompt: 200, completion: 100, start: "2026-11-10T10:00:00.000Z")
            let day11 = LiteLLMCollectTests.spendRow("chatcmpl-2", key: virtual, spend: 0.5, prompt: 400, completion: 200, start: "2026-11-11T09:30:00.000Z")
            switch request.route {
            case route("key/list"):
                let page = request.values("page").first ?? "1"
                let (token, alias) = page == "1" ? (SHA256.hex(virtual), "billing-bot") : (SHA256.hex(other), "search-bot")
                return json(#"{"keys":[{"token":"\#(token)","key_name":"sk-...\#(alias.suffix(4))","key_alias":"\#(alias)","spend":0.75,"expires":null,"models":["gpt-4o-mini"],"user_id":"ops@example.com","team_id":"team-billing","max_budget":null,"blocked":null,"created_at":"2026-09-01T08:00:00Z","last_active":"2026-11-11T09:30:00Z"}],"total_count":2,"current_page":\#(page),"total_pages":2}"#)
            case route("team/list"):
                return json(#"[{"team_alias":"billing","team_id":"team-billing","organization_id":null,"admins":[],"members":[],"members_with_roles":[{"user_id":"ops@example.com","role":"admin"}],"metadata":{},"tpm_limit":null,"rpm_limit":null,"max_budget":null,"spend":0.75,"models":[],"blocked":false}]"#)
            case route("spend/logs/v2") where v2:
                let page = request.values("page").first ?? "1"
                return json(#"{"data":[\#(page == "1" ? day10 : day11)],"total":2,"page":\#(page),"page_size":1,"total_pages":2}"#)
            case route("spend/logs") where !v2:
                return json("[\(day10),\(day11)]")
            default:
                return CollectReplay.notFound
            }
        }
    }

    func testPagesRetriesAndRoundTripIntoTheRegister() throws {
        let keys = makeKeys()
        let replay = try replay(keys)
        replay.fault(route("team/list"), .init(status: 429, headers: ["Retry-After": "1"], body: #"{"error":{"message":"rate limited"}}"#))
        replay.fault(route("spend/logs/v2"), .init(status: 500, body: #"{"error":{"message":"Internal Server Error"}}"#))
        let out = try temporaryDirectory(self)
        let summary = try CollectFixture.collect(.litellm, adminKey: keys.master, replay: replay, prefix: prefix, out: out)

        XCTAssertTrue(summary.complete, summary.failures.map(\.description).joined(separator: "; "))
        for request in replay.requests { assertCarriesKey(request, header: "authorization", scheme: "Bearer ", key: keys.master) }
        let keyList = replay.requests(route("key/list"))
        XCTAssertEqual(keyList.map { $0.values("page") }, [["1"], ["2"]])
        XCTAssertEqual(keyList.first?.values("return_full_object"), ["true"])
        XCTAssertEqual(keyList.first?.values("size"), ["100"])
        let spend = replay.requests(route("spend/logs/v2"))
        XCTAssertEqual(spend.map { $0.values("page") }, [["1"], ["1"], ["2"]], "500 retried, then page 2")
        XCTAssertEqual(spend.first?.values("start_date"), ["2026-10-21 00:00:00"])
        XCTAssertEqual(spend.first?.values("end_date"), ["2026-11-20 23:59:59"])
        XCTAssertEqual(spend.first?.values("page_size"), ["100"])
        let waits = replay.arrivals(route("team/list"))
        XCTAssertEqual(waits.count, 2)
        if waits.count == 2 { XCTAssertGreaterThanOrEqual(waits[1].timeIntervalSince(waits[0]), 0.95, "Retry-After: 1 was not honoured") }
        XCTAssertEqual(CollectFixture.files(out + "/litellm"), [
            "key-list-page-0001.json", "key-list-page-0002.json", "spend-logs-page-0001.json", "spend-logs-page-0002.json", "team-list-page-0001.json",
        ])

        let outcome = try CollectFixture.scan(envLine: "LITELLM_API_KEY=\(keys.virtual)\n", exports: out, in: self)
        XCTAssertEqual(outcome.register.scan.problems.map { $0.path + ": " + String($0.reason.prefix(60)) }, [], "every collected file reads")
        let record = try XCTUnwrap(outcome.register.credential(for: keys.virtual))
        XCTAssertEqual(record.identity.name, "billing-bot")
        XCTAssertEqual(record.usage.spend30d, 0.75, accuracy: 1e-9, "0.25 + 0.50 from the two spend log pages")
        XCTAssertEqual(record.usage.tokens30d, 900)
        XCTAssertEqual(record.usage.requests30d, 2)
        assertNoPlaintext(summary.lines.joined(separator: "\n"), [keys.master, keys.virtual], "the summary")
    }

    func testAnOlderProxyWithoutSpendLogsV2IsAskedTheSummarizeFalseLogs() throws {
        let keys = makeKeys()
        let replay = try replay(keys, v2: false)
        let out = try temporaryDirectory(self)
        let summary = try CollectFixture.collect(.litellm, adminKey: keys.master, replay: replay, prefix: prefix, out: out)
        XCTAssertTrue(summary.complete, "\(summary.failures)")
        let logs = try XCTUnwrap(replay.requests(route("spend/logs")).first)
        XCTAssertEqual(logs.values("summarize"), ["false"])
        XCTAssertEqual(logs.values("start_date"), ["2026-10-21"])
        XCTAssertEqual(logs.values("end_date"), ["2026-11-21"], "the older endpoint ends at midnight of end_date")
        XCTAssertEqual(summary.endpoints.map(\.path), ["/key/list", "/team/list", "/spend/logs"])
        let outcome = try CollectFixture.scan(envLine: "LITELLM_API_KEY=\(keys.virtual)\n", exports: out, in: self)
        XCTAssertEqual(outcome.register.credential(for: keys.virtual)?.usage.spend30d ?? 0, 0.75, accuracy: 1e-9)
    }

    func testSlowAnswerPastTheTimeoutIsRetriedThenNamedAndTheRestKept() throws {
        let keys = makeKeys()
        let replay = try replay(keys)
        let slow = CollectReplay.Response(status: 200, body: "{}", delay: 3)
        replay.fault(route("team/list"), slow, slow)
        let out = try temporaryDirectory(self)
        var policy = CollectFixture.fastPolicy
        policy.maxAttempts = 2
        policy.timeout = 1
        let summary = try CollectFixture.collect(.litellm, adminKey: keys.master, replay: replay, prefix: prefix, out: out, policy: policy)
        XCTAssertEqual(summary.failures.map(\.path), ["/team/list"])
        XCTAssertEqual(replay.requests(route("team/list")).count, 2)
        let files = CollectFixture.files(out + "/litellm")
        XCTAssertTrue(files.contains("key-list-page-0002.json"), "pages before the failure are kept")
        XCTAssertTrue(files.contains("spend-logs-page-0002.json"), "endpoints after it are still read")
    }

    func testUnauthorizedIsNotRetried() throws {
        let keys = makeKeys()
        let replay = try replay(keys)
        replay.fault(route("key/list"), .init(status: 401, body: #"{"error":{"message":"Authentication Error, Invalid proxy server token passed. Received API Key = \#(keys.master)","type":"auth_error","code":"401"}}"#))
        let out = try temporaryDirectory(self)
        let summary = try CollectFixture.collect(.litellm, adminKey: keys.master, replay: replay, prefix: prefix, out: out)
        XCTAssertEqual(replay.requests.count, 1)
        XCTAssertEqual(summary.failures.map(\.status), [401])
        XCTAssertEqual(CollectFixture.files(out + "/litellm"), [])
        assertNoPlaintext(summary.lines.joined(separator: "\n"), [keys.master], "the summary")
    }

    func testLiteLLMNeedsAnAddress() {
        XCTAssertThrowsError(try CollectProvider.litellm.base(endpoints: ValidationEndpoints(), url: nil)) { error in
            XCTAssertTrue("\(error)".contains("--url"), "\(error)")
        }
        XCTAssertThrowsError(try CollectProvider.litellm.base(endpoints: ValidationEndpoints(), url: "http://proxy.internal:4000"),
                             "plain http only to the loopback host")
        XCTAssertEqual(try CollectProvider.litellm.base(endpoints: ValidationEndpoints(), url: "https://llm-proxy.internal/").absoluteString,
                       "https://llm-proxy.internal")
        XCTAssertEqual(try CollectProvider.openai.base(endpoints: ValidationEndpoints(), url: nil).absoluteString, "https://api.openai.com")
    }
}
