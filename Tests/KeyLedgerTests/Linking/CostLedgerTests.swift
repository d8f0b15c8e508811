import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Issue 11's table, one test per row: exports in the providers' documented shapes (shared/reference/providers.md B.1,
/// B.2, B.3, B.7), read by content, linked and priced by the cost ledger. Prices from prices/models.yml (USD per 1M).
final class CostLedgerTests: XCTestCase {
    let asOf = ISODate.parse("2026-11-20")!

    /// Loads the files, links the provider-listed keys (no scan), and returns the linked estate.
    func estate(_ files: [String: String], in dir: String, config: KeyLedgerConfig = KeyLedgerConfig()) throws -> LinkedEstate {
        for (name, text) in files { try write(text, to: name, in: dir) }
        let bundle = ExportLoader.load(paths: files.keys.sorted().map { dir + "/" + $0 })
        XCTAssertEqual(bundle.problems, [])
        return Linker(bundle: bundle, config: config, asOf: asOf).linkEstate([])
    }

    func credential(_ e: LinkedEstate, _ keyId: String) throws -> LinkedCredential {
        try XCTUnwrap(e.credentials.first { $0.providerKey?.keyId == keyId }, keyId)
    }

    /// The register of a scan of an empty folder with these exports: the summary's reconciliation line.
    func register(_ files: [String: String], in dir: String) throws -> Register {
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        for (name, text) in files { try write(text, to: "exports/" + name, in: dir) }
        return try scanRegister([dir + "/empty"], exports: [dir + "/exports"]).1
    }

    static func anthropicKey(_ id: String, hint: String, workspace: String?) -> String {
        #"{"id":"\#(id)","type":"api_key","name":"\#(id)","created_at":"2026-10-01T09:00:00Z","expires_at":null,"created_by":{"id":"user_01A","type":"user"},"partial_key_hint":"\#(hint)","status":"active","workspace_id":\#(workspace.map { "\"\($0)\"" } ?? "null")}"#
    }

    static func anthropicUsage(key: String?, workspace: String?, model: String, uncached: Int, read: Int = 0, write5m: Int = 0,
                               write1h: Int = 0, output: Int, day: String = "2026-11-10") -> String {
        let k = key.map { "\"\($0)\"" } ?? "null", w = workspace.map { "\"\($0)\"" } ?? "null"
        return #"{"data":[{"starting_at":"\#(day)T00:00:00Z","ending_at":"\#(day)T23:59:59Z","results":[{"uncached_input_tokens":\#(uncached),"cache_read_input_tokens":\#(read),"cache_creation":{"ephemeral_5m_input_tokens":\#(write5m),"ephemeral_1h_input_tokens":\#(write1h)},"output_tokens":\#(output),"server_tool_use":{"web_search_requests":0},"api_key_id":\#(k),"workspace_id":\#(w),"model":"\#(model)","service_tier":"standard","context_window":"0-200k"}]}],"has_more":false,"next_page":null}"#
    }

    static func anthropicCost(cents: String, workspace: String?, day: String = "2026-11-10") -> String {
        let w = workspace.map { "\"\($0)\"" } ?? "null"
        return #"{"data":[{"starting_at":"\#(day)T00:00:00Z","ending_at":"\#(day)T23:59:59Z","results":[{"currency":"USD","amount":"\#(cents)","workspace_id":\#(w),"description":null,"cost_type":null,"context_window":null,"model":null,"service_tier":null,"token_type":null}]}],"has_more":false,"next_page":null}"#
    }

    static func openAIUsage(_ results: [String], day: String = "2026-11-10") -> String {
        let start = Int(ISODate.parse(day)!.timeIntervalSince1970)
        return #"{"object":"page","has_more":false,"next_page":null,"data":[{"object":"bucket","start_time":\#(start),"end_time":\#(start + 86_400),"results":[\#(results.joined(separator: ","))]}]}"#
    }

    static func openAIUsageResult(key: String?, model: String?, input: Int, cached: Int = 0, output: Int, batch: Bool? = nil) -> String {
        #"{"object":"organization.usage.completions.result","input_tokens":\#(input),"input_cached_tokens":\#(cached),"output_tokens":\#(output),"input_audio_tokens":0,"output_audio_tokens":0,"num_model_requests":10,"project_id":null,"user_id":null,"api_key_id":\#(key.map { "\"\($0)\"" } ?? "null"),"model":\#(model.map { "\"\($0)\"" } ?? "null"),"batch":\#(batch.map { "\($0)" } ?? "null"),"service_tier":null}"#
    }

    static func openAICosts(_ days: [(day: String, results: [String])]) -> String {
        let buckets = days.map { d -> String in
            let start = Int(ISODate.parse(d.day)!.timeIntervalSince1970)
            return #"{"object":"bucket","start_time":\#(start),"end_time":\#(start + 86_400),"results":[\#(d.results.joined(separator: ","))]}"#
        }
        return #"{"object":"page","has_more":false,"next_page":null,"data":[\#(buckets.joined(separator: ","))]}"#
    }

    static func openAICost(_ value: Double, key: String? = nil, project: String? = nil, lineItem: String? = nil) -> String {
        #"{"object":"organization.costs.result","amount":{"value":\#(value),"currency":"usd"},"line_item":\#(lineItem.map { "\"\($0)\"" } ?? "null"),"project_id":\#(project.map { "\"\($0)\"" } ?? "null"),"api_key_id":\#(key.map { "\"\($0)\"" } ?? "null"),"quantity":null,"quantity_unit":null}"#
    }

    static let openAIKeys = #"{"object":"list","project_id":"proj_a","has_more":false,"data":[{"object":"organization.project.api_key","id":"key_a","name":"svc","redacted_value":"sk-proj-\#(String(repeating: "*", count: 152))Ab1A","created_at":1760000000,"last_used_at":1763000000,"owner_project_access":"active","owner":{"type":"user","user":{"id":"user_a","name":"A","email":"a@x.example","role":"member","created_at":1700000000}}}]}"#

    // MARK: the table

    /// Anthropic workspace with 3 keys (2 used), cost report per workspace: apportioned by priced usage, unused key $0.
    func testAnthropicWorkspaceCostIsApportionedToItsKeysByPricedUsage() throws {
        let dir = try temporaryDirectory(self)
        let keys = "{\"data\":[" + [("apikey_a", "sk-ant-api03-AAA...aaAA"), ("apikey_b", "sk-ant-api03-BBB...bbAA"), ("apikey_c", "sk-ant-api03-CCC...ccAA")]
            .map { Self.anthropicKey($0.0, hint: $0.1, workspace: "wrkspc_A") }.joined(separator: ",") + "],\"has_more\":false}"
        let e = try estate([
            "keys.json": keys,
            "usage-a.json": Self.anthropicUsage(key: "apikey_a", workspace: "wrkspc_A", model: "claude-sonnet-4-5-20250929", uncached: 1_000_000, output: 100_000),
            "usage-b.json": Self.anthropicUsage(key: "apikey_b", workspace: "wrkspc_A", model: "claude-haiku-4-5-20251001", uncached: 1_000_000, output: 100_000),
            // "1200.00" in cents = $12.00, the workspace's cost that day.
            "cost.json": Self.anthropicCost(cents: "1200.00", workspace: "wrkspc_A"),
        ], in: dir)
        // Priced usage: a = 1.0 × 3.00 + 0.1 × 15.00 = 4.50; b = 1.0 × 1.00 + 0.1 × 5.00 = 1.50; together 6.00.
        // a = 12.00 × 4.50 / 6.00 = 9.00; b = 12.00 × 1.50 / 6.00 = 3.00; c = 0 (no usage). 9 + 3 + 0 = 12.00, the bill.
        let a = try credential(e, "apikey_a"), b = try credential(e, "apikey_b"), c = try credential(e, "apikey_c")
        XCTAssertEqual(a.usage.spend30d, 9.00)
        XCTAssertEqual(b.usage.spend30d, 3.00)
        XCTAssertEqual(c.usage.spend30d, 0)
        XCTAssertNil(c.usage.daily, "the unused key carries nothing")
        XCTAssertEqual(a.usage.sources?.map(\.basis), [.providerCostApportioned])
        XCTAssertEqual(a.usage.link, "exact: api key id; approximate: wrkspc_A cost apportioned by priced usage")
        XCTAssertNil(a.usage.estimated, "billed by the provider (apportioned), not priced from the table")
        XCTAssertEqual(e.spend.unattributed, [])
    }

    /// OpenAI usage with 80% cached input tokens, no cost export: cached input at the cached rate.
    func testOpenAICachedInputIsPricedAtTheCachedRate() throws {
        let e = try estate(["keys.json": Self.openAIKeys,
                            "usage.json": Self.openAIUsage([Self.openAIUsageResult(key: "key_a", model: "gpt-4o-2024-08-06", input: 1_000_000,
                                                                                   cached: 800_000, output: 0)])], in: try temporaryDirectory(self))
        // gpt-4o: 2.50 input, 1.25 cached per 1M. 0.2 × 2.50 + 0.8 × 1.25 = 0.50 + 1.00 = 1.50 (not 2.50 at the full rate).
        let a = try credential(e, "key_a")
        XCTAssertEqual(a.usage.spend30d, 1.50)
        XCTAssertEqual(a.usage.estimated, true)
        XCTAssertEqual(a.usage.sources?.map(\.basis), [.priceTable])
    }

    /// OpenAI Batch API usage (`batch: true`): half price.
    func testOpenAIBatchUsageIsHalfPrice() throws {
        let e = try estate(["keys.json": Self.openAIKeys,
                            "usage.json": Self.openAIUsage([Self.openAIUsageResult(key: "key_a", model: "gpt-4o", input: 1_000_000, output: 1_000_000,
                                                                                   batch: true)])], in: try temporaryDirectory(self))
        // gpt-4o batch: 1.25 in, 5.00 out per 1M → 1.25 + 5.00 = 6.25 (12.50 at the standard rates).
        XCTAssertEqual(try credential(e, "key_a").usage.spend30d, 6.25)
    }

    /// Anthropic cache writes (5 min / 1 h) and cache reads: 1.25× / 2× / 0.1× input.
    func testAnthropicCacheWritesAndReadsAtTheirMultiples() throws {
        let dir = try temporaryDirectory(self)
        let e = try estate([
            "keys.json": "{\"data\":[" + Self.anthropicKey("apikey_a", hint: "sk-ant-api03-AAA...aaAA", workspace: "wrkspc_A") + "]}",
            "usage.json": Self.anthropicUsage(key: "apikey_a", workspace: "wrkspc_A", model: "claude-sonnet-4-5-20250929", uncached: 1_000_000,
                                              read: 1_000_000, write5m: 1_000_000, write1h: 1_000_000, output: 0),
        ], in: dir)
        // claude-sonnet-4-5: 3.00 input, 0.30 read, 3.75 write 5 min, 6.00 write 1 h: 3.00 + 0.30 + 3.75 + 6.00 = 13.05
        // (12.00 if all four were charged at the base input rate).
        XCTAssertEqual(try credential(e, "apikey_a").usage.spend30d, 13.05)
        // A Claude model priced without tiers falls back to the documented multiples of its input rate 10:
        // 10 + 0.1 × 10 + 1.25 × 10 + 2 × 10 = 10 + 1 + 12.5 + 20 = 43.5.
        let record = UsageRecord(provider: "anthropic", scope: .key("k"), day: "2026-11-10", cost: nil, inputTokens: 4_000_000, model: "claude-x",
                                 source: "", cachedInputTokens: 1_000_000, cacheWrite5mTokens: 1_000_000, cacheWrite1hTokens: 1_000_000)
        let table = PriceTable(overrides: [ModelPrice(model: "claude-x", provider: "anthropic", input: 10, output: 0, checked: "test")])
        XCTAssertEqual(try XCTUnwrap(table.estimate(record)), 43.5, accuracy: 1e-9)
    }

    /// The same cost buckets in two overlapping monthly pulls: counted once.
    func testIdenticalBucketsInOverlappingPullsCountOnce() throws {
        let e = try estate([
            "keys.json": Self.openAIKeys,
            "costs-october.json": Self.openAICosts([("2026-11-10", [Self.openAICost(10, key: "key_a")]), ("2026-11-11", [Self.openAICost(10, key: "key_a")])]),
            "costs-november.json": Self.openAICosts([("2026-11-11", [Self.openAICost(10, key: "key_a")]), ("2026-11-12", [Self.openAICost(10, key: "key_a")])]),
        ], in: try temporaryDirectory(self))
        // Days 11-10, 11-11 (in both files: once) and 11-12, 10.00 each: 30.00, not 40.00.
        let a = try credential(e, "key_a")
        XCTAssertEqual(a.usage.spend30d, 30)
        XCTAssertEqual(a.usage.daily?.map(\.cost), [10, 10, 10])
        XCTAssertEqual(e.spend.duplicateBuckets, 1)
        XCTAssertEqual(a.usage.sources?.first?.files.count, 2)
    }

    /// Usage of a model not in the price table: "N tokens of MODEL", a warning, never a silent $0.
    func testUnpricedModelIsListedAndWarnedNotZero() throws {
        let dir = try temporaryDirectory(self)
        let files = ["keys.json": Self.openAIKeys,
                     "usage.json": Self.openAIUsage([Self.openAIUsageResult(key: "key_a", model: "frontier-9-preview", input: 1_000_000, output: 500_000)])]
        let e = try estate(files, in: dir)
        let a = try credential(e, "key_a")
        // 1,000,000 + 500,000 = 1,500,000 tokens of an unknown model.
        XCTAssertEqual(a.usage.unpriced, ["1500000 tokens of frontier-9-preview"])
        XCTAssertNil(a.usage.estimated, "nothing was priced")
        XCTAssertTrue(a.notes.contains { $0.hasPrefix("unpriced: 1500000 tokens of frontier-9-preview") })
        let r = try register(files, in: dir + "/scan")
        XCTAssertEqual(r.summary.unpriced, ["1500000 tokens of frontier-9-preview"])
        var options = ScanOptions(request: ScanRequest(paths: [dir + "/scan/empty"]))
        options.matcher = sharedMatcher
        options.exports = [dir + "/scan/exports"]
        options.asOf = asOf
        let outcome = try ScanPipeline.run(options)
        XCTAssertTrue(outcome.diagnostics.contains { $0.message.contains("unpriced: 1500000 tokens of frontier-9-preview") }, "a warning")
    }

    static let curHeader = "bill_billing_period_start_date,line_item_line_item_type,line_item_usage_start_date,line_item_usage_account_id,line_item_product_code,line_item_usage_type,line_item_usage_amount,pricing_unit,line_item_unblended_cost,line_item_currency_code,line_item_iam_principal\n"
    static let curRows = """
    2026-11-01T00:00:00Z,Usage,2026-11-10T00:00:00Z,123456789012,AmazonBedrock,USE1-Claude4.5Sonnet-input-tokens,400,1K tokens,1.20,USD,arn:aws:iam::123456789012:user/deployer
    2026-11-01T00:00:00Z,Usage,2026-11-10T00:00:00Z,123456789012,AmazonEC2,USE1-BoxUsage:m5.large,104,Hrs,9.98,USD,arn:aws:iam::123456789012:user/deployer
    2026-11-01T00:00:00Z,Usage,2026-11-10T00:00:00Z,123456789012,AmazonS3,USE1-TimedStorage-ByteHrs,86.9,GB-Mo,2.00,USD,arn:aws:iam::123456789012:user/deployer

    """
    static let awsKeys = #"{"AccessKeyMetadata":[{"UserName":"deployer","AccessKeyId":"AKIAQYLPMN5HHHFPZAM2","Status":"Active","CreateDate":"2026-01-05T10:00:00+00:00"}]}"#

    /// CUR 2.0: one IAM user with Bedrock, EC2 and S3 rows: only Bedrock is AI spend.
    func testCUROnlyAIServicesCount() throws {
        let dir = try temporaryDirectory(self)
        try write(Self.curHeader + Self.curRows, to: "cur.csv", in: dir)
        var bundle = ExportLoader.load(paths: [dir + "/cur.csv"])
        bundle.keys = [ProviderKey(provider: "aws", keyId: "AKIAQYLPMN5HHHFPZAM2", principal: "arn:aws:iam::123456789012:user/deployer",
                                   recognition: .keyId("AKIAQYLPMN5HHHFPZAM2"), source: "keys.json")]
        let e = Linker(bundle: bundle, asOf: asOf).linkEstate([])
        // Bedrock 1.20; the EC2 (9.98) and S3 (2.00) rows of the same user are not AI spend (13.18 would be 11×).
        XCTAssertEqual(e.credentials.first?.usage.spend30d, 1.20)
        XCTAssertEqual(e.credentials.first?.usage.link, "exact: IAM principal")
    }

    /// CUR 2.0 delivered as `.csv.gz` (its normal delivery): read; a truncated gzip is reported with its file.
    func testCURDeliveredAsGzipIsRead() throws {
        let dir = try temporaryDirectory(self)
        let gz = try ArchiveFixture.make(.gzipStream, members: [("data", Array((Self.curHeader + Self.curRows).utf8))])
        try Data(gz).write(to: URL(fileURLWithPath: dir + "/cur-00001.csv.gz"))
        let bundle = ExportLoader.load(paths: [dir + "/cur-00001.csv.gz"])
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["aws.cur2": 1])
        XCTAssertEqual(bundle.usage.map(\.cost), [1.20])
        try Data(gz.prefix(gz.count / 2)).write(to: URL(fileURLWithPath: dir + "/cut.csv.gz"))
        let cut = ExportLoader.load(paths: [dir + "/cut.csv.gz"])
        XCTAssertEqual(cut.problems.map(\.path), [dir + "/cut.csv.gz"])
        XCTAssertTrue(cut.problems.first?.reason.hasPrefix("gzip: truncated or damaged stream") ?? false, cut.problems.first?.reason ?? "")
    }

    /// Anthropic usage/cost without workspace grouping (`workspace_id: null`): org-level, unattributed — not the
    /// default workspace's keys.
    func testAnthropicReportWithoutWorkspaceGroupingIsUnattributed() throws {
        let dir = try temporaryDirectory(self)
        let files = ["keys.json": "{\"data\":[" + Self.anthropicKey("apikey_d", hint: "sk-ant-api03-DDD...ddAA", workspace: nil) + "]}",
                     "cost.json": Self.anthropicCost(cents: "2500.00", workspace: nil)]
        let e = try estate(files, in: dir)
        XCTAssertEqual(try credential(e, "apikey_d").usage.spend30d, 0, "the default workspace's key is not billed the organisation's cost")
        let r = try register(files, in: dir + "/scan")
        // "2500.00" cents = 25.00, the organisation's; attributed 0 + unattributed 25.00 = 25.00, what the export says.
        XCTAssertEqual(r.summary.spend30d, 0)
        XCTAssertEqual(r.summary.unattributedSpend30d, 25.00)
        XCTAssertEqual(r.summary.unattributed?.map(\.scope), ["organization"])
    }

    /// OpenAI usage ungrouped, or costs by `line_item` only: counted as org-level unattributed spend, not dropped.
    func testOpenAIUngroupedUsageAndLineItemCostsAreUnattributed() throws {
        let dir = try temporaryDirectory(self)
        let files = [
            "keys.json": Self.openAIKeys,
            "costs.json": Self.openAICosts([("2026-11-10", [Self.openAICost(3.00, lineItem: "gpt-4o, input"), Self.openAICost(1.00, lineItem: "gpt-4o, output")]),
                                            ("2026-11-11", [Self.openAICost(7.50, key: "key_a")])]),
            "usage.json": Self.openAIUsage([Self.openAIUsageResult(key: nil, model: "gpt-4o", input: 1_000_000, output: 0)], day: "2026-11-12"),
        ]
        let r = try register(files, in: dir)
        // Attributed: key_a's 7.50 on 11-11. Unattributed: the line items of 11-10, 3.00 + 1.00 = 4.00 (billed), and the
        // ungrouped usage of 11-12, 1M gpt-4o input × 2.50 = 2.50 (priced): 6.50. Exports' total 7.50 + 4.00 + 2.50 = 14.00.
        XCTAssertEqual(r.summary.spend30d, 7.50)
        XCTAssertEqual(r.summary.unattributedSpend30d, 6.50)
        XCTAssertEqual(r.summary.spend30d + (r.summary.unattributedSpend30d ?? 0), 14.00)
        XCTAssertEqual(Set(r.summary.unattributed?.map(\.estimated) ?? []), [true, false])
    }

    /// OpenAI project key with `expires_at`: carried into `expires`.
    func testOpenAIProjectKeyExpiresAtIsCarried() throws {
        let dir = try temporaryDirectory(self)
        let listing = Self.openAIKeys.replacingOccurrences(of: #""owner_project_access":"active""#,
                                                           with: #""owner_project_access":"active","expires_at":1798761600"#)
        let e = try estate(["keys.json": listing], in: dir)
        // 1798761600 = 2027-01-01T00:00:00Z.
        XCTAssertEqual(try credential(e, "key_a").expiry, .on(ISODate.parse("2027-01-01")!))
    }

    /// Spend logs and daily spend of one LiteLLM proxy: one source per period, not both.
    func testLiteLLMSpendLogsAndDailySpendAreOneSourcePerDay() throws {
        let hash = SHA256.hex("sk-litellm-test-virtual-key")
        let dir = try temporaryDirectory(self)
        let e = try estate([
            "tokens.json": #"[{"token":"\#(hash)","key_alias":"search","team_id":"team-search","spend":2.0,"models":["gpt-4o"]}]"#,
            "spend-logs.csv": """
            request_id,call_type,api_key,spend,total_tokens,prompt_tokens,completion_tokens,startTime,endTime,model,model_group,custom_llm_provider,user,team_id,status
            chatcmpl-1,acompletion,\(hash),0.40,1100,1000,100,2026-11-10 09:00:00.000000,2026-11-10 09:00:02.000000,gpt-4o,gpt-4o,openai,,team-search,success
            chatcmpl-2,acompletion,\(hash),0.60,1600,1500,100,2026-11-10 17:00:00.000000,2026-11-10 17:00:02.000000,gpt-4o,gpt-4o,openai,,team-search,success
            chatcmpl-3,acompletion,\(hash),0.25,600,500,100,2026-11-11 09:00:00.000000,2026-11-11 09:00:02.000000,gpt-4o,gpt-4o,openai,,team-search,success

            """,
            "daily.csv": """
            id,user_id,date,api_key,model,model_group,custom_llm_provider,endpoint,prompt_tokens,completion_tokens,cache_read_input_tokens,cache_creation_input_tokens,spend,api_requests,successful_requests,failed_requests
            d1,alice@x.example,2026-11-10,\(hash),gpt-4o,gpt-4o,openai,/chat/completions,2500,200,0,0,1.00,2,2,0

            """,
        ], in: dir)
        // 11-10: both formats say 1.00 (0.40 + 0.60 in the logs, 1.00 in the daily table): once, from the daily table.
        // 11-11: only the logs, 0.25. Total 1.25 (2.25 if both were added).
        let c = try credential(e, hash)
        XCTAssertEqual(c.usage.spend30d, 1.25)
        XCTAssertEqual(c.usage.daily?.map(\.cost), [1.00, 0.25])
        XCTAssertTrue(c.notes.contains { $0.contains("one source per day") && $0.contains("litellm.spend-logs") })
    }

    // MARK: precedence and currencies

    /// A key's own bill beats its workspace's apportioned cost and its priced tokens; the rest of the workspace's cost
    /// goes to the other keys by usage.
    func testProviderCostByKeyWinsAndTheWorkspaceRemainderIsApportioned() {
        var bundle = ExportBundle()
        bundle.keys = ["k1", "k2"].map { ProviderKey(provider: "openai", keyId: $0, project: "proj_p", recognition: .keyId($0), source: "keys.json") }
        bundle.usage = [
            UsageRecord(provider: "openai", scope: .key("k1"), day: "2026-11-10", cost: 4.00, source: "costs-by-key.json"),
            UsageRecord(provider: "openai", scope: .key("k1"), day: "2026-11-10", cost: nil, inputTokens: 1_000_000, model: "gpt-4o", source: "usage.json"),
            UsageRecord(provider: "openai", scope: .key("k2"), day: "2026-11-10", cost: nil, inputTokens: 1_000_000, model: "gpt-4o", source: "usage.json"),
            UsageRecord(provider: "openai", scope: .project("proj_p"), day: "2026-11-10", cost: 10.00, source: "costs-by-project.json"),
        ]
        let e = Linker(bundle: bundle, asOf: asOf).linkEstate([])
        // k1: billed 4.00 by key (its 2.50 of priced tokens only weigh). Project 10.00 − 4.00 covered = 6.00 left, all k2's
        // (the only key without its own bill, with priced usage 2.50 > 0).
        XCTAssertEqual(e.credentials[0].usage.spend30d, 4.00)
        XCTAssertEqual(e.credentials[0].usage.sources?.map(\.basis), [.providerCostByKey])
        XCTAssertEqual(e.credentials[1].usage.spend30d, 6.00)
        XCTAssertEqual(e.credentials[1].usage.sources?.map(\.basis), [.providerCostApportioned])
        XCTAssertEqual(e.spend.unattributed, [])
    }

    /// Different currencies are never added; `currency_rates` converts when given.
    func testCurrencyRatesConvertBeforeAdding() throws {
        var bundle = ExportBundle()
        bundle.keys = [ProviderKey(provider: "openai", keyId: "k1", recognition: .keyId("k1"), source: "keys.json")]
        bundle.usage = [UsageRecord(provider: "openai", scope: .key("k1"), day: "2026-11-10", cost: 100, currency: "USD", source: "a"),
                        UsageRecord(provider: "openai", scope: .key("k1"), day: "2026-11-11", cost: 40, currency: "EUR", source: "b")]
        let plain = Linker(bundle: bundle, asOf: asOf).linkEstate([]).credentials[0]
        XCTAssertEqual(plain.usage.spend30d, 100, "EUR is not added to USD")
        XCTAssertTrue(plain.notes.contains { $0.contains("EUR") })
        let config = try KeyLedgerConfig.parse("currency_rates:\n  currency: USD\n  EUR: 1.10\n", source: "k.yml")
        let converted = Linker(bundle: bundle, config: config, asOf: asOf).linkEstate([]).credentials[0]
        // 100 + 40 × 1.10 = 144.00 USD.
        XCTAssertEqual(converted.usage.spend30d, 144.00)
        XCTAssertEqual(converted.usage.currency, "USD")
    }

    /// `--prices FILE` reads LiteLLM's price map (USD per token) and keyledger's YAML; keyledger.yml still wins.
    func testPriceListsInEitherFormat() throws {
        let dir = try temporaryDirectory(self)
        // The shape of model_prices_and_context_window.json in the litellm wheel (1.110.2), trimmed to the fields read.
        try write(#"{"sample_spec":{"input_cost_per_token":0.0,"output_cost_per_token":0.0},"frontier-9":{"input_cost_per_token":4e-06,"output_cost_per_token":1.6e-05,"cache_read_input_token_cost":4e-07,"input_cost_per_token_batches":2e-06,"output_cost_per_token_batches":8e-06,"litellm_provider":"openai","mode":"chat"}}"#,
                  to: "litellm.json", in: dir)
        let prices = try PriceList.load(path: dir + "/litellm.json")
        XCTAssertEqual(prices, [ModelPrice(model: "frontier-9", provider: "openai", input: 4, output: 16, cachedInput: 0.4, batchInput: 2,
                                           batchOutput: 8, checked: "litellm.json")])
        try write("prices:\n  - { model: frontier-9, input: 5, output: 20, checked: 2026-11-27 }\n", to: "prices.yml", in: dir)
        XCTAssertEqual(try PriceList.load(path: dir + "/prices.yml").map(\.input), [5])
        // 1M input, 0.5M cached of it, 1M output: 0.5 × 4 + 0.5 × 0.4 + 1 × 16 = 2 + 0.2 + 16 = 18.20.
        let record = UsageRecord(provider: "openai", scope: .key("k"), day: "2026-11-10", cost: nil, inputTokens: 1_000_000,
                                 outputTokens: 1_000_000, model: "frontier-9-2026", source: "", cachedInputTokens: 500_000)
        XCTAssertEqual(try XCTUnwrap(PriceTable(overrides: prices).estimate(record)), 18.20, accuracy: 1e-9)
        XCTAssertThrowsError(try PriceList.load(path: dir + "/missing.json"))
    }
}
