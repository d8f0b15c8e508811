import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

final class LiteLLMImporterTests: XCTestCase {
    /// Token hashes in the fixtures (SHA-256 hex of generated, discarded virtual keys).
    let search = "35a4ed258f98a593cca62623842c3c60d1d41d5c3f0e818e6c93af2d9b8d1e31"
    let data = "0856a50cb15185f2cb3056d691566348db4cf6620f4de20db1eaed8be2540a7b"
    let notebook = "e605e07327e14e2b2af8bb91239722c95e3d88f5410d184f2486a61a2759f872"
    let evals = "f6cc2b6b2cced7ed23fb9b3066036d28ba290d16b6108d04bcdd102aa892915a"

    /// A never-issued LiteLLM virtual key (`sk-` + 22 alphanumerics, as the proxy generates).
    func virtualKey() -> String {
        var factory = CredentialFactory()
        return "sk-" + factory.random(22, from: CredentialFactory.alnum)
    }

    // MARK: verification tokens

    func testVerificationTokensJSON() throws {
        let bundle = CloudFixtures.load("litellm/verification-tokens.json")
        XCTAssertEqual(bundle.formats, ["litellm.verification-tokens": 1])
        XCTAssertEqual(bundle.keys.map(\.keyId), [search, data, notebook])
        let key = bundle.keys[0]
        XCTAssertEqual(key.provider, "litellm")
        XCTAssertEqual(key.recognition, .sha256(search))
        XCTAssertEqual(key.name, "search-backend-prod")
        XCTAssertEqual(key.owner, "alice@acme.example")
        XCTAssertEqual(key.project, "team-search")
        XCTAssertEqual(key.created, CloudFixtures.date("2026-05-04T09:15:22.418Z"))
        XCTAssertEqual(key.lastUsed, CloudFixtures.date("2026-11-17T16:02:11.004Z"))
        XCTAssertEqual(key.status, "active")
        XCTAssertEqual(key.scopes, ["gpt-4o", "claude-sonnet-4-6"])
        // No alias: the abbreviated key name; no user: the team owns it.
        XCTAssertEqual(bundle.keys[1].name, "sk-...Xf1n")
        XCTAssertEqual(bundle.keys[1].owner, "team-data")
        XCTAssertNil(bundle.keys[1].lastUsed)
        XCTAssertEqual(bundle.keys[2].status, "blocked")
        XCTAssertNil(bundle.keys[2].project)
    }

    func testVerificationTokensPostgresCSV() throws {
        let bundle = CloudFixtures.load("litellm/verification-tokens.csv")
        XCTAssertEqual(bundle.formats, ["litellm.verification-tokens": 1])
        XCTAssertEqual(bundle.keys.map(\.keyId), [search, data, notebook, evals])
        XCTAssertEqual(bundle.keys.map(\.status), ["active", "active", "blocked", "active"])
        XCTAssertEqual(bundle.keys[0].created, CloudFixtures.date("2026-05-04T09:15:22Z"))
        XCTAssertEqual(bundle.keys[3].scopes, ["gpt-4o-mini", "text-embedding-3-small"])
        XCTAssertEqual(bundle.keys[1].scopes, [])
        let json = CloudFixtures.load("litellm/verification-tokens.json").keys
        for (a, b) in zip(json, bundle.keys) {
            XCTAssertEqual([a.keyId, a.name, a.owner, a.project, a.status], [b.keyId, b.name, b.owner, b.project, b.status])
        }
    }

    func testKeyListAndKeyInfoResponses() throws {
        let key = virtualKey()
        let hash = Secret(key).sha256Hex
        XCTAssertEqual(hash, SHA256.hex(key))

        let list = #"{"keys":["\#(hash)","\#(search)"],"total_count":2,"current_page":1,"total_pages":1}"#
        var (bundle, _) = try CloudFixtures.load(text: list, self)
        XCTAssertEqual(bundle.formats, ["litellm.verification-tokens": 1])
        XCTAssertEqual(bundle.keys.map(\.recognition), [.sha256(hash), .sha256(search)])

        let full = #"{"keys":[{"token":"\#(hash)","key_alias":"svc","team_id":"t1","blocked":false,"models":["gpt-4o"]}],"total_count":1}"#
        (bundle, _) = try CloudFixtures.load(text: full, self)
        XCTAssertEqual(bundle.keys.map(\.name), ["svc"])
        XCTAssertEqual(bundle.keys.map(\.recognition), [.sha256(hash)])

        // /key/info?key=sk-… echoes the key: it is hashed on reading and never kept.
        let info = #"{"key":"\#(key)","info":{"key_name":"sk-...\#(key.suffix(4))","key_alias":"notebook","user_id":"u1","spend":1.5,"created_at":"2026-10-01T00:00:00Z"}}"#
        (bundle, _) = try CloudFixtures.load(text: info, self)
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.keys.map(\.keyId), [hash])
        XCTAssertEqual(bundle.keys.first?.owner, "u1")
        assertNoPlaintext(String(describing: bundle), [key], "bundle")
    }

    func testVerificationTokensMalformed() throws {
        var reason = try CloudFixtures.problem(#"[{"token":"\#(search)","key_alias":"a"},{"key_alias":"b","spend":1}]"#, self)
        XCTAssertEqual(reason, #"litellm.verification-tokens: [1]: missing "token""#)
        reason = try CloudFixtures.problem(#"[{"token":"\#(search)","key_alias":"a","created_at":"soon"}]"#, self)
        XCTAssertEqual(reason, #"litellm.verification-tokens: [0].created_at: expected a date, got "soon""#)
        reason = try CloudFixtures.problem(#"[{"token":"\#(search)","key_alias":"a","blocked":"perhaps"}]"#, self)
        XCTAssertEqual(reason, #"litellm.verification-tokens: [0].blocked: expected true or false, got "perhaps""#)
        reason = try CloudFixtures.problem("token,key_alias,spend\n\(search),a,1\n\(data),b\n", as: "tokens.csv", self)
        XCTAssertEqual(reason, "litellm.verification-tokens: row 2: expected 3 fields as in the header, got 2")
        reason = try CloudFixtures.problem("token,key_alias,spend\n", as: "tokens.csv", self)
        XCTAssertEqual(reason, "litellm.verification-tokens: header only, no data rows")
    }

    // MARK: spend logs

    func testSpendLogsAggregatePerKeyDayAndModel() throws {
        let bundle = CloudFixtures.load("litellm/spend-logs.json")
        XCTAssertEqual(bundle.formats, ["litellm.spend-logs": 1])
        XCTAssertEqual(bundle.usage.count, 4)   // the row without an api_key is skipped
        let gpt = try XCTUnwrap(bundle.usage.first { $0.scope == .secretHash(search) && $0.day == "2026-10-14" && $0.model == "gpt-4o-2024-08-06" })
        XCTAssertEqual(gpt.provider, "litellm")
        XCTAssertEqual(try XCTUnwrap(gpt.cost), 0.0061 + 0.00295, accuracy: 1e-12)
        XCTAssertEqual(gpt.inputTokens, 2000)
        XCTAssertEqual(gpt.outputTokens, 405)
        XCTAssertEqual(gpt.requests, 2)
        XCTAssertEqual(gpt.currency, "USD")
        let other = try XCTUnwrap(bundle.usage.first { $0.scope == .secretHash(data) })
        XCTAssertEqual(other.requests, 2)   // failures count as requests
        XCTAssertEqual(other.inputTokens, 10_000)
        XCTAssertEqual(Set(bundle.usage.map(\.day)), ["2026-10-14", "2026-10-15"])
    }

    func testSpendLogsCSVMatchesJSON() throws {
        let csv = CloudFixtures.load("litellm/spend-logs.csv")
        let json = CloudFixtures.load("litellm/spend-logs.json")
        XCTAssertEqual(csv.formats, ["litellm.spend-logs": 1])
        XCTAssertEqual(csv.usage.map(\.scope), json.usage.map(\.scope))
        XCTAssertEqual(csv.usage.map(\.day), json.usage.map(\.day))
        XCTAssertEqual(csv.usage.map(\.inputTokens), json.usage.map(\.inputTokens))
        XCTAssertEqual(csv.usage.map(\.requests), json.usage.map(\.requests))
    }

    func testSpendLogOfAGeneratedKeyLinksByHashAndLargeLogsCollapse() throws {
        let key = virtualKey()
        let hash = Secret(key).sha256Hex
        var text = "request_id,api_key,spend,prompt_tokens,completion_tokens,startTime,model\n"
        var rows = 0
        while text.utf8.count < 300_000 {
            text += "req-\(rows),\(hash),0.0001,10,2,2026-10-\(String(format: "%02d", 1 + rows % 3))T\(String(format: "%02d", rows % 24)):00:00Z,\(rows % 2 == 0 ? "gpt-4o" : "gpt-4o-mini")\n"
            rows += 1
        }
        let file = try CloudFixtures.write(text, as: "spendlogs-dump", self)
        let bundle = ExportLoader.loadFile(file)
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.usage.count, 6)   // 3 days × 2 models
        XCTAssertTrue(bundle.usage.allSatisfy { $0.scope == .secretHash(hash) })
        XCTAssertEqual(bundle.usage.reduce(0) { $0 + $1.requests }, rows)
        XCTAssertEqual(bundle.usage.reduce(0) { $0 + $1.inputTokens }, rows * 10)
        let oversized = ExportLoader.loadFile(file, maxFileSize: 1000)
        XCTAssertEqual(oversized.problems.map(\.path), [file])
        XCTAssertTrue(oversized.problems.first?.reason.hasPrefix("oversized") == true)

        // A key logged in plaintext (older proxies) links by its hash and is not kept.
        let (plain, _) = try CloudFixtures.load(text: "request_id,api_key,spend,startTime\nr1,\(key),0.5,2026-10-01 10:00:00\n", as: "old.csv", self)
        XCTAssertEqual(plain.usage.map(\.scope), [.secretHash(hash)])
        assertNoPlaintext(String(describing: plain), [key], "bundle")
    }

    func testSpendLogsAsJSONLines() throws {
        let text = #"{"request_id":"a","api_key":"\#(search)","spend":0.5,"prompt_tokens":7,"completion_tokens":3,"startTime":"2026-10-14T23:59:59+00:00","model":"gpt-4o"}"# + "\n"
            + #"{"request_id":"b","api_key":"\#(search)","spend":"0.25","prompt_tokens":"1","completion_tokens":"1","startTime":"2026-10-15T00:00:01+02:00","model":"gpt-4o"}"# + "\n"
        let (bundle, _) = try CloudFixtures.load(text: text, as: "spend.jsonl", self)
        XCTAssertEqual(bundle.formats, ["litellm.spend-logs": 1])
        XCTAssertEqual(bundle.usage.map(\.day), ["2026-10-14"])   // 00:00:01+02:00 is still the 14th in UTC
        XCTAssertEqual(bundle.usage.map(\.requests), [2])
        XCTAssertEqual(bundle.usage.map(\.cost), [0.75])
    }

    func testSpendLogsMalformed() throws {
        var reason = try CloudFixtures.problem(#"[{"request_id":"a","api_key":"\#(search)","spend":0.1,"startTime":"2026-10-14T00:00:00Z"},{"request_id":"b","api_key":"\#(search)","spend":"lots","startTime":"2026-10-14T00:00:00Z"}]"#, self)
        XCTAssertEqual(reason, #"litellm.spend-logs: [1].spend: expected a number, got "lots""#)
        reason = try CloudFixtures.problem(#"{"data":[{"request_id":"a","api_key":"\#(search)","spend":0.1}]}"#, self)
        XCTAssertEqual(reason, #"litellm.spend-logs: data[0]: missing "startTime""#)
        reason = try CloudFixtures.problem(#"[{"request_id":"a","api_key":"\#(search)","spend":0.1,"startTime":"2026-10-14T00:00:00Z","prompt_tokens":[1]}]"#, self)
        XCTAssertEqual(reason, "litellm.spend-logs: [0].prompt_tokens: expected a number, got an array")
        reason = try CloudFixtures.problem("request_id,api_key,spend\nr1,\(search),0.1\n", as: "logs.csv", self)
        XCTAssertEqual(reason, #"litellm.spend-logs: missing column "startTime""#)
    }

    // MARK: daily spend

    func testDailyUserSpend() throws {
        let bundle = CloudFixtures.load("litellm/daily-user-spend.csv")
        XCTAssertEqual(bundle.formats, ["litellm.daily-spend": 1])
        XCTAssertEqual(bundle.usage.count, 4)
        // Two endpoints of one key, day and model sum into one record.
        let gpt = try XCTUnwrap(bundle.usage.first { $0.scope == .secretHash(search) && $0.day == "2026-10-14" && $0.model == "gpt-4o-2024-08-06" })
        XCTAssertEqual(gpt.inputTokens, 3000)
        XCTAssertEqual(gpt.outputTokens, 505)
        XCTAssertEqual(gpt.requests, 3)
        XCTAssertEqual(try XCTUnwrap(gpt.cost), 0.01255, accuracy: 1e-12)
        XCTAssertEqual(bundle.usage.first { $0.scope == .secretHash(data) }?.requests, 2)
    }

    func testDailySpendJSONAndMalformed() throws {
        let (bundle, _) = try CloudFixtures.load(text: #"[{"date":"2026-10-14","api_key":"\#(evals)","model":"gpt-4o-mini","spend":"0.25","prompt_tokens":"100","completion_tokens":null,"successful_requests":3,"failed_requests":1}]"#, self)
        XCTAssertEqual(bundle.formats, ["litellm.daily-spend": 1])
        XCTAssertEqual(bundle.usage.map(\.requests), [4])
        XCTAssertEqual(bundle.usage.map(\.cost), [0.25])
        XCTAssertEqual(bundle.usage.map(\.outputTokens), [0])
        var reason = try CloudFixtures.problem(#"[{"date":"14/10/2026","api_key":"\#(evals)","spend":1}]"#, self)
        XCTAssertEqual(reason, #"litellm.daily-spend: [0].date: expected a date, got "14/10/2026""#)
        reason = try CloudFixtures.problem("date,api_key,spend,api_requests\n2026-10-14,\(evals),1,many\n", as: "daily.csv", self)
        XCTAssertEqual(reason, #"litellm.daily-spend: row 1: api_requests: expected a number, got "many""#)
    }
}
