import XCTest
@testable import KeyLedger

/// Amazon Bedrock model-invocation logs (issue 11), in the record shape AWS documents for model invocation logging
/// (schema `ModelInvocationLog` 1.0: `timestamp`, `accountId`, `identity.arn`, `operation`, `modelId`,
/// `input.inputTokenCount`, `input.cacheReadInputTokenCount`, `input.cacheWriteInputTokenCount`,
/// `output.outputTokenCount`; https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html).
/// Values are hand-computed from prices/models.yml: claude-sonnet-4-5 input 3.00, cached input 0.30, 5-minute cache
/// write 3.75, output 15.00 USD per 1M tokens.
final class BedrockInvocationLogTests: XCTestCase {
    let asOf = ISODate.parse("2026-11-20")!
    static let deployer = "arn:aws:iam::123456789012:user/deployer"
    static let role = "arn:aws:sts::123456789012:assumed-role/ci-runner/build-42"

    static func record(_ time: String, arn: String?, model: String, input: Int, cacheRead: Int? = nil, cacheWrite: Int? = nil,
                       output: Int, operation: String = "Converse") -> String {
        let identity = arn.map { #"{"arn":"\#($0)"}"# } ?? "{}"
        var inputFields = [#""inputContentType":"application/json""#, #""inputBodyJson":{"messages":[{"role":"user","content":[{"text":"hello"}]}]}"#,
                           #""inputTokenCount":\#(input)"#]
        if let cacheRead { inputFields.append(#""cacheReadInputTokenCount":\#(cacheRead)"#) }
        if let cacheWrite { inputFields.append(#""cacheWriteInputTokenCount":\#(cacheWrite)"#) }
        return #"{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"\#(time)","accountId":"123456789012","identity":\#(identity),"region":"us-east-1","requestId":"915a6a04-3f83-4c70-a277-7fbf7ea546b3","operation":"\#(operation)","modelId":"\#(model)","input":{\#(inputFields.joined(separator: ","))},"output":{"outputContentType":"application/json","outputBodyJson":{"stopReason":"end_turn","usage":{"inputTokens":\#(input),"outputTokens":\#(output)}},"outputTokenCount":\#(output)}}"#
    }

    /// Three calls: two of the IAM user `deployer` on 2026-11-10 (one through a US inference profile, with prompt-cache
    /// reads and writes), one of an assumed role on 2026-11-11 with a model the price table does not know.
    static let log = [
        record("2026-11-10T09:15:02Z", arn: deployer, model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
               input: 400_000, cacheRead: 500_000, cacheWrite: 100_000, output: 50_000),
        record("2026-11-10T17:40:00.123Z", arn: deployer, model: "anthropic.claude-sonnet-4-5-20250929-v1:0", input: 100_000, output: 50_000,
               operation: "InvokeModel"),
        record("2026-11-11T01:00:00Z", arn: role, model: "amazon.nova-lite-v1:0", input: 1_000, output: 200),
    ].joined(separator: "\n") + "\n"

    func testRecordsAreSummedPerPrincipalDayAndModel() throws {
        let bundle = ExportLoader.load(data: Data(Self.log.utf8), path: "bedrock.jsonl")
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["aws.bedrock-invocation-logs": 1])
        XCTAssertEqual(bundle.usage, [
            // 400,000 + 500,000 cache reads + 100,000 cache writes + 100,000 = 1,100,000 input tokens.
            UsageRecord(provider: "aws", scope: .principal(Self.deployer), day: "2026-11-10", cost: nil, inputTokens: 1_100_000,
                        outputTokens: 100_000, requests: 2, model: "claude-sonnet-4-5-20250929-v1:0", source: "bedrock.jsonl",
                        cachedInputTokens: 500_000, cacheWrite5mTokens: 100_000),
            UsageRecord(provider: "aws", scope: .principal(Self.role), day: "2026-11-11", cost: nil, inputTokens: 1_000,
                        outputTokens: 200, requests: 1, model: "nova-lite-v1:0", source: "bedrock.jsonl"),
        ])
        // Priced: 500,000 uncached × 3.00 + 500,000 reads × 0.30 + 100,000 writes × 3.75 + 100,000 output × 15.00, per 1M
        // = 1.50 + 0.15 + 0.375 + 1.50 = 3.525.
        XCTAssertEqual(try XCTUnwrap(PriceTable().estimate(bundle.usage[0])), 3.525, accuracy: 1e-9)
        XCTAssertNil(PriceTable().estimate(bundle.usage[1]), "nova-lite is not in the price table: listed as unpriced, never $0")
    }

    /// The ledger prices a linked IAM user's logged tokens (basis `price-table`); a CUR 2.0 row billing the same principal
    /// and day is the provider's own figure and wins.
    func testLinkedPrincipalIsPricedAndCURWinsTheSameDay() throws {
        let key = ProviderKey(provider: "aws", keyId: "AKIAQYLPMN5HHHFPZAM2", principal: Self.deployer,
                              recognition: .keyId("AKIAQYLPMN5HHHFPZAM2"), source: "keys.json")
        var bundle = ExportLoader.load(data: Data(Self.log.utf8), path: "bedrock.jsonl")
        bundle.keys = [key]
        let priced = try XCTUnwrap(Linker(bundle: bundle, asOf: asOf).linkEstate([]).credentials.first)
        XCTAssertEqual(priced.usage.spend30d, 3.53)   // 3.525 rounded to cents
        XCTAssertEqual(priced.usage.sources?.map(\.basis), [.priceTable])
        XCTAssertEqual(priced.usage.estimated, true)

        let cur = "bill_billing_period_start_date,line_item_line_item_type,line_item_usage_start_date,line_item_usage_account_id,line_item_product_code,line_item_usage_type,line_item_usage_amount,pricing_unit,line_item_unblended_cost,line_item_currency_code,line_item_iam_principal\n"
            + "2026-11-01T00:00:00Z,Usage,2026-11-10T00:00:00Z,123456789012,AmazonBedrock,USE1-Claude4.5Sonnet-input-tokens,1100,1K tokens,3.40,USD,\(Self.deployer)\n"
        bundle.merge(ExportLoader.load(data: Data(cur.utf8), path: "cur.csv"))
        let billed = try XCTUnwrap(Linker(bundle: bundle, asOf: asOf).linkEstate([]).credentials.first)
        XCTAssertEqual(billed.usage.spend30d, 3.40)
        XCTAssertEqual(billed.usage.sources?.map(\.basis), [.providerCostByKey])
    }

    /// CloudWatch Logs delivery read back with `aws logs filter-log-events`: each `events[].message` is one record.
    func testCloudWatchEventsAreRead() {
        let messages = Self.log.split(separator: "\n").enumerated().map { i, line in
            let escaped = String(line).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return #"{"logStreamName":"aws/bedrock/modelinvocations","timestamp":176276\#(i)000000,"message":"\#(escaped)","ingestionTime":1762760000500,"eventId":"3\#(i)"}"#
        }
        let text = #"{"events":[\#(messages.joined(separator: ","))],"searchedLogStreams":[]}"#
        let bundle = ExportLoader.load(data: Data(text.utf8), path: "cloudwatch.json")
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.usage.map(\.inputTokens), [1_100_000, 1_000])
        XCTAssertEqual(bundle.usage.map(\.requests), [2, 1])
    }

    /// A record dated outside 2000–2099 is skipped and counted; the rest of the log still counts. A record without a
    /// model is a malformed log: the file is skipped, naming the record.
    func testBadRecordsAndMalformedLogs() {
        let bad = Self.record("9999-11-10T09:15:02Z", arn: Self.deployer, model: "anthropic.claude-sonnet-4-5-20250929-v1:0", input: 1, output: 1)
        let r = ExportLoader.load(data: Data((bad + "\n" + Self.log).utf8), path: "bedrock.jsonl")
        XCTAssertEqual(r.problems.map(\.reason), ["aws.bedrock-invocation-logs: [0].timestamp: date out of range for usage "
                                                  + "(2000-01-01 to 2099-12-31; value not shown); row skipped"])
        XCTAssertEqual(r.usage.map(\.requests), [2, 1])
        let noModel = Self.log.replacingOccurrences(of: #""modelId":"amazon.nova-lite-v1:0","#, with: "")
        XCTAssertEqual(ExportLoader.load(data: Data(noModel.utf8), path: "bedrock.jsonl").problems.map(\.reason),
                       ["aws.bedrock-invocation-logs: [2]: missing \"modelId\""])
    }

    func testModelIdsArePricedByTheirModelName() {
        XCTAssertEqual(BedrockInvocationLogImporter.model("arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0"),
                       "claude-haiku-4-5-20251001-v1:0")
        XCTAssertEqual(BedrockInvocationLogImporter.model("arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-1-70b-instruct-v1:0"),
                       "llama3-1-70b-instruct-v1:0")
        XCTAssertEqual(BedrockInvocationLogImporter.model("global.anthropic.claude-sonnet-4-5-20250929-v1:0"), "claude-sonnet-4-5-20250929-v1:0")
        XCTAssertEqual(BedrockInvocationLogImporter.model("my-custom-model"), "my-custom-model")
    }
}
