import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// `collect openai` against a local server replaying the shapes of OpenAI's API reference (Administration: list
/// projects, project API keys, project service accounts, admin API keys; Usage: completions and the other types;
/// Costs): the example objects of each page, with ids and a redaction of a generated key.
final class OpenAICollectTests: XCTestCase {
    static let prefix = "oa"
    var prefix: String { Self.prefix }
    /// The path the server sees for an organisation endpoint.
    static func route(_ path: String) -> String { "/\(prefix)/v1/organization/\(path)" }
    func route(_ path: String) -> String { Self.route(path) }

    /// A project key found in a scanned file, listed by the replayed API, and the admin key `collect` uses.
    struct Keys { var project: String; var admin: String }

    func makeKeys() -> Keys {
        var f = CredentialFactory()
        return Keys(project: f.openAIProjectKey(), admin: f.openAIAdminKey())
    }

    /// The documented answers. Projects come in two pages (`after` = `last_id`), completions usage in two pages
    /// (`page` = `next_page`); the other usage types answer a bucket with no results.
    func replay(_ keys: Keys) throws -> CollectReplay {
        let redacted = CollectFixture.openAIRedaction(keys.project)
        let adminRedacted = CollectFixture.openAIRedaction(keys.admin)
        let (day10, day11) = (CollectFixture.day10, CollectFixture.day11)
        return try CollectReplay(self) { request in
            let json = CollectReplay.json
            let route = OpenAICollectTests.route
            switch request.route {
            case route("projects"):
                // List projects: `{"object":"list","data":[organization.project…],"first_id","last_id","has_more"}`.
                if request.values("after") == ["proj_alpha"] {
                    return json(#"{"object":"list","data":[{"id":"proj_beta","object":"organization.project","name":"Batch jobs","created_at":1711471533,"archived_at":null,"status":"active"}],"first_id":"proj_beta","last_id":"proj_beta","has_more":false}"#)
                }
                return json(#"{"object":"list","data":[{"id":"proj_alpha","object":"organization.project","name":"Project example","created_at":1711471533,"archived_at":null,"status":"active"}],"first_id":"proj_alpha","last_id":"proj_alpha","has_more":true}"#)
            case route("projects/proj_alpha/api_keys"):
                // List project API keys: `organization.project.api_key` with a nested user owner.
                return json(#"{"object":"list","data":[{"object":"organization.project.api_key","redacted_value":"\#(redacted)","name":"My API Key","created_at":1711471533,"last_used_at":1711471534,"id":"key_alpha1","owner":{"type":"user","user":{"object":"organization.project.user","id":"user_abc","name":"First Last","email":"user@example.com","role":"owner","added_at":1711471533}}}],"first_id":"key_alpha1","last_id":"key_alpha1","has_more":false}"#)
            case route("projects/proj_beta/api_keys"), route("projects/proj_beta/service_accounts"):
                return json(#"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#)
            case route("projects/proj_alpha/service_accounts"):
                // List project service accounts: `organization.project.service_account`.
                return json(#"{"object":"list","data":[{"object":"organization.project.service_account","id":"svc_acct_abc","name":"Service Account","role":"owner","created_at":1711471533}],"first_id":"svc_acct_abc","last_id":"svc_acct_xyz","has_more":false}"#)
            case route("admin_api_keys"):
                // List admin API keys: flat owner.
                return json(#"{"object":"list","data":[{"object":"organization.admin_api_key","id":"key_admin1","name":"Main Admin Key","redacted_value":"\#(adminRedacted)","created_at":1711471533,"last_used_at":1711471534,"owner":{"type":"service_account","object":"organization.service_account","id":"sa_456","name":"My Service Account","created_at":1711471533,"role":"member"}}],"first_id":"key_admin1","last_id":"key_admin1","has_more":false}"#)
            case route("usage/completions"):
                // Completions usage: a page of daily buckets of `organization.usage.completions.result`.
                if request.values("page") == ["page_AAAAAGdGxdEiJdKOAAAAAGcqsYA="] {
                    return json(#"{"object":"page","data":[{"object":"bucket","start_time":\#(day11),"end_time":\#(day11 + 86400),"results":[{"object":"organization.usage.completions.result","input_tokens":2000,"output_tokens":1000,"num_model_requests":7,"input_cached_tokens":0,"input_audio_tokens":0,"output_audio_tokens":0,"project_id":"proj_alpha","user_id":null,"api_key_id":"key_alpha1","model":"gpt-4o-mini-2024-07-18","batch":false}]}],"has_more":false,"next_page":null}"#)
                }
                return json(#"{"object":"page","data":[{"object":"bucket","start_time":\#(day10),"end_time":\#(day10 + 86400),"results":[{"object":"organization.usage.completions.result","input_tokens":1000,"output_tokens":500,"num_model_requests":5,"input_cached_tokens":0,"input_audio_tokens":0,"output_audio_tokens":0,"project_id":"proj_alpha","user_id":null,"api_key_id":"key_alpha1","model":"gpt-4o-mini-2024-07-18","batch":false}]}],"has_more":true,"next_page":"page_AAAAAGdGxdEiJdKOAAAAAGcqsYA="}"#)
            case let r where r.hasPrefix(route("usage/")):
                return json(#"{"object":"page","data":[{"object":"bucket","start_time":\#(day10),"end_time":\#(day10 + 86400),"results":[]}],"has_more":false,"next_page":null}"#)
            case route("costs"):
                // Costs: `organization.costs.result` with `amount: {value, currency}`.
                return json(#"{"object":"page","data":[{"object":"bucket","start_time":\#(day10),"end_time":\#(day10 + 86400),"results":[{"object":"organization.costs.result","amount":{"value":0.42,"currency":"usd"},"line_item":"gpt-4o-mini-2024-07-18, input","project_id":"proj_alpha","api_key_id":"key_alpha1"}]}],"has_more":false,"next_page":null}"#)
            default:
                return CollectReplay.notFound
            }
        }
    }

    func testPagesRetriesAndRoundTripIntoTheRegister() throws {
        let keys = makeKeys()
        let replay = try replay(keys)
        replay.fault(route("admin_api_keys"), .init(status: 429, headers: ["Retry-After": "1"], body: #"{"error":{"message":"Rate limit reached"}}"#))
        replay.fault(route("costs"), .init(status: 500, body: #"{"error":{"message":"The server had an error"}}"#))
        let out = try temporaryDirectory(self)
        let summary = try CollectFixture.collect(.openai, adminKey: keys.admin, replay: replay, prefix: prefix, out: out)

        XCTAssertTrue(summary.complete, summary.failures.map(\.description).joined(separator: "; "))
        XCTAssertEqual(summary.since, "2026-10-21")
        XCTAssertEqual(summary.until, "2026-11-20")
        // Every call carried the admin key as a bearer token.
        for request in replay.requests { assertCarriesKey(request, header: "authorization", scheme: "Bearer ", key: keys.admin) }

        // Pagination: the cursor of each page was sent back.
        let projects = replay.requests(route("projects"))
        XCTAssertEqual(projects.map { $0.values("after") }, [[], ["proj_alpha"]])
        XCTAssertEqual(projects.first?.values("limit"), ["100"])
        let completions = replay.requests(route("usage/completions"))
        XCTAssertEqual(completions.map { $0.values("page") }, [[], ["page_AAAAAGdGxdEiJdKOAAAAAGcqsYA="]])
        for request in completions {
            XCTAssertEqual(request.values("start_time"), ["1792540800"])
            XCTAssertEqual(request.values("bucket_width"), ["1d"])
            XCTAssertEqual(request.values("limit"), ["31"])
            XCTAssertEqual(request.values("group_by"), ["api_key_id", "project_id", "model", "batch"])
            XCTAssertTrue(request.values("end_time").isEmpty, "no --until: no end_time")
        }
        XCTAssertEqual(replay.requests(route("usage/embeddings")).first?.values("group_by"), ["api_key_id", "project_id", "model"])
        XCTAssertEqual(replay.requests(route("usage/vector_stores")).first?.values("group_by"), ["project_id"])
        XCTAssertEqual(replay.requests(route("usage/code_interpreter_sessions")).first?.values("group_by"), ["project_id"])
        XCTAssertEqual(replay.requests(route("costs")).last?.values("group_by"), ["api_key_id", "project_id", "line_item"])
        XCTAssertEqual(replay.requests(route("projects/proj_alpha/api_keys")).first?.values("owner_project_access"), ["any"])
        XCTAssertEqual(replay.requests(route("projects/proj_beta/service_accounts")).count, 1, "every project's service accounts")

        // 429: retried once, after the second Retry-After asked for; 500: retried once.
        let admin = replay.arrivals(route("admin_api_keys"))
        XCTAssertEqual(admin.count, 2)
        if admin.count == 2 { XCTAssertGreaterThanOrEqual(admin[1].timeIntervalSince(admin[0]), 0.95, "Retry-After: 1 was not honoured") }
        XCTAssertEqual(replay.requests(route("costs")).count, 2)

        // Files: deterministic names, one per page; project key pages name their project.
        let files = CollectFixture.files(out + "/openai")
        for name in ["projects-page-0001.json", "projects-page-0002.json", "project-proj_alpha-api-keys-page-0001.json",
                     "project-proj_alpha-service-accounts-page-0001.json", "project-proj_beta-api-keys-page-0001.json",
                     "admin-api-keys-page-0001.json", "usage-completions-page-0001.json", "usage-completions-page-0002.json",
                     "usage-code-interpreter-sessions-page-0001.json", "costs-page-0001.json"] {
            XCTAssertTrue(files.contains(name), "\(name) not written (got \(files))")
        }
        XCTAssertEqual(files.count, summary.pages)
        let keyPage = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/openai/project-proj_alpha-api-keys-page-0001.json"))) as? [String: Any])
        XCTAssertEqual(keyPage["project_id"] as? String, "proj_alpha")
        XCTAssertEqual(summary.endpoints.first { $0.name == "usage-completions" }?.pages, 2)
        XCTAssertEqual(summary.endpoints.first { $0.name == "usage-completions" }?.rows, 2)
        XCTAssertEqual(summary.endpoints.first { $0.name == "projects" }?.rows, 2)

        // Round trip: scan reads every file collect wrote and links the found key.
        let outcome = try CollectFixture.scan(envLine: "OPENAI_API_KEY=\(keys.project)\n", exports: out, in: self)
        XCTAssertEqual(outcome.register.scan.problems.map { $0.path + ": " + String($0.reason.prefix(60)) }, [], "every collected file reads")
        XCTAssertEqual(outcome.unreadCount, 0)
        let record = try XCTUnwrap(outcome.register.credential(for: keys.project), "the found key is in the register")
        XCTAssertEqual(record.identity.keyId, "key_alpha1")
        XCTAssertEqual(record.identity.principal, "user@example.com")
        let usage = try XCTUnwrap(record.usage)
        XCTAssertEqual(usage.tokens30d, 4500, "1500 + 3000 tokens from the two completions pages")
        XCTAssertEqual(usage.requests30d, 12)
        // 2026-11-10 from the costs page (billed by key); 2026-11-11 priced from usage, a fraction of a cent.
        XCTAssertGreaterThanOrEqual(usage.spend30d, 0.42)
        XCTAssertLessThan(usage.spend30d, 0.43)
        assertNoPlaintext(summary.lines.joined(separator: "\n"), [keys.admin, keys.project], "the summary")
    }

    func testUntilSetsTheEndOfTheWindow() throws {
        let keys = makeKeys()
        let replay = try replay(keys)
        let out = try temporaryDirectory(self)
        let base = try CollectProvider.openai.base(endpoints: CollectFixture.config(.openai, replay, prefix: prefix).endpoints, url: nil)
        let summary = Collector.run(CollectRequest(
            provider: .openai, outputFolder: out, period: CollectPeriod(since: CollectFixture.since, until: ISODate.parse("2026-11-15")),
            adminKey: Secret(keys.admin), base: base, policy: CollectFixture.fastPolicy, now: { CollectFixture.today }))
        XCTAssertEqual(summary.until, "2026-11-15")
        // end_time is exclusive: the midnight after the last day.
        XCTAssertEqual(replay.requests(route("costs")).first?.values("end_time"), [String(1_792_540_800 + 26 * 86_400)])
    }

    func testSlowAnswerPastTheTimeoutIsRetriedThenNamedAndTheRestKept() throws {
        let keys = makeKeys()
        let replay = try replay(keys)
        let slow = CollectReplay.Response(status: 200, body: "{}", delay: 3)
        replay.fault(route("usage/embeddings"), slow, slow)
        let out = try temporaryDirectory(self)
        var policy = CollectFixture.fastPolicy
        policy.maxAttempts = 2
        policy.timeout = 1
        let summary = try CollectFixture.collect(.openai, adminKey: keys.admin, replay: replay, prefix: prefix, out: out, policy: policy)

        XCTAssertFalse(summary.complete)
        XCTAssertEqual(summary.failures.count, 1, "\(summary.failures)")
        let failure = try XCTUnwrap(summary.failures.first)
        XCTAssertEqual(failure.path, "/v1/organization/usage/embeddings")
        XCTAssertNil(failure.status)
        XCTAssertTrue(failure.reason.contains("no answer within 1s"), failure.reason)
        XCTAssertTrue(failure.reason.contains("gave up after 2 attempts"), failure.reason)
        XCTAssertEqual(replay.requests(route("usage/embeddings")).count, 2, "retried once, then given up")
        // What came before is kept, and the endpoints after it were still read.
        let files = CollectFixture.files(out + "/openai")
        XCTAssertTrue(files.contains("usage-completions-page-0002.json"))
        XCTAssertFalse(files.contains { $0.hasPrefix("usage-embeddings") })
        XCTAssertTrue(files.contains("costs-page-0001.json"))
        XCTAssertTrue(summary.lines.contains { $0.hasPrefix("failed: GET /v1/organization/usage/embeddings: no answer within") }, "\(summary.lines)")
        XCTAssertTrue(summary.lines.last?.hasPrefix("incomplete: 1 endpoint") ?? false)
    }

    func testUnauthorizedIsNotRetriedAndStopsTheRun() throws {
        let keys = makeKeys()
        let replay = try replay(keys)
        // The error body quotes the key, as OpenAI's "Incorrect API key provided: sk-…" does.
        replay.fault(route("projects"), .init(status: 401, body: #"{"error":{"message":"Incorrect API key provided: \#(keys.admin)","type":"invalid_request_error","code":"invalid_api_key"}}"#))
        let out = try temporaryDirectory(self)
        let summary = try CollectFixture.collect(.openai, adminKey: keys.admin, replay: replay, prefix: prefix, out: out)

        XCTAssertEqual(replay.requests.count, 1, "a 401 is never retried, and no other endpoint is asked with a refused key")
        XCTAssertEqual(summary.failures, [CollectFailure(path: "/v1/organization/projects", status: 401,
                                                         reason: "HTTP 401: the provider refuses the admin key (not retried)")])
        XCTAssertEqual(CollectFixture.files(out + "/openai"), [])
        XCTAssertTrue(summary.stopped)
        XCTAssertTrue(summary.lines.contains("stopped: the endpoints after this failure were not asked"), "\(summary.lines)")
        assertNoPlaintext(summary.lines.joined(separator: "\n"), [keys.admin], "the summary")
    }

    func testAHostThatCannotBeReachedStopsAfterItsRetries() throws {
        let keys = makeKeys()
        let replay = try replay(keys)
        replay.server.stop()
        let out = try temporaryDirectory(self)
        let summary = try CollectFixture.collect(.openai, adminKey: keys.admin, replay: replay, prefix: prefix, out: out)
        XCTAssertEqual(summary.failures.map(\.path), ["/v1/organization/projects"], "one failure, then no other endpoint is tried")
        XCTAssertTrue(summary.failures.first?.reason.hasSuffix("(gave up after 3 attempts)") ?? false, "\(summary.failures)")
        XCTAssertTrue(summary.stopped)
        XCTAssertFalse(summary.complete)
    }

    func testARerunReplacesThePagesOfTheEarlierPull() throws {
        let keys = makeKeys()
        let replay = try replay(keys)
        let out = try temporaryDirectory(self)
        // An earlier pull that had three pages of completions.
        try write("{}", to: "openai/usage-completions-page-0003.json", in: out)
        try write("{}", to: "openai/notes.json", in: out)
        let summary = try CollectFixture.collect(.openai, adminKey: keys.admin, replay: replay, prefix: prefix, out: out)
        XCTAssertTrue(summary.complete)
        let files = CollectFixture.files(out + "/openai")
        XCTAssertFalse(files.contains("usage-completions-page-0003.json"), "a page of the earlier pull beyond this one's last is removed")
        XCTAssertTrue(files.contains("notes.json"), "files collect did not write are left alone")
        XCTAssertFalse(files.contains { $0.hasPrefix(".") }, "no temporary file is left")
    }
}
