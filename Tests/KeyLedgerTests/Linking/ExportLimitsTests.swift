import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Money and dates an export row may carry (issues 10, 11): a non-finite (`NaN`, `inf`) or absurd amount (`1e308`), a
/// negative cost where the row is no credit, usage dated year 9999, before 2000 or outside the billing period the export
/// states. Such a row is skipped and counted — the reason naming the format, row or JSON path and field, never the
/// value — and the rest of the file still counts (before issue 11 the whole file was skipped). A file whose every row
/// is skipped says that nothing usable was read.
final class ExportLimitsTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures/exports")

    static let range = "amount out of range (not finite, or beyond ±1,000,000,000 per row; value not shown)"
    static let negative = "negative amount (only credit, refund and discount rows may be negative; value not shown)"
    static let dates = "date out of range for usage (2000-01-01 to 2099-12-31; value not shown)"
    static let rowSkipped = "; row skipped"

    /// The problem line of a file none of whose rows was usable.
    static func nothing(_ format: String) -> String { format + ": recognised, but every row was skipped; nothing usable was read" }

    /// The fixture's header and first data row with `changes` applied (column → value).
    func mutated(_ fixture: String, _ changes: [String: String]) throws -> String {
        try mutated(fixture, changes, keepAllRows: false)
    }

    /// The fixture with `changes` applied to its first data row; every row kept when `keepAllRows`.
    func mutated(_ fixture: String, _ changes: [String: String], keepAllRows: Bool) throws -> String {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent(fixture), encoding: .utf8)
        var rows = CSVParser.parse(text)
        for (column, value) in changes {
            let index = try XCTUnwrap(rows[0].firstIndex(of: column), column)
            rows[1][index] = value
        }
        func cell(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        return rows.prefix(keepAllRows ? rows.count : 2).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// Loads `text` as the export `name`; returns the problem reasons and the usage records.
    func load(_ text: String, _ name: String) -> (problems: [String], usage: [UsageRecord]) {
        let bundle = ExportLoader.load(data: Data(text.utf8), path: name)
        XCTAssertTrue(bundle.problems.allSatisfy { $0.path == name })
        return (bundle.problems.map(\.reason), bundle.usage)
    }

    static let spendHeader = "request_id,api_key,spend,prompt_tokens,completion_tokens,startTime,model\n"
    static let keyHash = String(repeating: "ab", count: 32)

    /// Row 2 of a two-row spend log is bad: it alone is skipped, row 1 still counts.
    func testLiteLLMSpendLogSkipsTheBadRowAndKeepsTheRest() {
        func log(spend: String, start: String = "2026-10-14 09:31:07") -> String {
            Self.spendHeader + "r1,\(Self.keyHash),0.5,10,2,2026-10-14 09:00:00,gpt-4o\nr2,\(Self.keyHash),\(spend),10,2,\(start),gpt-4o\n"
        }
        let row1 = UsageRecord(provider: "litellm", scope: .secretHash(Self.keyHash), day: "2026-10-14", cost: 0.5, inputTokens: 10,
                               outputTokens: 2, requests: 1, model: "gpt-4o", source: "spend.csv")
        for bad in ["1e308", "1000000000.01", "-1e308", "inf", "-inf", "NaN", "nan", "Infinity"] {
            let r = load(log(spend: bad), "spend.csv")
            XCTAssertEqual(r.problems, ["litellm.spend-logs: row 2: spend: \(Self.range)\(Self.rowSkipped)"], bad)
            XCTAssertEqual(r.usage, [row1], bad)
        }
        for bad in ["-1e9", "-0.01"] {
            let r = load(log(spend: bad), "spend.csv")
            XCTAssertEqual(r.problems, ["litellm.spend-logs: row 2: spend: \(Self.negative)\(Self.rowSkipped)"], bad)
            XCTAssertEqual(r.usage, [row1], bad)
        }
        for start in ["9999-12-01 00:00:00", "1999-12-31 23:59:59"] {
            let r = load(log(spend: "0.5", start: start), "spend.csv")
            XCTAssertEqual(r.problems, ["litellm.spend-logs: row 2: startTime: \(Self.dates)\(Self.rowSkipped)"], start)
            XCTAssertEqual(r.usage, [row1], start)
        }
        // The value itself never appears.
        XCTAssertFalse(load(log(spend: "123456789012.5"), "spend.csv").problems.joined().contains("123456789012"))
        // The cap itself is accepted, and sums exactly.
        let ok = load(log(spend: "1000000000"), "spend.csv")
        XCTAssertEqual(ok.problems, [])
        XCTAssertEqual(ok.usage.map(\.cost), [1_000_000_000.5])
        XCTAssertEqual(ok.usage.map(\.day), ["2026-10-14"])
        // JSON rows: the path names the element; a file whose only row is bad says nothing usable was read.
        let json = #"[{"request_id":"r1","api_key":"\#(Self.keyHash)","spend":1e308,"startTime":"2026-10-14T09:00:00Z"}]"#
        XCTAssertEqual(load(json, "spend.json").problems,
                       ["litellm.spend-logs: [0].spend: \(Self.range)\(Self.rowSkipped)", Self.nothing("litellm.spend-logs")])
    }

    /// Ten skipped rows are listed one by one; the rest are counted in one line, and the good rows still count.
    func testManyBadRowsAreListedUpToTenThenCounted() {
        var text = Self.spendHeader
        for i in 1...13 { text += "r\(i),\(Self.keyHash),1e308,1,1,2026-10-14 09:00:00,gpt-4o\n" }
        text += "r14,\(Self.keyHash),0.25,1,1,2026-10-14 10:00:00,gpt-4o\n"
        let r = load(text, "spend.csv")
        XCTAssertEqual(r.problems, (1...10).map { "litellm.spend-logs: row \($0): spend: \(Self.range)\(Self.rowSkipped)" }
                       + ["litellm.spend-logs: 3 more rows skipped for amounts or dates out of bounds"])
        XCTAssertEqual(r.usage.map(\.cost), [0.25])
        XCTAssertEqual(r.usage.map(\.requests), [1])
        XCTAssertTrue(r.problems.allSatisfy(ExportLimits.isRowProblem))
    }

    func testLiteLLMDailySpendAmounts() {
        let header = "date,api_key,model,prompt_tokens,completion_tokens,spend,api_requests\n"
        let good = "2026-10-15,\(Self.keyHash),gpt-4o,1,1,2,1\n"
        let text = header + "2026-10-14,\(Self.keyHash),gpt-4o,1,1,1e308,1\n" + good
        let r = load(text, "daily.csv")
        XCTAssertEqual(r.problems, ["litellm.daily-spend: row 1: spend: \(Self.range)\(Self.rowSkipped)"])
        XCTAssertEqual(r.usage.map(\.day), ["2026-10-15"])
        XCTAssertEqual(r.usage.map(\.cost), [2])
        let old = header + "1999-01-01,\(Self.keyHash),gpt-4o,1,1,1,1\n"
        XCTAssertEqual(load(old, "daily.csv").problems,
                       ["litellm.daily-spend: row 1: date: \(Self.dates)\(Self.rowSkipped)", Self.nothing("litellm.daily-spend")])
    }

    func testOpenAICostsAmountsAndBucketDates() throws {
        // A bad bucket or result next to a good bucket of 2026-11-02 ($4): only the bad one is skipped.
        func page(start: Int, value: String) -> String {
            func bucket(_ start: Int, _ value: String) -> String {
                #"{"object":"bucket","start_time":\#(start),"end_time":\#(start + 86400),"results":[{"object":"organization.costs.result","amount":{"value":\#(value),"currency":"usd"},"project_id":"proj_1","api_key_id":"key_1"}]}"#
            }
            return #"{"object":"page","data":[\#(bucket(start, value)),\#(bucket(1_793_577_600, "4"))],"has_more":false}"#
        }
        func check(_ text: String, _ expected: String, line: UInt = #line) {
            let r = load(text, "costs.json")
            XCTAssertEqual(r.problems, ["openai.costs: \(expected)\(Self.rowSkipped)"], line: line)
            XCTAssertEqual(r.usage.map(\.cost), [4], line: line)
            XCTAssertEqual(r.usage.map(\.day), ["2026-11-02"], line: line)
        }
        check(page(start: 1_793_491_200, value: "1e308"), "data[0].results[0].amount.value: \(Self.range)")
        check(page(start: 1_793_491_200, value: #""NaN""#), "data[0].results[0].amount.value: \(Self.range)")
        check(page(start: 1_793_491_200, value: "-3.5"), "data[0].results[0].amount.value: \(Self.negative)")
        // 9999-12-01 and 1990-01-01.
        check(page(start: 253_399_622_400, value: "1"), "data[0].start_time: \(Self.dates)")
        check(page(start: 631_152_000, value: "1"), "data[0].start_time: \(Self.dates)")
        let ok = load(page(start: 1_793_491_200, value: "2.25"), "costs.json")
        XCTAssertEqual(ok.problems, [])
        XCTAssertEqual(ok.usage.map(\.cost), [2.25, 4])
        XCTAssertEqual(ok.usage.map(\.day), ["2026-11-01", "2026-11-02"])
    }

    func testOpenAIUsageBucketDates() {
        let page = #"{"object":"page","data":[{"object":"bucket","start_time":253399622400,"end_time":253399708800,"results":[{"object":"organization.usage.completions.result","input_tokens":5,"output_tokens":1,"num_model_requests":1,"api_key_id":"key_1","model":"gpt-4o"}]}],"has_more":false}"#
        XCTAssertEqual(load(page, "usage.json").problems,
                       ["openai.usage: data[0].start_time: \(Self.dates)\(Self.rowSkipped)", Self.nothing("openai.usage")])
    }

    func testAnthropicCostReportAmountsInCents() {
        func report(_ amount: String, start: String = "2026-11-01T00:00:00Z") -> String {
            #"{"data":[{"starting_at":"\#(start)","ending_at":"2026-11-02T00:00:00Z","results":[{"amount":"\#(amount)","currency":"USD","cost_type":"tokens","model":"claude-sonnet-4-5"},{"amount":"300","currency":"USD","cost_type":"tokens","model":"claude-haiku-4-5"}]}],"has_more":false}"#
        }
        func check(_ text: String, _ expected: String, usage: [Double?] = [3], line: UInt = #line) {
            let r = load(text, "cost.json")
            XCTAssertEqual(r.problems, ["anthropic.cost-report: \(expected)\(Self.rowSkipped)"] + (usage.isEmpty ? [Self.nothing("anthropic.cost-report")] : []),
                           line: line)
            XCTAssertEqual(r.usage.map(\.cost), usage, line: line)
        }
        check(report("1e308"), "data[0].results[0].amount: \(Self.range)")
        check(report("NaN"), "data[0].results[0].amount: \(Self.range)")
        // 100,000,000,001 cents is just over the cap of 1e9 dollars; 1e11 cents is the cap.
        check(report("100000000001"), "data[0].results[0].amount: \(Self.range)")
        XCTAssertEqual(load(report("100000000000"), "cost.json").usage.map(\.cost), [1_000_000_000, 3])
        check(report("-250"), "data[0].results[0].amount: \(Self.negative)")
        // A bucket out of range takes its results with it.
        check(report("12.5", start: "9999-01-01T00:00:00Z"), "data[0].starting_at: \(Self.dates)", usage: [])
    }

    func testCURNegativeCostsOnlyOnCreditRows() throws {
        let usage = try mutated("aws/cur2-bedrock.csv", ["line_item_unblended_cost": "-1.5"])
        XCTAssertEqual(load(usage, "cur.csv").problems, ["aws.cur2: row 1: line_item_unblended_cost: \(Self.negative)\(Self.rowSkipped)",
                                                         Self.nothing("aws.cur2")])
        for type in ["Credit", "Refund", "EdpDiscount", "SavingsPlanNegation"] {
            let credit = try mutated("aws/cur2-bedrock.csv", ["line_item_unblended_cost": "-1.5", "line_item_line_item_type": type])
            let r = load(credit, "cur.csv")
            XCTAssertEqual(r.problems, [], type)
            XCTAssertEqual(r.usage.map(\.cost), [-1.5], type)
        }
        let huge = try mutated("aws/cur2-bedrock.csv", ["line_item_unblended_cost": "1e308"])
        XCTAssertEqual(load(huge, "cur.csv").problems.first, "aws.cur2: row 1: line_item_unblended_cost: \(Self.range)\(Self.rowSkipped)")
        let nan = try mutated("aws/cur2-bedrock.csv", ["line_item_unblended_cost": "NaN"])
        XCTAssertEqual(load(nan, "cur.csv").problems.first, "aws.cur2: row 1: line_item_unblended_cost: \(Self.range)\(Self.rowSkipped)")
        let far = try mutated("aws/cur2-bedrock.csv", ["line_item_usage_start_date": "9999-01-01T00:00:00Z"])
        XCTAssertEqual(load(far, "cur.csv").problems.first, "aws.cur2: row 1: line_item_usage_start_date: \(Self.dates)\(Self.rowSkipped)")
    }

    /// The fixture's row 1 (Bedrock input tokens of alice, $1.237068, billing period October 2026) made bad in a copy of
    /// the whole file: that row alone is skipped, the other 13 rows give what they gave before.
    func testCURBadRowLeavesTheRestOfTheFile() throws {
        let whole = load(try mutated("aws/cur2-bedrock.csv", [:], keepAllRows: true), "cur.csv")
        XCTAssertEqual(whole.problems, [])
        let total = whole.usage.compactMap(\.cost).reduce(0, +)
        for (change, reason) in [
            (["line_item_unblended_cost": "1e308"], "line_item_unblended_cost: \(Self.range)"),
            (["line_item_unblended_cost": "-1.237068"], "line_item_unblended_cost: \(Self.negative)"),
            // Usage dated in September on the October bill; and a day past the period's end.
            (["line_item_usage_start_date": "2026-09-30T23:00:00Z"],
             "line_item_usage_start_date: date outside the export's billing period (bill_billing_period_start_date to bill_billing_period_end_date; value not shown)"),
            (["line_item_usage_start_date": "2026-11-01T00:00:00Z"],
             "line_item_usage_start_date: date outside the export's billing period (bill_billing_period_start_date to bill_billing_period_end_date; value not shown)"),
        ] {
            let r = load(try mutated("aws/cur2-bedrock.csv", change, keepAllRows: true), "cur.csv")
            XCTAssertEqual(r.problems, ["aws.cur2: row 1: \(reason)\(Self.rowSkipped)"], reason)
            XCTAssertEqual(r.usage.compactMap(\.cost).reduce(0, +), total - 1.237068, accuracy: 1e-9, reason)
        }
        // The last day of the period is in it; a credit may settle an earlier period.
        XCTAssertEqual(load(try mutated("aws/cur2-bedrock.csv", ["line_item_usage_start_date": "2026-10-31T23:00:00Z"], keepAllRows: true),
                            "cur.csv").problems, [])
        XCTAssertEqual(load(try mutated("aws/cur2-bedrock.csv", ["line_item_usage_start_date": "2026-09-30T23:00:00Z",
                                                                 "line_item_line_item_type": "Credit"], keepAllRows: true), "cur.csv").problems, [])
    }

    func testFOCUSNegativeCostsOnlyOnCreditsAndCorrections() throws {
        let usage = try mutated("focus/focus-1.2-aws.csv", ["EffectiveCost": "-2", "BilledCost": "-2"])
        XCTAssertEqual(load(usage, "focus.csv").problems, ["focus.cost: row 1: EffectiveCost: \(Self.negative)\(Self.rowSkipped)",
                                                           Self.nothing("focus.cost")])
        let credit = try mutated("focus/focus-1.2-aws.csv", ["EffectiveCost": "-2", "BilledCost": "-2", "ChargeCategory": "Credit"])
        XCTAssertEqual(load(credit, "focus.csv").usage.map(\.cost), [-2])
        let correction = try mutated("focus/focus-1.2-aws.csv", ["EffectiveCost": "-2", "BilledCost": "-2", "ChargeClass": "Correction"])
        XCTAssertEqual(load(correction, "focus.csv").usage.map(\.cost), [-2])
        let huge = try mutated("focus/focus-1.2-aws.csv", ["EffectiveCost": "1e308"])
        XCTAssertEqual(load(huge, "focus.csv").problems.first, "focus.cost: row 1: EffectiveCost: \(Self.range)\(Self.rowSkipped)")
        let far = try mutated("focus/focus-1.2-aws.csv", ["ChargePeriodStart": "9999-01-01T00:00:00Z"])
        XCTAssertEqual(load(far, "focus.csv").problems.first, "focus.cost: row 1: ChargePeriodStart: \(Self.dates)\(Self.rowSkipped)")
        // A row of another service is not judged on its amount.
        let other = try mutated("focus/focus-1.2-aws.csv", ["EffectiveCost": "-7", "ServiceCategory": "Compute", "ServiceName": "Amazon EC2"])
        XCTAssertEqual(load(other, "focus.csv").problems, [])
    }

    /// A FOCUS row charged outside its BillingPeriodStart–BillingPeriodEnd is skipped; the file's other rows count.
    func testFOCUSChargeOutsideItsBillingPeriod() throws {
        let whole = load(try mutated("focus/focus-1.2-aws.csv", [:], keepAllRows: true), "focus.csv")
        XCTAssertEqual(whole.problems, [])
        let total = whole.usage.compactMap(\.cost).reduce(0, +)
        let early = load(try mutated("focus/focus-1.2-aws.csv", ["ChargePeriodStart": "2026-09-14T00:00:00Z"], keepAllRows: true), "focus.csv")
        XCTAssertEqual(early.problems, ["focus.cost: row 1: ChargePeriodStart: date outside the export's billing period "
                                        + "(BillingPeriodStart to BillingPeriodEnd; value not shown)\(Self.rowSkipped)"])
        XCTAssertEqual(early.usage.compactMap(\.cost).reduce(0, +), total - 1.537068, accuracy: 1e-9)
        // A correction may settle an earlier period.
        XCTAssertEqual(load(try mutated("focus/focus-1.2-aws.csv", ["ChargePeriodStart": "2026-09-14T00:00:00Z", "ChargeClass": "Correction"],
                                        keepAllRows: true), "focus.csv").problems, [])
    }

    /// A `.csv.gz` cut short (an interrupted copy): the complete rows before the cut count, and one problem names the
    /// file, the lines read and the loss. A stream that yields nothing usable before the cut stays one problem.
    func testTruncatedGzipKeepsTheRowsBeforeTheCut() throws {
        var text = Self.spendHeader
        // Rows that do not compress to nothing, so the cut falls well inside the data.
        for i in 1...4000 { text += "r\(i),\(SHA256.hex("key \(i % 7)")),0.\(String(format: "%04d", (i * 7919) % 10_000)),\(i),\(i % 97),2026-10-14 09:00:00,gpt-4o\n" }
        let gz = try ArchiveFixture.make(.gzipStream, members: [("data", Array(text.utf8))])
        let whole = ExportLoader.load(data: Data(gz), path: "spend.csv.gz")
        XCTAssertEqual(whole.problems, [])
        XCTAssertEqual(whole.usage.map(\.requests).reduce(0, +), 4000)

        let cut = ExportLoader.load(data: Data(gz.prefix(gz.count * 3 / 5)), path: "spend.csv.gz")
        XCTAssertEqual(cut.problems.count, 1)
        let reason = try XCTUnwrap(cut.problems.first?.reason)
        XCTAssertTrue(reason.hasPrefix("gzip: truncated or damaged stream after "), reason)
        let lines = try XCTUnwrap(Int(try XCTUnwrap(reason.components(separatedBy: "its first ").last?.split(separator: " ").first)), reason)
        XCTAssertTrue(reason.hasSuffix("its first \(lines) complete lines were read, the rest of the file is lost"), reason)
        // Every complete data line before the cut counted: the header is one of the lines.
        XCTAssertGreaterThan(lines, 1)
        XCTAssertLessThan(lines, 4001)
        XCTAssertEqual(cut.usage.map(\.requests).reduce(0, +), lines - 1)

        // Cut inside the header: nothing usable, one problem as before.
        let early = ExportLoader.load(data: Data(gz.prefix(20)), path: "spend.csv.gz")
        XCTAssertEqual(early.problems.count, 1)
        XCTAssertEqual(early.usage, [])
    }

    /// The whole run, as a user would: the bad rows are reported, every format renders, nothing traps.
    /// Before, `--format html` died on SIGILL and `--format json` failed with an EncodingError naming no file.
    func testScanWithAnAbsurdSpendLogSkipsItAndRendersEveryFormat() throws {
        let dir = try temporaryDirectory(self)
        try write("nothing to see\n", to: "src/readme.txt", in: dir)
        try write(Self.spendHeader + "r1,\(Self.keyHash),1e308,10,2,2026-10-14 09:00:00,gpt-4o\n"
                  + "r2,\(Self.keyHash),0.5,10,2,2026-10-14 09:00:00,gpt-4o\n", to: "exports/spend.csv", in: dir)
        for format in ["html", "json", "md", "csv"] {
            let result = try runKeyledger(["scan", dir + "/src", "--exports", dir + "/exports/spend.csv", "--format", format,
                                           "--as-of", "2026-11-20", "--output", dir + "/out." + format])
            XCTAssertEqual(result.status, 0, format + ": " + result.stderr)
            XCTAssertTrue(result.stderr.contains("keyledger: skipped rows of export \(dir)/exports/spend.csv: litellm.spend-logs: row 1: spend: "
                                                 + Self.range + Self.rowSkipped), result.stderr)
        }
    }
}
