import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// The OpenAI Administration / Usage / Costs importers, read through `ExportLoader` (detection from content).
final class OpenAIImporterTests: XCTestCase {
    private static let project = "proj_Qm7Vt2LxR9aPz4KcW1nYbE3s"

    private func fixture(_ name: String) -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("fixtures/exports/openai/\(name)").path
    }

    /// Loads one file and asserts that it loaded cleanly as `format`.
    private func load(_ path: String, as format: String, file: StaticString = #filePath, line: UInt = #line) -> ExportBundle {
        let bundle = ExportLoader.loadFile(path)
        XCTAssertEqual(bundle.problems, [], file: file, line: line)
        XCTAssertEqual(bundle.formats, [format: 1], file: file, line: line)
        return bundle
    }

    private func date(_ seconds: Int) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    /// OpenAI's observed redaction: the first 8 characters, `*` for the rest but the last 4, length kept.
    private func redact(_ secret: String) -> String {
        String(secret.prefix(8)) + String(repeating: "*", count: secret.count - 12) + String(secret.suffix(4))
    }

    // MARK: Fixtures

    func testProjectKeysFixture() throws {
        let path = fixture("project-api-keys.json")
        let bundle = load(path, as: "openai.project-api-keys")
        XCTAssertEqual(bundle.keys.map(\.keyId), ["key_Xk4Pq9TzR2mWv7Lb", "key_Bn6Yc1Vs8QeJ3rGa", "key_Mc2Lw7Hr4TxZ9sKf"])
        XCTAssertTrue(bundle.usage.isEmpty)
        guard bundle.keys.count == 3 else { return }

        let user = bundle.keys[0]
        XCTAssertEqual(user.provider, "openai")
        XCTAssertEqual(user.name, "checkout-service prod")
        XCTAssertEqual(user.principal, "priya.raman@example.com")
        XCTAssertEqual(user.owner, "priya.raman@example.com")
        XCTAssertEqual(user.project, Self.project)
        XCTAssertEqual(user.created, date(1_773_480_067))
        XCTAssertEqual(user.lastUsed, date(1_795_017_764))
        XCTAssertEqual(user.status, "active")
        XCTAssertNil(user.privilege)
        XCTAssertEqual(user.recognition, .hint(prefix: "sk-proj-", suffix: "tVDA", length: 164))
        XCTAssertEqual(user.source, path)

        let serviceAccount = bundle.keys[1]
        XCTAssertEqual(serviceAccount.principal, "service_account:svc_acct_Rt5Wq8ZmN2cKp7Dv")
        XCTAssertEqual(serviceAccount.owner, "batch-runner")
        XCTAssertEqual(serviceAccount.project, Self.project)
        XCTAssertEqual(serviceAccount.recognition, .hint(prefix: "sk-svcac", suffix: "CgyA", length: 167))

        let inactive = bundle.keys[2]
        XCTAssertEqual(inactive.status, "inactive")
        XCTAssertNil(inactive.lastUsed)
        XCTAssertEqual(inactive.created, date(1_762_157_700))
        XCTAssertEqual(inactive.principal, "tomasz.nowak@example.com")
    }

    func testAdminKeysFixture() throws {
        let bundle = load(fixture("admin-api-keys.json"), as: "openai.admin-api-keys")
        XCTAssertEqual(bundle.keys.map(\.keyId), ["key_Ad9Wm3Qz7RtLp2Vc", "key_Ad4Hx8Nc1KsYe6Tb"])
        guard bundle.keys.count == 2 else { return }
        XCTAssertEqual(bundle.keys.map(\.privilege), ["admin", "admin"])
        XCTAssertEqual(bundle.keys.map(\.project), [nil, nil])

        let user = bundle.keys[0]
        XCTAssertEqual(user.name, "usage-exporter")
        XCTAssertEqual(user.principal, "user_Hf83KdQ2nVb6TzWp")
        XCTAssertEqual(user.owner, "Priya Raman")
        XCTAssertEqual(user.created, date(1_768_226_602))
        XCTAssertEqual(user.lastUsed, date(1_795_068_005))
        XCTAssertEqual(user.recognition, .hint(prefix: "sk-admin", suffix: "KXMA", length: 133))

        let bot = bundle.keys[1]
        XCTAssertEqual(bot.principal, "service_account:svc_acct_Ko3Vn9Lq5WzB1mRx")
        XCTAssertEqual(bot.owner, "rotation-bot")
        XCTAssertNil(bot.lastUsed)
        XCTAssertEqual(bot.recognition, .hint(prefix: "sk-admin", suffix: "uXJA", length: 133))
    }

    func testUsageFixture() throws {
        let path = fixture("usage-completions.json")
        let bundle = load(path, as: "openai.usage")
        XCTAssertTrue(bundle.keys.isEmpty)
        let expected = [
            // input_cached_tokens are a part of input_tokens, priced at the cached rate (issue 11).
            UsageRecord(provider: "openai", scope: .key("key_Xk4Pq9TzR2mWv7Lb"), day: "2026-11-01", cost: nil, inputTokens: 182_340,
                        outputTokens: 35_210, requests: 412, model: "gpt-4o-2024-08-06", source: path, cachedInputTokens: 40_960,
                        bucket: "completions"),
            UsageRecord(provider: "openai", scope: .key("key_Bn6Yc1Vs8QeJ3rGa"), day: "2026-11-01", cost: nil, inputTokens: 920_115,
                        outputTokens: 210_400, requests: 1830, model: "gpt-4o-mini-2024-07-18", source: path, bucket: "completions"),
            UsageRecord(provider: "openai", scope: .project(Self.project), day: "2026-11-01", cost: nil, inputTokens: 5120,
                        outputTokens: 880, requests: 9, model: "gpt-4o-2024-08-06", source: path, bucket: "completions"),
            UsageRecord(provider: "openai", scope: .key("key_Xk4Pq9TzR2mWv7Lb"), day: "2026-11-02", cost: nil, inputTokens: 201_877,
                        outputTokens: 40_112, requests: 455, model: "gpt-4o-2024-08-06", source: path, cachedInputTokens: 51_200,
                        bucket: "completions"),
        ]
        XCTAssertEqual(bundle.usage, expected)
        XCTAssertEqual(bundle.usage.map(\.currency), ["USD", "USD", "USD", "USD"])
    }

    func testCostsFixture() throws {
        let path = fixture("costs.json")
        let bundle = load(path, as: "openai.costs")
        XCTAssertEqual(bundle.usage.map(\.scope), [.key("key_Xk4Pq9TzR2mWv7Lb"), .key("key_Xk4Pq9TzR2mWv7Lb"), .key("key_Bn6Yc1Vs8QeJ3rGa"),
                                                   .project(Self.project), .key("key_Xk4Pq9TzR2mWv7Lb")])
        XCTAssertEqual(bundle.usage.map(\.day), ["2026-11-01", "2026-11-01", "2026-11-01", "2026-11-01", "2026-11-02"])
        XCTAssertEqual(bundle.usage.map(\.currency), Array(repeating: "USD", count: 5))
        let costs = bundle.usage.compactMap(\.cost)
        XCTAssertEqual(costs.count, 5)
        for (got, want) in zip(costs, [0.45585, 0.3521, 0.13801725, 0.012, 0.5046925]) { XCTAssertEqual(got, want, accuracy: 1e-12) }
        XCTAssertEqual(bundle.usage.map(\.inputTokens), [0, 0, 0, 0, 0])
        XCTAssertEqual(bundle.usage.map(\.provider), Array(repeating: "openai", count: 5))
    }

    /// Every fixture is claimed by exactly one importer, OpenAI or otherwise.
    func testEachFixtureHasExactlyOneImporter() throws {
        for name in ["project-api-keys.json", "admin-api-keys.json", "usage-completions.json", "costs.json"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: fixture(name)))
            let content = try XCTUnwrap(ExportLoader.parse(data), name)
            let claiming = ExportLoader.importers.filter { $0.recognises(content) }.map { $0.format }
            XCTAssertEqual(claiming.count, 1, "\(name) claimed by \(claiming)")
        }
    }

    // MARK: Shapes

    func testRedactionHintForms() {
        XCTAssertEqual(RedactionHint.parse("sk-abc...def"), .hint(prefix: "sk-abc", suffix: "def", length: nil))
        XCTAssertEqual(RedactionHint.parse("sk-admin...xyz"), .hint(prefix: "sk-admin", suffix: "xyz", length: nil))
        XCTAssertEqual(RedactionHint.parse("sk-proj-****abcd"), .hint(prefix: "sk-proj-", suffix: "abcd", length: 16))
        XCTAssertEqual(RedactionHint.parse("sk-a**b**cd"), .hint(prefix: "sk-a", suffix: "cd", length: 11))
        XCTAssertNil(RedactionHint.parse("sk-proj-nothingmasked"))
        XCTAssertNil(RedactionHint.parse("********"))
        XCTAssertNil(RedactionHint.parse("..."))
    }

    /// A never-issued key from the factory, listed under its redaction: the hint recognises it and no other key.
    func testRedactionHintsRecogniseGeneratedKeys() throws {
        var factory = CredentialFactory()
        let secrets = [factory.openAIProjectKey(), factory.openAIServiceAccountKey(), factory.openAIAdminKey()]
        let other = factory.openAIProjectKey()
        let dir = try temporaryDirectory(self)
        let entries = secrets.prefix(2).enumerated().map { i, secret in
            #"{"object":"organization.project.api_key","id":"key_gen\#(i)","name":"generated","redacted_value":"\#(redact(secret))","created_at":1790000000,"last_used_at":null,"owner":{"type":"user","user":{"id":"user_gen","email":"dev@example.com"}}}"#
        }
        try write("[" + entries.joined(separator: ",") + "]", to: "keys.json", in: dir)
        try write(#"{"object":"list","data":[{"object":"organization.admin_api_key","id":"key_genadmin","redacted_value":"\#(redact(secrets[2]))","owner":{"type":"user","id":"user_gen","name":"Dev"}}]}"#,
                  to: "admin.json", in: dir)
        let bundle = ExportLoader.load(paths: [dir])
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["openai.project-api-keys": 1, "openai.admin-api-keys": 1])
        let keys = bundle.keys.sorted { $0.keyId < $1.keyId }
        XCTAssertEqual(keys.map(\.keyId), ["key_gen0", "key_gen1", "key_genadmin"])
        guard keys.count == 3 else { return }
        func recognises(_ key: ProviderKey, _ secret: String) -> Bool {
            guard case .hint(let prefix, let suffix, let length) = key.recognition else { return false }
            return secret.hasPrefix(prefix) && secret.hasSuffix(suffix) && (length == nil || secret.count == length)
        }
        for (key, secret) in zip(keys, secrets) {
            guard case .hint(_, let suffix, let length) = key.recognition else { XCTFail("\(key.keyId): not a hint"); continue }
            XCTAssertEqual(suffix.count, 4)
            XCTAssertEqual(length, secret.count)
            XCTAssertTrue(recognises(key, secret), "\(key.keyId): hint does not recognise its generated key (\(Secret(secret).redacted))")
            assertNoPlaintext("\(key)", [secret], "parsed key")
        }
        XCTAssertFalse(recognises(keys[0], other), "the hint of one generated key also recognises another")
        XCTAssertFalse(recognises(keys[0], secrets[1]), "a project-key hint recognises a service-account key")
        XCTAssertEqual(keys[2].privilege, "admin")
    }

    func testBareArrayJSONLinesAndProjectAnnotations() throws {
        let dir = try temporaryDirectory(self)
        let key = { (id: String, extra: String) in
            #"{"object":"organization.project.api_key","id":"\#(id)","name":"k","redacted_value":"sk-abc...def","created_at":"1790000000","last_used_at":0,\#(extra)"owner":{"type":"service_account","service_account":{"id":"svc_acct_x","name":"ci","role":"member"}}}"#
        }
        try write("[\(key("key_a", "")),\(key("key_b", #""project_id":"proj_b","#))]", to: "array.json", in: dir)
        try write(key("key_c", "") + "\n" + key("key_d", "") + "\n", to: "lines.jsonl", in: dir)
        try write(#"{"object":"list","project":{"id":"proj_nested","name":"Nested"},"data":[\#(key("key_e", ""))]}"#, to: "nested.json", in: dir)
        try write(key("key_f", #""project_id":"proj_single","#), to: "single.json", in: dir)
        let bundle = ExportLoader.load(paths: [dir + "/array.json", dir + "/lines.jsonl", dir + "/nested.json", dir + "/single.json"])
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["openai.project-api-keys": 4])
        XCTAssertEqual(bundle.keys.map(\.keyId), ["key_a", "key_b", "key_c", "key_d", "key_e", "key_f"])
        XCTAssertEqual(bundle.keys.map(\.project), [nil, "proj_b", nil, nil, "proj_nested", "proj_single"])
        XCTAssertEqual(bundle.keys.first?.recognition, .hint(prefix: "sk-abc", suffix: "def", length: nil))
        XCTAssertEqual(bundle.keys.first?.created, date(1_790_000_000))
        XCTAssertNil(bundle.keys.first?.lastUsed)
        XCTAssertEqual(bundle.keys.first?.principal, "service_account:svc_acct_x")
        XCTAssertEqual(bundle.keys.first?.owner, "ci")
    }

    func testLyingFileNamesAreDetectedFromContent() throws {
        let dir = try temporaryDirectory(self)
        try FileManager.default.copyItem(atPath: fixture("costs.json"), toPath: dir + "/anthropic-cost-report.json")
        try FileManager.default.copyItem(atPath: fixture("usage-completions.json"), toPath: dir + "/keys.csv")
        try FileManager.default.copyItem(atPath: fixture("admin-api-keys.json"), toPath: dir + "/project-api-keys.json")
        let bundle = ExportLoader.load(paths: [dir])
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["openai.costs": 1, "openai.usage": 1, "openai.admin-api-keys": 1])
    }

    func testLenientValues() throws {
        let dir = try temporaryDirectory(self)
        // Numbers as strings, null and missing dimensions, a non-completions result, an hourly ISO start.
        try write(#"""
        {"object":"page","data":[{"object":"bucket","start_time":"2026-11-05T13:00:00Z","end_time":null,"results":[
          {"object":"organization.usage.embeddings.result","input_tokens":"1200","num_model_requests":"3","api_key_id":"key_e","model":null},
          {"object":"organization.usage.images.result","images":4,"num_model_requests":4,"project_id":"proj_i","api_key_id":null},
          {"object":"organization.usage.completions.result","input_tokens":10,"output_tokens":null,"num_model_requests":1}
        ]}],"has_more":false,"next_page":null}
        """#, to: "usage.json", in: dir)
        try write(#"{"object":"page","data":[{"object":"bucket","start_time":1793491200,"results":[{"object":"organization.costs.result","amount":{"value":"0.25","currency":"eur"},"project_id":"proj_c","api_key_id":null}]}]}"#,
                  to: "costs.json", in: dir)
        let bundle = ExportLoader.load(paths: [dir + "/usage.json", dir + "/costs.json"])
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.usage, [
            UsageRecord(provider: "openai", scope: .key("key_e"), day: "2026-11-05", cost: nil, inputTokens: 1200, requests: 3,
                        source: dir + "/usage.json", bucket: "embeddings"),
            UsageRecord(provider: "openai", scope: .project("proj_i"), day: "2026-11-05", cost: nil, requests: 4, source: dir + "/usage.json",
                        bucket: "images"),
            // Grouped by neither key nor project: the organisation's, kept as unattributed spend (issue 11), never dropped.
            UsageRecord(provider: "openai", scope: .organization("openai"), day: "2026-11-05", cost: nil, inputTokens: 10, requests: 1,
                        source: dir + "/usage.json", bucket: "completions"),
            UsageRecord(provider: "openai", scope: .project("proj_c"), day: "2026-11-01", cost: 0.25, currency: "EUR", source: dir + "/costs.json"),
        ])
    }

    func testEmptyPages() throws {
        let dir = try temporaryDirectory(self)
        try write(#"{"object":"page","data":[],"has_more":false,"next_page":null}"#, to: "empty-page.json", in: dir)
        try write(#"{"object":"page","data":[{"object":"bucket","start_time":1793491200,"end_time":1793577600,"results":[]}],"has_more":false}"#,
                  to: "empty-bucket.json", in: dir)
        try write(#"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#, to: "empty-list.json", in: dir)
        let bundle = ExportLoader.load(paths: [dir + "/empty-page.json", dir + "/empty-bucket.json", dir + "/empty-list.json"])
        // An empty list page (a project without keys, as `collect` saves it) is an admin listing with nothing in it.
        XCTAssertEqual(bundle.formats, ["openai.usage": 2, "admin-listing": 1])
        XCTAssertTrue(bundle.usage.isEmpty && bundle.keys.isEmpty)
        XCTAssertEqual(bundle.problems.map(\.path), [])
    }

    /// OpenAI's OpenAPI description names a bucket's array `result` (the API and its reference example answer
    /// `results`): a page saved by a client generated from the description reads the same.
    func testBucketArrayNamedResult() throws {
        let dir = try temporaryDirectory(self)
        try write(#"{"object":"page","data":[{"object":"bucket","start_time":1793491200,"end_time":1793577600,"result":[{"object":"organization.usage.completions.result","input_tokens":1200,"output_tokens":300,"num_model_requests":4,"api_key_id":"key_Xk4Pq9TzR2mWv7Lb","model":"gpt-4o-mini-2024-07-18"}]}],"has_more":false,"next_page":null}"#,
                  to: "usage.json", in: dir)
        try write(#"{"object":"page","data":[{"object":"bucket","start_time":1793491200,"end_time":1793577600,"result":[{"object":"organization.costs.result","amount":{"value":0.42,"currency":"usd"},"line_item":"gpt-4o, input","project_id":"proj_c"}]}],"has_more":false}"#,
                  to: "costs.json", in: dir)
        let usage = load(dir + "/usage.json", as: "openai.usage")
        XCTAssertEqual(usage.usage.map(\.inputTokens), [1200])
        XCTAssertEqual(usage.usage.map(\.requests), [4])
        let costs = load(dir + "/costs.json", as: "openai.costs")
        XCTAssertEqual(costs.usage.count, 1)
        XCTAssertEqual(costs.usage.first?.cost, 0.42)
    }

    // MARK: Malformed files

    func testMalformedFilesAreReportedAndOthersStillLoad() throws {
        let dir = try temporaryDirectory(self)
        var factory = CredentialFactory()
        let plaintext = factory.openAIProjectKey()
        let bucket = { (results: String) in #"{"object":"bucket","start_time":1793491200,"end_time":1793577600,"results":[\#(results)]}"# }
        let usage = #"{"object":"organization.usage.completions.result","input_tokens":5,"output_tokens":1,"num_model_requests":1,"api_key_id":"key_ok"}"#
        let cases: [(file: String, content: String, reason: String)] = [
            ("wrong-type.json",
             #"{"object":"page","data":[\#(bucket(usage)),\#(bucket(usage)),\#(bucket(#"{"object":"organization.usage.completions.result","input_tokens":"abc","api_key_id":"key_x"}"#))]}"#,
             #"openai.usage: data[2].results[0].input_tokens: expected a number, got string "abc""#),
            ("missing-redacted.json",
             #"{"object":"list","data":[{"object":"organization.project.api_key","id":"key_1","name":"x"}]}"#,
             #"openai.project-api-keys: data[0]: missing "redacted_value""#),
            ("plaintext-value.json",
             #"{"object":"list","data":[{"object":"organization.project.api_key","id":"key_1","redacted_value":"\#(plaintext)"}]}"#,
             "openai.project-api-keys: data[0].redacted_value: not a redaction hint (expected \"prefix...suffix\" or \"*\" masking; value not shown)"),
            ("missing-id.json",
             #"{"object":"list","data":[{"object":"organization.admin_api_key","id":"key_ok","redacted_value":"sk-admin...abc"},{"object":"organization.admin_api_key","redacted_value":"sk-admin...abc"}]}"#,
             #"openai.admin-api-keys: data[1]: missing "id""#),
            ("numeric-id.json",
             #"{"object":"list","data":[{"object":"organization.admin_api_key","id":42,"redacted_value":"sk-admin...abc"}]}"#,
             "openai.admin-api-keys: data[0].id: expected a string, got number 42"),
            ("bad-date.json",
             #"{"object":"list","data":[{"object":"organization.project.api_key","id":"key_1","redacted_value":"sk-abc...def","created_at":"yesterday"}]}"#,
             #"openai.project-api-keys: data[0].created_at: expected a date, got string "yesterday""#),
            ("missing-start.json",
             #"{"object":"page","data":[{"object":"bucket","end_time":1793577600,"results":[\#(usage)]}]}"#,
             #"openai.usage: data[0]: missing "start_time""#),
            ("missing-amount.json",
             #"{"object":"page","data":[\#(bucket(#"{"object":"organization.costs.result","line_item":"x","project_id":"proj_1"}"#))]}"#,
             #"openai.costs: data[0].results[0]: missing "amount""#),
            ("mixed.json",
             #"{"object":"page","data":[\#(bucket(usage + #",{"object":"organization.costs.result","amount":{"value":1,"currency":"usd"}}"#))]}"#,
             #"openai.usage: data[0].results[1]: expected "object": "organization.usage.…", got "organization.costs.result""#),
            ("negative.json",
             #"{"object":"page","data":[\#(bucket(#"{"object":"organization.usage.completions.result","input_tokens":-5,"api_key_id":"k"}"#))]}"#,
             "openai.usage: data[0].results[0].input_tokens: expected a count, got number -5"),
            ("empty.json", "  \n", "empty file"),
            ("braces.json", "{}", "not a recognised export"),
            ("truncated.json", String(try String(contentsOfFile: fixture("usage-completions.json"), encoding: .utf8).prefix(700)),
             "not valid JSON"),
        ]
        for c in cases { try write(c.content, to: c.file, in: dir) }
        try FileManager.default.copyItem(atPath: fixture("project-api-keys.json"), toPath: dir + "/good.json")

        let bundle = ExportLoader.load(paths: [dir])
        XCTAssertEqual(bundle.formats, ["openai.project-api-keys": 1])
        XCTAssertEqual(bundle.keys.count, 3)
        assertOneProblemEach(bundle, cases.map { ($0.file, $0.reason) }, in: dir)
        assertNoPlaintext(bundle.problems.map(\.reason).joined(separator: "\n"), [plaintext], "problem reasons")
    }

    func testLargeFileParsesAndOversizedIsRefused() throws {
        let dir = try temporaryDirectory(self)
        var buckets: [String] = []
        let start = 1_790_000_000 - 1_790_000_000 % 86400
        for day in 0..<60 {
            var results: [String] = []
            for k in 0..<20 {
                results.append(#"{"object":"organization.usage.completions.result","input_tokens":\#(1000 + k),"input_cached_tokens":0,"output_tokens":\#(day),"num_model_requests":1,"project_id":"proj_big","user_id":null,"api_key_id":"key_\#(k)","model":"gpt-4o-mini-2024-07-18","batch":false,"service_tier":"default"}"#)
            }
            buckets.append(#"{"object":"bucket","start_time":\#(start + day * 86400),"end_time":\#(start + (day + 1) * 86400),"results":[\#(results.joined(separator: ",\n"))]}"#)
        }
        let text = #"{"object":"page","data":[\#(buckets.joined(separator: ",\n"))],"has_more":false,"next_page":null}"#
        XCTAssertGreaterThan(text.utf8.count, 300_000)
        try write(text, to: "big.json", in: dir)
        let bundle = ExportLoader.loadFile(dir + "/big.json")
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["openai.usage": 1])
        XCTAssertEqual(bundle.usage.count, 1200)
        XCTAssertEqual(Set(bundle.usage.map(\.day)).count, 60)
        XCTAssertEqual(bundle.usage.last?.outputTokens, 59)

        let refused = ExportLoader.loadFile(dir + "/big.json", maxFileSize: 1000)
        XCTAssertTrue(refused.keys.isEmpty && refused.usage.isEmpty)
        XCTAssertEqual(refused.problems.map(\.path), [dir + "/big.json"])
        XCTAssertTrue(refused.problems.first?.reason.hasPrefix("oversized") ?? false, "\(refused.problems)")
    }
}
