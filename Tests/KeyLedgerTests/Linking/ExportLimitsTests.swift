import XCTest
@testable import KeyLedger

/// Money and dates an export row may carry (issue 10): a non-finite or absurd amount (`1e308`), a negative cost where
/// the format has no credits, and usage dated year 9999 or before 2000 make the file an export problem — skipped and
/// counted, the reason naming the format, row or JSON path and field, never the value — instead of trapping the HTML
/// report or failing the JSON encoder with no file named.
final class ExportLimitsTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures/exports")

    static let range = "amount out of range (not finite, or beyond ±1,000,000,000 per row; value not shown)"
    static let negative = "negative amount (only credit, refund and discount rows may be negative; value not shown)"
    static let dates = "date out of range for usage (2000-01-01 to 2099-12-31; value not shown)"

    /// The fixture's header and first data row with `changes` applied (column → value).
    func mutated(_ fixture: String, _ changes: [String: String]) throws -> String {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent(fixture), encoding: .utf8)
        var rows = CSVParser.parse(text)
        for (column, value) in changes {
            let index = try XCTUnwrap(rows[0].firstIndex(of: column), column)
            rows[1][index] = value
        }
        func cell(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        return rows.prefix(2).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// Loads `text` as the export `name`; returns the problem reasons and the usage records.
    func load(_ text: String, _ name: String) -> (problems: [String], usage: [UsageRecord]) {
        let bundle = ExportLoader.load(data: Data(text.utf8), path: name)
        XCTAssertTrue(bundle.problems.allSatisfy { $0.path == name })
        return (bundle.problems.map(\.reason), bundle.usage)
    }

    static let spendHeader = "request_id,api_key,spend,prompt_tokens,completion_tokens,startTime,model\n"
    static let keyHash = String(repeating: "ab", count: 32)

    func testLiteLLMSpendLogAmountsAndDates() {
        func log(spend: String, start: String = "2026-10-14 09:31:07") -> String {
            Self.spendHeader + "r1,\(Self.keyHash),0.5,10,2,2026-10-14 09:00:00,gpt-4o\nr2,\(Self.keyHash),\(spend),10,2,\(start),gpt-4o\n"
        }
        for (bad, expected) in [("1e308", Self.range), ("1000000000.01", Self.range), ("-1e308", Self.range), ("-1e9", Self.negative),
                                ("inf", "expected a number, got \"inf\""), ("-inf", "expected a number, got \"-inf\"")] {
            let r = load(log(spend: bad), "spend.csv")
            XCTAssertEqual(r.problems, ["litellm.spend-logs: row 2: spend: \(expected)"], bad)
            XCTAssertEqual(r.usage, [], bad)
        }
        XCTAssertEqual(load(log(spend: "-0.01"), "spend.csv").problems, ["litellm.spend-logs: row 2: spend: \(Self.negative)"])
        XCTAssertEqual(load(log(spend: "0.5", start: "9999-12-01 00:00:00"), "spend.csv").problems,
                       ["litellm.spend-logs: row 2: startTime: \(Self.dates)"])
        XCTAssertEqual(load(log(spend: "0.5", start: "1999-12-31 23:59:59"), "spend.csv").problems,
                       ["litellm.spend-logs: row 2: startTime: \(Self.dates)"])
        // The cap itself is accepted, and sums exactly.
        let ok = load(log(spend: "1000000000"), "spend.csv")
        XCTAssertEqual(ok.problems, [])
        XCTAssertEqual(ok.usage.map(\.cost), [1_000_000_000.5])
        XCTAssertEqual(ok.usage.map(\.day), ["2026-10-14"])
        // JSON rows: the path names the element.
        let json = #"[{"request_id":"r1","api_key":"\#(Self.keyHash)","spend":1e308,"startTime":"2026-10-14T09:00:00Z"}]"#
        XCTAssertEqual(load(json, "spend.json").problems, ["litellm.spend-logs: [0].spend: \(Self.range)"])
    }

    func testLiteLLMDailySpendAmounts() {
        let text = "date,api_key,model,prompt_tokens,completion_tokens,spend,api_requests\n2026-10-14,\(Self.keyHash),gpt-4o,1,1,1e308,1\n"
        XCTAssertEqual(load(text, "daily.csv").problems, ["litellm.daily-spend: row 1: spend: \(Self.range)"])
        let old = "date,api_key,model,prompt_tokens,completion_tokens,spend,api_requests\n1999-01-01,\(Self.keyHash),gpt-4o,1,1,1,1\n"
        XCTAssertEqual(load(old, "daily.csv").problems, ["litellm.daily-spend: row 1: date: \(Self.dates)"])
    }

    func testOpenAICostsAmountsAndBucketDates() throws {
        func page(start: Int, value: String) -> String {
            #"{"object":"page","data":[{"object":"bucket","start_time":\#(start),"end_time":\#(start + 86400),"results":[{"object":"organization.costs.result","amount":{"value":\#(value),"currency":"usd"},"project_id":"proj_1","api_key_id":"key_1"}]}],"has_more":false}"#
        }
        XCTAssertEqual(load(page(start: 1_793_491_200, value: "1e308"), "costs.json").problems,
                       ["openai.costs: data[0].results[0].amount.value: \(Self.range)"])
        XCTAssertEqual(load(page(start: 1_793_491_200, value: "-3.5"), "costs.json").problems,
                       ["openai.costs: data[0].results[0].amount.value: \(Self.negative)"])
        // 9999-12-01 and 1990-01-01.
        XCTAssertEqual(load(page(start: 253_399_622_400, value: "1"), "costs.json").problems, ["openai.costs: data[0].start_time: \(Self.dates)"])
        XCTAssertEqual(load(page(start: 631_152_000, value: "1"), "costs.json").problems, ["openai.costs: data[0].start_time: \(Self.dates)"])
        let ok = load(page(start: 1_793_491_200, value: "2.25"), "costs.json")
        XCTAssertEqual(ok.problems, [])
        XCTAssertEqual(ok.usage.map(\.cost), [2.25])
        XCTAssertEqual(ok.usage.map(\.day), ["2026-11-01"])
    }

    func testOpenAIUsageBucketDates() {
        let page = #"{"object":"page","data":[{"object":"bucket","start_time":253399622400,"end_time":253399708800,"results":[{"object":"organization.usage.completions.result","input_tokens":5,"output_tokens":1,"num_model_requests":1,"api_key_id":"key_1","model":"gpt-4o"}]}],"has_more":false}"#
        XCTAssertEqual(load(page, "usage.json").problems, ["openai.usage: data[0].start_time: \(Self.dates)"])
    }

    func testAnthropicCostReportAmountsInCents() {
        func report(_ amount: String, start: String = "2026-11-01T00:00:00Z") -> String {
            #"{"data":[{"starting_at":"\#(start)","ending_at":"2026-11-02T00:00:00Z","results":[{"amount":"\#(amount)","currency":"USD","cost_type":"tokens","model":"claude-sonnet-4-5"}]}],"has_more":false}"#
        }
        XCTAssertEqual(load(report("1e308"), "cost.json").problems, ["anthropic.cost-report: data[0].results[0].amount: \(Self.range)"])
        // 100,000,000,001 cents is just over the cap of 1e9 dollars; 1e11 cents is the cap.
        XCTAssertEqual(load(report("100000000001"), "cost.json").problems, ["anthropic.cost-report: data[0].results[0].amount: \(Self.range)"])
        XCTAssertEqual(load(report("100000000000"), "cost.json").usage.map(\.cost), [1_000_000_000])
        XCTAssertEqual(load(report("-250"), "cost.json").problems, ["anthropic.cost-report: data[0].results[0].amount: \(Self.negative)"])
        XCTAssertEqual(load(report("12.5", start: "9999-01-01T00:00:00Z"), "cost.json").problems,
                       ["anthropic.cost-report: data[0].starting_at: \(Self.dates)"])
    }

    func testCURNegativeCostsOnlyOnCreditRows() throws {
        let usage = try mutated("aws/cur2-bedrock.csv", ["line_item_unblended_cost": "-1.5"])
        XCTAssertEqual(load(usage, "cur.csv").problems, ["aws.cur2: row 1: line_item_unblended_cost: \(Self.negative)"])
        for type in ["Credit", "Refund", "EdpDiscount", "SavingsPlanNegation"] {
            let credit = try mutated("aws/cur2-bedrock.csv", ["line_item_unblended_cost": "-1.5", "line_item_line_item_type": type])
            let r = load(credit, "cur.csv")
            XCTAssertEqual(r.problems, [], type)
            XCTAssertEqual(r.usage.map(\.cost), [-1.5], type)
        }
        let huge = try mutated("aws/cur2-bedrock.csv", ["line_item_unblended_cost": "1e308"])
        XCTAssertEqual(load(huge, "cur.csv").problems, ["aws.cur2: row 1: line_item_unblended_cost: \(Self.range)"])
        let far = try mutated("aws/cur2-bedrock.csv", ["line_item_usage_start_date": "9999-01-01T00:00:00Z"])
        XCTAssertEqual(load(far, "cur.csv").problems, ["aws.cur2: row 1: line_item_usage_start_date: \(Self.dates)"])
    }

    func testFOCUSNegativeCostsOnlyOnCreditsAndCorrections() throws {
        let usage = try mutated("focus/focus-1.2-aws.csv", ["EffectiveCost": "-2", "BilledCost": "-2"])
        XCTAssertEqual(load(usage, "focus.csv").problems, ["focus.cost: row 1: EffectiveCost: \(Self.negative)"])
        let credit = try mutated("focus/focus-1.2-aws.csv", ["EffectiveCost": "-2", "BilledCost": "-2", "ChargeCategory": "Credit"])
        XCTAssertEqual(load(credit, "focus.csv").usage.map(\.cost), [-2])
        let correction = try mutated("focus/focus-1.2-aws.csv", ["EffectiveCost": "-2", "BilledCost": "-2", "ChargeClass": "Correction"])
        XCTAssertEqual(load(correction, "focus.csv").usage.map(\.cost), [-2])
        let huge = try mutated("focus/focus-1.2-aws.csv", ["EffectiveCost": "1e308"])
        XCTAssertEqual(load(huge, "focus.csv").problems, ["focus.cost: row 1: EffectiveCost: \(Self.range)"])
        let far = try mutated("focus/focus-1.2-aws.csv", ["ChargePeriodStart": "9999-01-01T00:00:00Z"])
        XCTAssertEqual(load(far, "focus.csv").problems, ["focus.cost: row 1: ChargePeriodStart: \(Self.dates)"])
        // A row of another service is not judged on its amount.
        let other = try mutated("focus/focus-1.2-aws.csv", ["EffectiveCost": "-7", "ServiceCategory": "Compute", "ServiceName": "Amazon EC2"])
        XCTAssertEqual(load(other, "focus.csv").problems, [])
    }

    /// The whole run, as a user would: the bad export is skipped with its reason, every format renders, nothing traps.
    /// Before, `--format html` died on SIGILL and `--format json` failed with an EncodingError naming no file.
    func testScanWithAnAbsurdSpendLogSkipsItAndRendersEveryFormat() throws {
        let dir = try temporaryDirectory(self)
        try write("nothing to see\n", to: "src/readme.txt", in: dir)
        try write(Self.spendHeader + "r1,\(Self.keyHash),1e308,10,2,2026-10-14 09:00:00,gpt-4o\n", to: "exports/spend.csv", in: dir)
        for format in ["html", "json", "md", "csv"] {
            let result = try runKeyledger(["scan", dir + "/src", "--exports", dir + "/exports/spend.csv", "--format", format,
                                           "--as-of", "2026-11-20", "--output", dir + "/out." + format])
            XCTAssertEqual(result.status, 0, format + ": " + result.stderr)
            XCTAssertTrue(result.stderr.contains("keyledger: skipped export \(dir)/exports/spend.csv: litellm.spend-logs: row 1: spend: \(Self.range)"),
                          result.stderr)
        }
    }
}
