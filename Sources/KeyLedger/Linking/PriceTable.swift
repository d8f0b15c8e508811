import Foundation
import Yams

/// A model's list prices in USD per 1M tokens, with when and where they were checked.
///
/// Only `input` and `output` are required. A tier a price list does not give falls back to what the providers
/// document for it: cache reads 0.1× input for Anthropic models (anthropic.com/pricing) and the full input rate
/// otherwise (never cheaper than the evidence allows); cache writes 1.25× (5 minutes) and 2× (1 hour) input; Batch API
/// usage half the input and output rates (OpenAI and Anthropic both bill batches at 50%).
public struct ModelPrice: Sendable, Equatable {
    public var model: String
    public var provider: String?
    public var input: Double
    public var output: Double
    /// Prompt-cache reads (OpenAI "cached input", Anthropic "cache hits & refreshes").
    public var cachedInput: Double?
    /// Prompt-cache writes with a 5-minute lifetime.
    public var cacheWrite5m: Double?
    /// Prompt-cache writes with a 1-hour lifetime.
    public var cacheWrite1h: Double?
    public var batchInput: Double?
    public var batchOutput: Double?
    public var checked: String

    public init(model: String, provider: String? = nil, input: Double, output: Double, cachedInput: Double? = nil,
                cacheWrite5m: Double? = nil, cacheWrite1h: Double? = nil, batchInput: Double? = nil, batchOutput: Double? = nil,
                checked: String) {
        self.model = model; self.provider = provider; self.input = input; self.output = output; self.cachedInput = cachedInput
        self.cacheWrite5m = cacheWrite5m; self.cacheWrite1h = cacheWrite1h; self.batchInput = batchInput
        self.batchOutput = batchOutput; self.checked = checked
    }

    /// The price fields a table entry may carry beyond `model`, `provider` and `checked` (USD per 1M tokens).
    static let rateFields = ["input", "output", "cached_input", "cache_write_5m", "cache_write_1h", "batch_input", "batch_output"]

    var isAnthropic: Bool { provider == "anthropic" || model.lowercased().hasPrefix("claude") }

    /// The rate used for cache reads, and whether it was given rather than assumed.
    var cachedInputRate: Double { cachedInput ?? (isAnthropic ? input * 0.1 : input) }

    /// USD for the token classes of one usage record.
    func cost(of record: UsageRecord) -> Double {
        let cached = min(record.cachedInputTokens, record.inputTokens)
        let write5m = min(record.cacheWrite5mTokens, record.inputTokens - cached)
        let write1h = min(record.cacheWrite1hTokens, record.inputTokens - cached - write5m)
        let uncached = record.inputTokens - cached - write5m - write1h
        let batchFactor = record.batch ? 0.5 : 1
        let inputRate = record.batch ? (batchInput ?? input * 0.5) : input
        let outputRate = record.batch ? (batchOutput ?? output * 0.5) : output
        let perMillion = Double(uncached) * inputRate
            + Double(cached) * cachedInputRate * batchFactor
            + Double(write5m) * (cacheWrite5m ?? input * 1.25) * batchFactor
            + Double(write1h) * (cacheWrite1h ?? input * 2) * batchFactor
            + Double(record.outputTokens) * outputRate
        return perMillion / 1_000_000
    }
}

/// Prices token usage that arrives without a cost row. Built-in table (prices/models.yml, dated) plus
/// overrides (`--prices FILE`, then keyledger.yml `prices:`); a model matches the longest listed prefix of its name.
public struct PriceTable: Sendable {
    public private(set) var prices: [ModelPrice]

    public init(overrides: [ModelPrice] = []) {
        var table = PriceTable.builtin
        for o in overrides {
            table.removeAll { $0.model == o.model }
            table.append(o)
        }
        prices = table.sorted { ($0.model.count, $1.model) > ($1.model.count, $0.model) }
    }

    static let builtin: [ModelPrice] = (try? PriceList.parseTable(BuiltinPrices.text)) ?? []

    /// The price entry for `model` (longest prefix, case-insensitive, ignoring a `provider/` prefix).
    public func price(for model: String?) -> ModelPrice? {
        guard var name = model?.lowercased(), !name.isEmpty else { return nil }
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        name = name.replacingOccurrences(of: ".", with: "-")
        return prices.first { name.hasPrefix($0.model.lowercased().replacingOccurrences(of: ".", with: "-")) }
    }

    /// Estimated USD cost of the tokens, or nil when the model is not priced.
    public func estimate(model: String?, inputTokens: Int, outputTokens: Int) -> Double? {
        estimate(UsageRecord(provider: "", scope: .project(""), day: "", cost: nil, inputTokens: inputTokens,
                             outputTokens: outputTokens, model: model, source: ""))
    }

    /// Estimated USD cost of a usage record's tokens by class (cached, cache writes, batch), or nil when its model is
    /// not priced.
    public func estimate(_ record: UsageRecord) -> Double? {
        price(for: record.model).map { $0.cost(of: record) }
    }
}
