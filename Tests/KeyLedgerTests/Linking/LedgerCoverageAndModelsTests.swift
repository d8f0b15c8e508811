import XCTest
@testable import KeyLedger

/// What the cost ledger tells the abuse signals (issue 12): from which day each source covers a key (`covered_from`),
/// and which models the key's own rows name, by day.
final class LedgerCoverageAndModelsTests: XCTestCase {
    let asOf = ISODate.parse("2026-11-20")!

    func days(_ from: String, _ count: Int) -> [String] {
        let start = ISODate.parse(from)!
        return (0..<count).map { ISODate.day(start.addingTimeInterval(Double($0) * 86_400)) }
    }

    /// A file covers from its first row of any key: k1's rows start 11-05, but costs.json has k2's from 10-01, so k1's
    /// figures are covered from 10-01; k3's only file starts 11-10.
    func testCoveredFromIsTheFirstDayOfTheFilesThatCarryTheKey() {
        var bundle = ExportBundle()
        bundle.keys = ["k1", "k2", "k3"].map { ProviderKey(provider: "openai", keyId: $0, recognition: .keyId($0), source: "keys.json") }
        bundle.usage = days("2026-10-01", 50).map { UsageRecord(provider: "openai", scope: .key("k2"), day: $0, cost: 3, source: "costs.json") }
            + days("2026-11-05", 15).map { UsageRecord(provider: "openai", scope: .key("k1"), day: $0, cost: 270, source: "costs.json") }
            + days("2026-11-10", 5).map { UsageRecord(provider: "openai", scope: .key("k3"), day: $0, cost: 1, source: "late.json") }
        let e = Linker(bundle: bundle, asOf: asOf).linkEstate([])
        XCTAssertEqual(e.credentials[0].usage.sources,
                       [UsageSource(basis: .providerCostByKey, spend30d: 4050, days: 15, files: ["costs.json"], detail: nil, coveredFrom: "2026-10-01")])
        XCTAssertEqual(e.credentials[1].usage.sources?.map(\.coveredFrom), ["2026-10-01"])
        XCTAssertEqual(e.credentials[2].usage.sources?.map(\.coveredFrom), ["2026-11-10"])
        // In the register: `usage.sources[].covered_from`.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        XCTAssertEqual(String(decoding: try! encoder.encode(e.credentials[2].usage.sources![0]), as: UTF8.self),
                       #"{"basis":"provider-cost-by-key","covered_from":"2026-11-10","days":5,"files":["late.json"],"spend_30d":5}"#)
    }

    /// Per key, the models its own rows name, by day and cost (billed, else priced); rows without a model are named by format.
    func testModelUsagePerKey() {
        var bundle = ExportBundle()
        bundle.keys = ["k1", "k2"].map { ProviderKey(provider: "openai", keyId: $0, recognition: .keyId($0), source: "keys.json") }
        bundle.usage = [
            UsageRecord(provider: "openai", scope: .key("k1"), day: "2026-11-10", cost: 4.00, source: "costs-by-key.json"),
            UsageRecord(provider: "openai", scope: .key("k1"), day: "2026-11-10", cost: nil, inputTokens: 1_000_000, model: "gpt-4o", source: "usage.json"),
            UsageRecord(provider: "openai", scope: .key("k1"), day: "2026-11-11", cost: nil, inputTokens: 2_000_000, model: "gpt-4o", source: "usage.json"),
            UsageRecord(provider: "openai", scope: .key("k1"), day: "2026-11-11", cost: 7.5, model: "o3", source: "usage.json"),
        ]
        let e = Linker(bundle: bundle, asOf: asOf).linkEstate([])
        XCTAssertEqual(e.credentials[0].modelUsage,
                       ModelUsage(byModel: ["gpt-4o": ["2026-11-10": 2.5, "2026-11-11": 5], "o3": ["2026-11-11": 7.5]],
                                  unnamedFormats: ["costs-by-key.json"]))
        XCTAssertNil(e.credentials[1].modelUsage, "no rows, nothing to say")
    }
}
