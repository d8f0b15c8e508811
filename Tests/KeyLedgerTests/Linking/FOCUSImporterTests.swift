import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

final class FOCUSImporterTests: XCTestCase {
    func record(_ bundle: ExportBundle, _ scope: UsageScope, _ day: String) -> [UsageRecord] {
        bundle.usage.filter { $0.scope == scope && $0.day == day }
    }

    func testAWSFocus12() throws {
        let bundle = CloudFixtures.load("focus/focus-1.2-aws.csv")
        XCTAssertEqual(bundle.formats, ["focus.cost": 1])
        XCTAssertEqual(bundle.usage.count, 4)   // the EC2 row is not AI and is ignored
        XCTAssertTrue(bundle.usage.allSatisfy { $0.provider == "aws" && $0.currency == "USD" })
        // The principal in Tags wins over the sub-account; input and output rows of one model sum into one record.
        let alice = record(bundle, .principal("arn:aws:iam::123456789012:user/alice"), "2026-10-14")
        XCTAssertEqual(alice.count, 1)
        XCTAssertEqual(alice.first?.model, "Claude4.6Sonnet")
        XCTAssertEqual(alice.first?.inputTokens, 512_356)
        XCTAssertEqual(alice.first?.outputTokens, 38_104)
        XCTAssertEqual(try XCTUnwrap(alice.first?.cost), 1.537068 + 0.57156, accuracy: 1e-9)
        // EffectiveCost is preferred over BilledCost; "1000 Tokens" scales.
        let account = record(bundle, .project("123456789012"), "2026-10-15")
        XCTAssertEqual(account.map(\.model), ["Claude4.6Sonnet", "Nova2Lite"])
        XCTAssertEqual(account.map(\.cost), [0.1485, 0.9])
        XCTAssertEqual(account.map(\.inputTokens), [55_000, 3_000_000])
        // Empty tag values are no attribution.
        XCTAssertEqual(record(bundle, .project("210987654321"), "2026-10-14").first?.inputTokens, 100_000)
    }

    func testFocus13AzureAndGCP() throws {
        let bundle = CloudFixtures.load("focus/focus-1.3-azure-gcp.csv")
        XCTAssertEqual(bundle.formats, ["focus.cost": 1])
        XCTAssertEqual(bundle.usage.count, 3)   // storage ignored
        let azure = bundle.usage.filter { $0.provider == "azure" }
        // The rows' ResourceId names the Azure OpenAI resource `acme-aoai`: its keys carry them (issue 11).
        XCTAssertEqual(azure.map(\.scope), [.project("azure-openai/acme-aoai"), .project("azure-openai/acme-aoai")])
        XCTAssertEqual(azure.map(\.currency), ["EUR", "EUR"])
        XCTAssertEqual(azure.map(\.inputTokens), [4_960_000, 0])
        XCTAssertEqual(azure.map(\.outputTokens), [0, 610_000])
        XCTAssertEqual(azure.map(\.cost), [11.78, 5.80])
        let gcp = try XCTUnwrap(bundle.usage.first { $0.provider == "gcp" })
        XCTAssertEqual(gcp.scope, .principal("vertex-runner@acme-ml-prod.iam.gserviceaccount.com"))
        XCTAssertEqual(gcp.model, "gemini-2.5-pro")
        XCTAssertEqual(gcp.inputTokens, 2_600_000)
        XCTAssertEqual(gcp.day, "2026-10-14")
    }

    func testTagsAndExtensionColumnsAttribute() throws {
        let hash = Secret("sk-" + String(repeating: "q", count: 10) + "Z8").sha256Hex
        let text = """
        BilledCost,ChargePeriodStart,ServiceName,ServiceCategory,BillingCurrency,ProviderName,SubAccountId,Tags,x_IamPrincipal,ConsumedQuantity,ConsumedUnit,SkuMeter
        1.5,2026-10-14T00:00:00Z,OpenAI API,AI and Machine Learning,USD,OpenAI,proj_abc,"{""api_key_id"":""key_Ab12""}",,10,Requests,
        2.5,2026-10-14T00:00:00Z,LLM Gateway,AI and Machine Learning,USD,LiteLLM,team-a,"{""api_key_hash"":""\(hash)"",""prompt_tokens"":""120"",""completion_tokens"":30}",,,,
        0.5,2026-10-14T00:00:00Z,Claude API,Other,USD,Anthropic,wrk_1,,arn:aws:iam::123456789012:user/dana,1,1M Tokens,Output tokens
        9.5,2026-10-14T00:00:00Z,Compute Engine,Compute,USD,Google Cloud,p1,,,,,

        """
        let (bundle, _) = try CloudFixtures.load(text: text, as: "billing-export.data", self)
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.usage.map(\.scope), [.key("key_Ab12"), .secretHash(hash), .principal("arn:aws:iam::123456789012:user/dana")])
        XCTAssertEqual(bundle.usage.map(\.provider), ["openai", "litellm", "anthropic"])
        XCTAssertEqual(bundle.usage.map(\.requests), [10, 0, 0])
        XCTAssertEqual(bundle.usage.map(\.inputTokens), [0, 120, 0])
        XCTAssertEqual(bundle.usage.map(\.outputTokens), [0, 30, 1_000_000])
    }

    func testFocusMalformed() throws {
        let header = "BilledCost,EffectiveCost,ChargePeriodStart,ServiceName,ServiceCategory,BillingCurrency,SubAccountId"
        var reason = try CloudFixtures.problem("\(header)\n1,1,2026-10-14T00:00:00Z,Bedrock,AI and Machine Learning,USD,a\nabc,,2026-10-14T00:00:00Z,Bedrock,AI and Machine Learning,USD,a\n", as: "focus.csv", self)
        XCTAssertEqual(reason, #"focus.cost: row 2: BilledCost: expected a number, got "abc""#)
        reason = try CloudFixtures.problem("\(header)\n1,1,someday,Bedrock,AI and Machine Learning,USD,a\n", as: "focus.csv", self)
        XCTAssertEqual(reason, #"focus.cost: row 1: ChargePeriodStart: expected a date, got "someday""#)
        reason = try CloudFixtures.problem("\(header)\n,,2026-10-14T00:00:00Z,Bedrock,AI and Machine Learning,USD,a\n", as: "focus.csv", self)
        XCTAssertEqual(reason, #"focus.cost: row 1: missing "BilledCost""#)
        reason = try CloudFixtures.problem("BilledCost,ServiceName,BillingCurrency,ChargeCategory\n1,Bedrock,USD,Usage\n", as: "focus.csv", self)
        XCTAssertEqual(reason, #"focus.cost: missing column "ChargePeriodStart""#)
        reason = try CloudFixtures.problem("\(header)\n", as: "focus.csv", self)
        XCTAssertEqual(reason, "focus.cost: header only, no data rows")
        reason = try CloudFixtures.problem("\(header)\n1,1,2026-10-14T00:00:00Z,Bedrock\n", as: "focus.csv", self)
        XCTAssertEqual(reason, "focus.cost: row 1: expected 7 fields as in the header, got 4")
    }

    func testMisnamedFocusFileAmongOthers() throws {
        let text = try String(contentsOfFile: CloudFixtures.path("focus/focus-1.2-aws.csv"), encoding: .utf8)
        let dir = try temporaryDirectory(self)
        try text.write(toFile: dir + "/invoice.json", atomically: true, encoding: .utf8)
        try "BilledCost,ChargePeriodStart,ServiceName\n1,2026-10-14,Bedrock,extra\n".write(toFile: dir + "/ragged.csv", atomically: true, encoding: .utf8)
        let bundle = ExportLoader.load(paths: [dir])
        XCTAssertEqual(bundle.formats, ["focus.cost": 1])
        XCTAssertEqual(bundle.usage.count, 4)
        XCTAssertEqual(bundle.problems.map(\.path), [dir + "/ragged.csv"])
        XCTAssertEqual(bundle.problems.first?.reason, "focus.cost: row 1: expected 3 fields as in the header, got 4")
    }

    func testProviderIds() {
        XCTAssertEqual(FOCUSImporter.providerId("Amazon Web Services, Inc."), "aws")
        XCTAssertEqual(FOCUSImporter.providerId("Microsoft"), "azure")
        XCTAssertEqual(FOCUSImporter.providerId("Google Cloud"), "gcp")
        XCTAssertEqual(FOCUSImporter.providerId("Snowflake"), "snowflake")
    }
}
