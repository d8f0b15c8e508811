import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// The Anthropic Admin API importers (api_keys, usage_report/messages, cost_report), read through `ExportLoader`.
final class AnthropicImporterTests: XCTestCase {
    private static let workspace = "wrkspc_01Hq7ZmV3xTcN9pLr2BwKd5E"

    private func fixture(_ name: String) -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("fixtures/exports/anthropic/\(name)").path
    }

    private func load(_ path: String, as format: String, file: StaticString = #filePath, line: UInt = #line) -> ExportBundle {
        let bundle = ExportLoader.loadFile(path)
        XCTAssertEqual(bundle.problems, [], file: file, line: line)
        XCTAssertEqual(bundle.formats, [format: 1], file: file, line: line)
        return bundle
    }

    /// Anthropic's `partial_key_hint`: the first 16 characters, `...`, the last 4.
    private func hint(_ secret: String) -> String { String(secret.prefix(16)) + "..." + String(secret.suffix(4)) }

    // MARK: Fixtures

    func testKeysFixture() throws {
        let path = fixture("api-keys.json")
        let bundle = load(path, as: "anthropic.api-keys")
        XCTAssertEqual(bundle.keys.map(\.keyId), ["apikey_01Kp8VbN3qWz7RtYc2LmXs5D", "apikey_01Rd4TcH8nXv2QzWm6PjLs9F",
                                                  "apikey_01Wm2Xc7QpL9tVz4RkNb8Hs3G"])
        guard bundle.keys.count == 3 else { return }
        XCTAssertEqual(bundle.keys.map(\.provider), ["anthropic", "anthropic", "anthropic"])
        XCTAssertEqual(bundle.keys.map(\.privilege), [nil, nil, nil])

        let user = bundle.keys[0]
        XCTAssertEqual(user.name, "support-bot production")
        XCTAssertEqual(user.recognition, .hint(prefix: "sk-ant-api03-zdp", suffix: "0wAA", length: nil))
        XCTAssertEqual(user.project, Self.workspace)
        XCTAssertEqual(user.owner, "user_01Fz6QwT9mRc2VnLp8KxBh4J")
        XCTAssertEqual(user.principal, "user_01Fz6QwT9mRc2VnLp8KxBh4J")
        XCTAssertEqual(user.created.map(ISODate.timestamp), "2026-02-17T10:42:19Z")
        XCTAssertNil(user.lastUsed)
        XCTAssertEqual(user.status, "active")
        XCTAssertEqual(user.source, path)

        let serviceAccount = bundle.keys[1]
        XCTAssertEqual(serviceAccount.recognition, .hint(prefix: "sk-ant-api03-IpM", suffix: "x3AA", length: nil))
        XCTAssertEqual(serviceAccount.project, "default")
        XCTAssertEqual(serviceAccount.principal, "svac_01Nb5Wq2KzT8mVc3RxLh7PdY")
        XCTAssertEqual(serviceAccount.owner, "user_01Fz6QwT9mRc2VnLp8KxBh4J")

        let older = bundle.keys[2]
        XCTAssertEqual(older.principal, "user_01Gt3YvP7nKq1ZcRw5MxLb2S", "no principal: the creator")
        XCTAssertEqual(older.status, "inactive")
        XCTAssertEqual(older.created.map(ISODate.timestamp), "2025-10-11T18:30:45Z")
    }

    func testUsageFixture() throws {
        let path = fixture("usage-messages.json")
        let bundle = load(path, as: "anthropic.usage-messages")
        let expected = [
            // Cache reads and 5-minute / 1-hour writes are kept apart: each has its own rate.
            UsageRecord(provider: "anthropic", scope: .key("apikey_01Kp8VbN3qWz7RtYc2LmXs5D"), day: "2026-11-01", cost: nil,
                        inputTokens: 125_400 + 88_200 + 12_000 + 3000, outputTokens: 41_250, model: "claude-sonnet-4-5-20250929", source: path,
                        cachedInputTokens: 88_200, cacheWrite5mTokens: 12_000, cacheWrite1hTokens: 3000),
            UsageRecord(provider: "anthropic", scope: .key("apikey_01Rd4TcH8nXv2QzWm6PjLs9F"), day: "2026-11-01", cost: nil,
                        inputTokens: 640_000, outputTokens: 98_000, model: "claude-haiku-4-5-20251001", source: path),
            UsageRecord(provider: "anthropic", scope: .project("default"), day: "2026-11-01", cost: nil,
                        inputTokens: 2300, outputTokens: 910, model: "claude-sonnet-4-5-20250929", source: path),
            UsageRecord(provider: "anthropic", scope: .key("apikey_01Kp8VbN3qWz7RtYc2LmXs5D"), day: "2026-11-02", cost: nil,
                        inputTokens: 131_020 + 90_112 + 8000, outputTokens: 39_800, model: "claude-sonnet-4-5-20250929", source: path,
                        cachedInputTokens: 90_112, cacheWrite5mTokens: 8000),
        ]
        XCTAssertEqual(bundle.usage, expected)
        XCTAssertEqual(bundle.usage.map(\.requests), [0, 0, 0, 0])
    }

    func testCostReportFixture() throws {
        let path = fixture("cost-report.json")
        let bundle = load(path, as: "anthropic.cost-report")
        let w = UsageScope.project(Self.workspace)
        XCTAssertEqual(bundle.usage.map(\.scope), [w, w, w, w, .project("default"), w])
        XCTAssertEqual(bundle.usage.map(\.day), ["2026-11-01", "2026-11-01", "2026-11-01", "2026-11-01", "2026-11-01", "2026-11-02"])
        XCTAssertEqual(bundle.usage.map(\.currency), Array(repeating: "USD", count: 6))
        XCTAssertEqual(bundle.usage.map(\.model), ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929",
                                                   nil, "claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"])
        let costs = bundle.usage.compactMap(\.cost)
        XCTAssertEqual(costs.count, 6)
        // Cents as decimal strings: "37.62" is $0.3762.
        for (got, want) in zip(costs, [0.3762, 0.61875, 0.02646, 0.14, 0.64, 0.39306]) { XCTAssertEqual(got, want, accuracy: 1e-12) }
        XCTAssertEqual(bundle.usage.map(\.inputTokens), Array(repeating: 0, count: 6))
    }

    func testEachFixtureHasExactlyOneImporter() throws {
        for name in ["api-keys.json", "usage-messages.json", "cost-report.json"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: fixture(name)))
            let content = try XCTUnwrap(ExportLoader.parse(data), name)
            let claiming = ExportLoader.importers.filter { $0.recognises(content) }.map { $0.format }
            XCTAssertEqual(claiming.count, 1, "\(name) claimed by \(claiming)")
        }
    }

    // MARK: Shapes

    /// Never-issued keys from the factory, listed under their hints: each hint recognises its key; an admin
    /// key's hint marks the key as admin.
    func testHintsRecogniseGeneratedKeys() throws {
        var factory = CredentialFactory()
        let apiKey = factory.anthropicAPIKey(), adminKey = factory.anthropicAdminKey(), other = factory.anthropicAPIKey()
        let dir = try temporaryDirectory(self)
        try write(#"""
        {"data":[
          {"id":"apikey_gen1","type":"api_key","name":"generated","created_at":"2026-11-01T08:00:00Z","expires_at":null,"created_by":{"id":"user_gen","type":"user"},"partial_key_hint":"\#(hint(apiKey))","status":"active","workspace_id":null},
          {"id":"apikey_gen2","type":"api_key","name":"generated admin","created_at":"2026-11-01T08:00:00Z","expires_at":null,"created_by":{"id":"user_gen","type":"user"},"partial_key_hint":"\#(hint(adminKey))","status":"active","workspace_id":"wrkspc_gen"}
        ],"has_more":false,"first_id":"apikey_gen1","last_id":"apikey_gen2"}
        """#, to: "keys.json", in: dir)
        let bundle = ExportLoader.loadFile(dir + "/keys.json")
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.keys.map(\.keyId), ["apikey_gen1", "apikey_gen2"])
        guard bundle.keys.count == 2 else { return }
        func recognises(_ key: ProviderKey, _ secret: String) -> Bool {
            guard case .hint(let prefix, let suffix, let length) = key.recognition else { return false }
            return length == nil && secret.hasPrefix(prefix) && secret.hasSuffix(suffix)
        }
        XCTAssertTrue(recognises(bundle.keys[0], apiKey), "hint does not recognise \(Secret(apiKey).redacted)")
        XCTAssertTrue(recognises(bundle.keys[1], adminKey), "hint does not recognise \(Secret(adminKey).redacted)")
        XCTAssertFalse(recognises(bundle.keys[0], other), "the hint of one generated key also recognises another")
        XCTAssertFalse(recognises(bundle.keys[1], apiKey), "an admin-key hint recognises an API key")
        XCTAssertEqual(bundle.keys.map(\.privilege), [nil, "admin"])
        XCTAssertEqual(bundle.keys.map(\.project), ["default", "wrkspc_gen"])
        assertNoPlaintext(bundle.keys.map { "\($0)" }.joined(separator: "\n"), [apiKey, adminKey], "parsed keys")
    }

    func testLyingFileNamesAreDetectedFromContent() throws {
        let dir = try temporaryDirectory(self)
        try FileManager.default.copyItem(atPath: fixture("api-keys.json"), toPath: dir + "/openai.json")
        try FileManager.default.copyItem(atPath: fixture("usage-messages.json"), toPath: dir + "/cost-report.json")
        try FileManager.default.copyItem(atPath: fixture("cost-report.json"), toPath: dir + "/openai-usage.csv")
        let bundle = ExportLoader.load(paths: [dir])
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["anthropic.api-keys": 1, "anthropic.usage-messages": 1, "anthropic.cost-report": 1])
        XCTAssertEqual(bundle.keys.count, 3)
        XCTAssertEqual(bundle.usage.count, 10)
    }

    func testPagesAsJSONLinesBareArraysAndLenientValues() throws {
        let dir = try temporaryDirectory(self)
        // Two saved pages as JSON Lines; numbers as strings; null cache_creation; older flat cache field.
        try write(#"""
        {"data":[{"starting_at":"2026-11-03T00:00:00Z","ending_at":"2026-11-04T00:00:00Z","results":[{"uncached_input_tokens":"100","cache_read_input_tokens":null,"cache_creation":null,"output_tokens":"7","api_key_id":"apikey_a","workspace_id":null,"model":"claude-opus-4-1-20250805"}]}],"has_more":true,"next_page":"page_x"}
        {"data":[{"starting_at":"2026-11-04T00:00:00Z","ending_at":"2026-11-05T00:00:00Z","results":[{"uncached_input_tokens":1,"cache_creation_input_tokens":2,"output_tokens":3,"api_key_id":null,"workspace_id":"wrkspc_b"}]}],"has_more":false,"next_page":null}
        """#, to: "usage.jsonl", in: dir)
        // A bare array of buckets; amount as a JSON number; lower-case currency.
        try write(#"[{"starting_at":"2026-11-03T00:00:00Z","ending_at":"2026-11-04T00:00:00Z","results":[{"amount":250,"currency":"usd","cost_type":"tokens","workspace_id":null}]}]"#,
                  to: "costs.json", in: dir)
        // A single key (GET …/api_keys/{id}).
        try write(#"{"id":"apikey_single","type":"api_key","partial_key_hint":"sk-ant-api03-abc...wxAA","created_by":{"id":"user_s","type":"user"},"workspace_id":null}"#,
                  to: "key.json", in: dir)
        let bundle = ExportLoader.load(paths: [dir + "/usage.jsonl", dir + "/costs.json", dir + "/key.json"])
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["anthropic.usage-messages": 1, "anthropic.cost-report": 1, "anthropic.api-keys": 1])
        XCTAssertEqual(bundle.usage, [
            UsageRecord(provider: "anthropic", scope: .key("apikey_a"), day: "2026-11-03", cost: nil, inputTokens: 100, outputTokens: 7,
                        model: "claude-opus-4-1-20250805", source: dir + "/usage.jsonl"),
            // The older flat cache_creation_input_tokens: a 5-minute write (prompt caching's default lifetime).
            UsageRecord(provider: "anthropic", scope: .project("wrkspc_b"), day: "2026-11-04", cost: nil, inputTokens: 3, outputTokens: 3,
                        source: dir + "/usage.jsonl", cacheWrite5mTokens: 2),
            // No row of the cost report names a workspace: not grouped by workspace, so an organisation total (issue 11).
            UsageRecord(provider: "anthropic", scope: .organization("anthropic"), day: "2026-11-03", cost: 2.5, source: dir + "/costs.json",
                        bucket: "tokens"),
        ])
        XCTAssertEqual(bundle.keys.map(\.keyId), ["apikey_single"])
        XCTAssertEqual(bundle.keys.first?.recognition, .hint(prefix: "sk-ant-api03-abc", suffix: "wxAA", length: nil))
        XCTAssertEqual(bundle.keys.first?.principal, "user_s")
    }

    func testEmptyReports() throws {
        let dir = try temporaryDirectory(self)
        try write(#"{"data":[{"starting_at":"2026-11-01T00:00:00Z","ending_at":"2026-11-02T00:00:00Z","results":[]}],"has_more":false,"next_page":null}"#,
                  to: "empty-buckets.json", in: dir)
        try write(#"{"data":[],"has_more":false,"next_page":null}"#, to: "empty-data.json", in: dir)
        try write(#"{"data":[],"has_more":false,"first_id":null,"last_id":null}"#, to: "empty-keys.json", in: dir)
        try write(#"{"data":[]}"#, to: "bare.json", in: dir)
        let bundle = ExportLoader.load(paths: [dir])
        // A report page without buckets (its `next_page` cursor says it is a report: a window with no days yet, as
        // `collect --since` a future day saves it) is an empty report; an empty key list page (`first_id`/`last_id`
        // null: an organisation or filter without keys) an admin listing with nothing in it; a bare `data: []` still
        // says nothing of what it is.
        XCTAssertEqual(bundle.formats, ["anthropic.usage-messages": 2, "admin-listing": 1])
        XCTAssertTrue(bundle.usage.isEmpty && bundle.keys.isEmpty)
        XCTAssertEqual(Set(bundle.problems.map(\.path)), [dir + "/bare.json"])
        XCTAssertTrue(bundle.problems.allSatisfy { $0.reason.hasPrefix("not a recognised export") }, "\(bundle.problems)")
    }

    // MARK: Malformed files

    func testMalformedFilesAreReportedAndOthersStillLoad() throws {
        let dir = try temporaryDirectory(self)
        var factory = CredentialFactory()
        let plaintext = factory.anthropicAPIKey()
        let key = { (id: String, hint: String) in
            #"{"id":"\#(id)","type":"api_key","name":"k","created_at":"2026-11-01T00:00:00Z","created_by":{"id":"user_1","type":"user"},"partial_key_hint":"\#(hint)","status":"active","workspace_id":null}"#
        }
        let usage = #"{"uncached_input_tokens":1,"cache_read_input_tokens":0,"output_tokens":2,"api_key_id":"apikey_1"}"#
        let bucket = { (day: String, results: String) in
            #"{"starting_at":"2026-11-\#(day)T00:00:00Z","ending_at":"2026-11-\#(day)T23:59:59Z","results":[\#(results)]}"#
        }
        let cases: [(file: String, content: String, reason: String)] = [
            ("wrong-type.json",
             #"{"data":[\#(bucket("01", usage)),\#(bucket("02", #"{"uncached_input_tokens":1,"output_tokens":"lots","api_key_id":"apikey_1"}"#))],"has_more":false}"#,
             #"anthropic.usage-messages: data[1].results[0].output_tokens: expected a number, got string "lots""#),
            ("cache-creation-type.json",
             #"{"data":[\#(bucket("01", #"{"uncached_input_tokens":1,"cache_creation":5,"output_tokens":2}"#))]}"#,
             "anthropic.usage-messages: data[0].results[0].cache_creation: expected an object, got number 5"),
            ("missing-hint.json",
             #"{"data":[\#(key("apikey_1", "sk-ant-api03-abc...wxAA")),{"id":"apikey_2","type":"api_key","name":"k"}]}"#,
             #"anthropic.api-keys: data[1]: missing "partial_key_hint""#),
            ("plaintext-hint.json",
             #"{"data":[\#(key("apikey_1", plaintext))]}"#,
             "anthropic.api-keys: data[0].partial_key_hint: not a redaction hint"),
            ("missing-id.json",
             #"{"data":[{"type":"api_key","partial_key_hint":"sk-ant-api03-abc...wxAA"}]}"#,
             #"anthropic.api-keys: data[0]: missing "id""#),
            ("wrong-type-field.json",
             #"{"data":[{"id":"apikey_1","type":"workspace","partial_key_hint":"sk-ant-api03-abc...wxAA"}]}"#,
             #"anthropic.api-keys: data[0]: expected "type": "api_key", got string "workspace""#),
            ("missing-start.json",
             #"{"data":[\#(bucket("01", usage)),{"ending_at":"2026-11-03T00:00:00Z","results":[\#(usage)]}]}"#,
             #"anthropic.usage-messages: data[1]: missing "starting_at""#),
            ("bad-start.json",
             #"{"data":[{"starting_at":"first of November","results":[\#(usage)]}]}"#,
             "anthropic.usage-messages: data[0].starting_at: expected a date, got a string of 17 characters"),
            ("bad-amount.json",
             #"{"data":[\#(bucket("01", #"{"amount":"12.5","currency":"USD","cost_type":"tokens"},{"amount":"abc","currency":"USD","cost_type":"tokens"}"#))]}"#,
             #"anthropic.cost-report: data[0].results[1].amount: expected a number, got string "abc""#),
            ("null-amount.json",
             #"{"data":[\#(bucket("01", #"{"amount":"1","currency":"USD","cost_type":"tokens"},{"amount":null,"currency":"USD","cost_type":"tokens"}"#))]}"#,
             #"anthropic.cost-report: data[0].results[1]: missing "amount""#),
            ("results-not-array.json",
             #"{"data":[\#(bucket("01", usage)),{"starting_at":"2026-11-02T00:00:00Z","results":{"output_tokens":1}}]}"#,
             "anthropic.usage-messages: data[1].results: expected an array, got an object"),
            ("empty.json", "", "empty file"),
            ("braces.json", "{}", "not a recognised export"),
            ("truncated.json", String(try String(contentsOfFile: fixture("cost-report.json"), encoding: .utf8).prefix(500)),
             "not valid JSON"),
        ]
        for c in cases { try write(c.content, to: c.file, in: dir) }
        try FileManager.default.copyItem(atPath: fixture("usage-messages.json"), toPath: dir + "/good.json")

        let bundle = ExportLoader.load(paths: [dir])
        XCTAssertEqual(bundle.formats, ["anthropic.usage-messages": 1])
        XCTAssertEqual(bundle.usage.count, 4)
        assertOneProblemEach(bundle, cases.map { ($0.file, $0.reason) }, in: dir)
        assertNoPlaintext(bundle.problems.map(\.reason).joined(separator: "\n"), [plaintext], "problem reasons")
    }

    func testLargeFileParsesAndOversizedIsRefused() throws {
        let dir = try temporaryDirectory(self)
        var buckets: [String] = []
        for hour in 0..<(24 * 31) {
            let day = 1 + hour / 24, h = hour % 24
            let start = String(format: "2026-10-%02dT%02d:00:00Z", day, h)
            var results: [String] = []
            for k in 0..<3 {
                results.append(#"{"uncached_input_tokens":\#(100 + k),"cache_read_input_tokens":10,"cache_creation":{"ephemeral_5m_input_tokens":1,"ephemeral_1h_input_tokens":0},"output_tokens":5,"server_tool_use":{"web_search_requests":0},"api_key_id":"apikey_\#(k)","workspace_id":null,"model":"claude-sonnet-4-5-20250929","service_tier":"standard","context_window":"0-200k"}"#)
            }
            buckets.append(#"{"starting_at":"\#(start)","ending_at":"\#(start)","results":[\#(results.joined(separator: ","))]}"#)
        }
        let text = #"{"data":[\#(buckets.joined(separator: ",\n"))],"has_more":false,"next_page":null}"#
        XCTAssertGreaterThan(text.utf8.count, 300_000)
        try write(text, to: "big.json", in: dir)
        let bundle = ExportLoader.loadFile(dir + "/big.json")
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["anthropic.usage-messages": 1])
        XCTAssertEqual(bundle.usage.count, 24 * 31 * 3)
        XCTAssertEqual(Set(bundle.usage.map(\.day)).count, 31)
        XCTAssertEqual(bundle.usage.first?.inputTokens, 111)

        let refused = ExportLoader.loadFile(dir + "/big.json", maxFileSize: 1000)
        XCTAssertTrue(refused.keys.isEmpty && refused.usage.isEmpty)
        XCTAssertEqual(refused.problems.map(\.path), [dir + "/big.json"])
        XCTAssertTrue(refused.problems.first?.reason.hasPrefix("oversized") ?? false, "\(refused.problems)")
    }
}
