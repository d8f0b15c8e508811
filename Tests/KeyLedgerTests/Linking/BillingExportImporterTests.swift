import XCTest
@testable import KeyLedger

/// The billing exports of issue 11's third item, each in the shape its provider documents:
/// - OpenRouter `GET /api/v1/activity` (https://openrouter.ai/docs/api/api-reference/analytics/get-user-activity);
/// - Cloud Billing export to BigQuery, standard usage cost schema
///   (https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage);
/// - Azure cost details (https://learn.microsoft.com/azure/cost-management-billing/automate/understand-usage-details-fields).
final class BillingExportImporterTests: XCTestCase {
    func load(_ text: String, _ name: String) -> ExportBundle { ExportLoader.load(data: Data(text.utf8), path: name) }

    // MARK: OpenRouter

    static func activityItem(date: String, model: String, usage: String, byok: String = "0", requests: Int, prompt: Int, completion: Int) -> String {
        #"{"date":"\#(date)","model":"\#(model)","model_permaslug":"\#(model)-2025-04-14","endpoint_id":"550e8400-e29b-41d4-a716-446655440000","provider_name":"OpenAI","usage":\#(usage),"byok_usage_inference":\#(byok),"requests":\#(requests),"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"reasoning_tokens":25}"#
    }

    /// Items are the organisation's spend (no key is named), summed per day and model; BYOK inference is the upstream
    /// provider's bill and is not added.
    func testOpenRouterActivityIsOrganisationSpendPerDayAndModel() {
        let text = #"{"data":["# + [
            Self.activityItem(date: "2026-11-10", model: "openai/gpt-4.1", usage: "0.015", byok: "0.012", requests: 5, prompt: 50, completion: 125),
            Self.activityItem(date: "2026-11-10", model: "openai/gpt-4.1", usage: "1.5", requests: 10, prompt: 1_000, completion: 500),
            Self.activityItem(date: "2026-11-11", model: "anthropic/claude-sonnet-4.5", usage: "2.25", requests: 3, prompt: 300, completion: 30),
        ].joined(separator: ",") + "]}"
        let bundle = load(text, "activity.json")
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["openrouter.activity": 1])
        XCTAssertEqual(bundle.usage, [
            UsageRecord(provider: "openrouter", scope: .organization("openrouter"), day: "2026-11-10", cost: 1.515, inputTokens: 1_050,
                        outputTokens: 625, requests: 15, model: "openai/gpt-4.1", source: "activity.json"),
            UsageRecord(provider: "openrouter", scope: .organization("openrouter"), day: "2026-11-11", cost: 2.25, inputTokens: 300,
                        outputTokens: 30, requests: 3, model: "anthropic/claude-sonnet-4.5", source: "activity.json"),
        ])
        // The SDKs' camelCase spelling, as JSON Lines.
        let camel = #"{"date":"2026-11-10","model":"openai/gpt-4.1","modelPermaslug":"openai/gpt-4.1-2025-04-14","endpointId":"e1","providerName":"OpenAI","usage":0.5,"byokUsageInference":0,"requests":2,"promptTokens":20,"completionTokens":10,"reasoningTokens":0}"#
        XCTAssertEqual(load(camel + "\n" + camel + "\n", "activity.jsonl").usage.map(\.cost), [1.0])
        // A bad item is skipped; the rest counts.
        let bad = #"{"data":["# + Self.activityItem(date: "2026-11-10", model: "openai/gpt-4.1", usage: "-3", requests: 1, prompt: 1, completion: 1)
            + "," + Self.activityItem(date: "2026-11-11", model: "openai/gpt-4.1", usage: "2", requests: 1, prompt: 1, completion: 1) + "]}"
        let r = load(bad, "activity.json")
        XCTAssertEqual(r.problems.map(\.reason), ["openrouter.activity: data[0].usage: negative amount (only credit, refund and discount "
                                                  + "rows may be negative; value not shown); row skipped"])
        XCTAssertEqual(r.usage.map(\.cost), [2])
    }

    /// In the register, OpenRouter spend is unattributed: the reconciliation line includes it, no key carries it.
    func testOpenRouterSpendIsInTheReconciliationLine() throws {
        let dir = try temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: dir + "/src", withIntermediateDirectories: true)
        try write(#"{"data":["# + Self.activityItem(date: "2026-11-10", model: "openai/gpt-4.1", usage: "12.5", requests: 5, prompt: 50, completion: 125) + "]}",
                  to: "exports/activity.json", in: dir)
        let register = try scanRegister([dir + "/src"], exports: [dir + "/exports"]).1
        XCTAssertEqual(register.summary.spend30d, 0)
        XCTAssertEqual(register.summary.unattributedSpend30d, 12.5)
        XCTAssertEqual(register.summary.unattributed?.map(\.provider), ["openrouter"])
    }

    // MARK: GCP billing export

    /// One BigQuery row as `bq extract --destination_format NEWLINE_DELIMITED_JSON` writes it.
    static func gcpRow(service: String, sku: String, project: String?, start: String, cost: String, credits: [String] = [],
                       costType: String = "regular") -> String {
        let projectField = project.map { #"{"id":"\#($0)","number":"123456789012","name":"\#($0)","ancestry_numbers":"/1234/"}"# } ?? "null"
        let creditList = credits.map { #"{"name":"Free tier","amount":\#($0),"full_name":"Free tier","id":"FreeTier","type":"FREE_TIER"}"# }
        return #"{"billing_account_id":"01A2B3-C4D5E6-F7A8B9","service":{"id":"C7E2-9256-1C43","description":"\#(service)"},"sku":{"id":"1A2B-3C4D-5E6F","description":"\#(sku)"},"usage_start_time":"\#(start)","usage_end_time":"\#(start)","project":\#(projectField),"labels":[],"system_labels":[],"location":{"location":"us-central1","country":"US","region":"us-central1","zone":null},"export_time":"2026-11-11 06:12:00 UTC","cost":\#(cost),"currency":"USD","currency_conversion_rate":1.0,"usage":{"amount":1000000,"unit":"count","amount_in_pricing_units":1000,"pricing_unit":"count"},"credits":[\#(creditList.joined(separator: ","))],"invoice":{"month":"202611"},"cost_type":"\#(costType)"}"#
    }

    /// Vertex AI and Gemini rows by project, credits netted, the rest of the bill ignored; a row without a project is the
    /// billing account's (unattributed).
    func testGCPBillingExportReadsVertexAndGeminiRowsByProject() {
        let text = [
            Self.gcpRow(service: "Vertex AI", sku: "Gemini 2.5 Flash Input Text Tokens", project: "ml-prod", start: "2026-11-10 08:00:00 UTC", cost: "4.5"),
            Self.gcpRow(service: "Vertex AI", sku: "Gemini 2.5 Flash Input Text Tokens", project: "ml-prod", start: "2026-11-10 09:00:00 UTC", cost: "1.5",
                        credits: ["-0.75"]),
            Self.gcpRow(service: "Gemini API", sku: "Gemini 2.5 Pro Output Text Tokens", project: "chatbot", start: "2026-11-10 10:00:00 UTC", cost: "3"),
            Self.gcpRow(service: "Compute Engine", sku: "N2 Instance Core running", project: "ml-prod", start: "2026-11-10 10:00:00 UTC", cost: "9.98"),
            Self.gcpRow(service: "Vertex AI", sku: "Gemini 2.5 Flash Input Text Tokens", project: nil, start: "2026-11-11 00:00:00 UTC", cost: "0.4"),
        ].joined(separator: "\n") + "\n"
        let bundle = load(text, "billing.jsonl")
        XCTAssertEqual(bundle.problems, [])
        XCTAssertEqual(bundle.formats, ["gcp.billing-export": 1])
        XCTAssertEqual(bundle.usage, [
            // 4.5 + 1.5 − 0.75 credit = 5.25; the Compute Engine row (9.98) is not AI spend.
            UsageRecord(provider: "gcp", scope: .project("ml-prod"), day: "2026-11-10", cost: 5.25, model: "Gemini 2.5 Flash Input Text Tokens",
                        source: "billing.jsonl"),
            UsageRecord(provider: "gcp", scope: .project("chatbot"), day: "2026-11-10", cost: 3, model: "Gemini 2.5 Pro Output Text Tokens",
                        source: "billing.jsonl"),
            UsageRecord(provider: "gcp", scope: .organization("gcp"), day: "2026-11-11", cost: 0.4, model: "Gemini 2.5 Flash Input Text Tokens",
                        source: "billing.jsonl"),
        ])
    }

    /// A query result saved as CSV, nested fields as columns; a negative cost outside adjustments is a skipped row.
    func testGCPBillingExportAsCSV() {
        let text = """
        billing_account_id,service.description,sku.description,usage_start_time,project.id,cost,currency,cost_type,credits_amount
        01A2B3-C4D5E6-F7A8B9,Vertex AI,Gemini 2.5 Pro Input Text Tokens,2026-11-10 08:00:00 UTC,ml-prod,2.5,USD,regular,-0.5
        01A2B3-C4D5E6-F7A8B9,Vertex AI,Gemini 2.5 Pro Input Text Tokens,2026-11-10 09:00:00 UTC,ml-prod,-2.5,USD,regular,
        01A2B3-C4D5E6-F7A8B9,Vertex AI,Gemini 2.5 Pro Input Text Tokens,2026-11-10 10:00:00 UTC,ml-prod,-0.01,USD,rounding error,

        """
        let bundle = load(text, "billing.csv")
        XCTAssertEqual(bundle.problems.map(\.reason), ["gcp.billing-export: row 2: cost: negative amount (only credit, refund and discount "
                                                       + "rows may be negative; value not shown); row skipped"])
        XCTAssertEqual(bundle.usage.map(\.cost), [1.99])
        XCTAssertEqual(bundle.usage.map(\.scope), [.project("ml-prod")])
    }

    // MARK: Azure cost details

    static let azureHeader = "Date,SubscriptionId,ResourceGroup,ResourceId,ResourceName,MeterCategory,MeterSubCategory,MeterName,ConsumedService,Quantity,UnitOfMeasure,CostInBillingCurrency,BillingCurrency,ChargeType,BillingPeriodStartDate,BillingPeriodEndDate\n"
    static let aoai = "/subscriptions/5f1c2d3e-0000-4000-8000-1234567890ab/resourceGroups/ai/providers/Microsoft.CognitiveServices/accounts/Contoso-EastUS2"

    static func azureRow(_ date: String, resourceId: String = aoai, category: String = "Cognitive Services", meter: String, cost: String,
                         charge: String = "Usage") -> String {
        "\(date),5f1c2d3e-0000-4000-8000-1234567890ab,ai,\(resourceId),contoso-eastus2,\(category),Azure OpenAI,\(meter),Microsoft.CognitiveServices,1000,1K,\(cost),USD,\(charge),10/01/2026,10/31/2026\n"
    }

    func testAzureCostDetailsRowsAreTheResourcesSpend() {
        let text = Self.azureHeader
            + Self.azureRow("10/14/2026", meter: "gpt-4o-0806 Input global Tokens", cost: "12.40")
            + Self.azureRow("10/14/2026", meter: "gpt-4o-0806 Input global Tokens", cost: "0.60")
            + Self.azureRow("10/14/2026", resourceId: "/subscriptions/5f1c2d3e-0000-4000-8000-1234567890ab/resourceGroups/web/providers/Microsoft.Compute/virtualMachines/vm1",
                            category: "Virtual Machines", meter: "D2s v5", cost: "3.10")
            + Self.azureRow("10/31/2026", meter: "gpt-4o-0806 Output global Tokens", cost: "6.10")
            // Outside the October billing period: skipped, counted.
            + Self.azureRow("11/01/2026", meter: "gpt-4o-0806 Output global Tokens", cost: "6.10")
        let bundle = load(text, "azure.csv")
        XCTAssertEqual(bundle.problems.map(\.reason), ["azure.cost-details: row 5: Date: date outside the export's billing period "
                                                       + "(BillingPeriodStartDate to BillingPeriodEndDate; value not shown); row skipped"])
        XCTAssertEqual(bundle.formats, ["azure.cost-details": 1])
        XCTAssertEqual(bundle.usage, [
            UsageRecord(provider: "azure", scope: .project("azure-openai/contoso-eastus2"), day: "2026-10-14", cost: 13, model: "gpt-4o-0806 Input global Tokens",
                        source: "azure.csv"),
            UsageRecord(provider: "azure", scope: .project("azure-openai/contoso-eastus2"), day: "2026-10-31", cost: 6.10, model: "gpt-4o-0806 Output global Tokens",
                        source: "azure.csv"),
        ])
        XCTAssertEqual(AzureCostDetailsImporter.cognitiveServicesAccount(Self.aoai + "/deployments/gpt-4o"), "Contoso-EastUS2")
        XCTAssertNil(AzureCostDetailsImporter.cognitiveServicesAccount("/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/vm1"))
    }

    /// A scanned Azure OpenAI key whose endpoint host names the resource carries the resource's cost (approximate: the row
    /// does not say which of the resource's two keys was used); a resource no found key names stays unattributed.
    func testAzureOpenAIKeyIsLinkedThroughItsEndpoint() throws {
        let dir = try temporaryDirectory(self)
        try write("AZURE_OPENAI_ENDPOINT=https://contoso-eastus2.openai.azure.com/\nAZURE_OPENAI_API_KEY=81bcdfd2cf5a95eb619891ef57ff5cb8\n",
                  to: "src/.env", in: dir)
        let other = "/subscriptions/5f1c2d3e-0000-4000-8000-1234567890ab/resourceGroups/ai/providers/Microsoft.CognitiveServices/accounts/fin-assist"
        try write(Self.azureHeader
                  + Self.azureRow("11/10/2026", meter: "gpt-4o-0806 Input global Tokens", cost: "12.40")
                  + Self.azureRow("11/10/2026", resourceId: other, meter: "gpt-4o-0806 Input global Tokens", cost: "2.00")
                      .replacingOccurrences(of: "10/01/2026,10/31/2026", with: "11/01/2026,11/30/2026"),
                  to: "exports/azure.csv", in: dir)
        // The first row is in November too.
        let csv = try String(contentsOfFile: dir + "/exports/azure.csv", encoding: .utf8).replacingOccurrences(of: "10/01/2026,10/31/2026", with: "11/01/2026,11/30/2026")
        try csv.write(toFile: dir + "/exports/azure.csv", atomically: true, encoding: .utf8)
        let register = try scanRegister([dir + "/src"], exports: [dir + "/exports"]).1
        XCTAssertEqual(register.scan.problems, [])
        let key = try XCTUnwrap(register.credentials.first { $0.provider == "azure" })
        XCTAssertEqual(key.usage.spend30d, 12.40)
        XCTAssertEqual(register.summary.unattributedSpend30d, 2.00)
        XCTAssertEqual(register.summary.unattributed?.map(\.scope), ["azure-openai/fin-assist"])
    }
}
