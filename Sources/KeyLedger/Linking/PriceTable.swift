import Foundation
import Yams

/// A model's list price in USD per 1M tokens, with when and where it was checked.
public struct ModelPrice: Sendable, Equatable {
    public var model: String
    public var provider: String?
    public var input: Double
    public var output: Double
    public var checked: String
}

/// Prices token usage that arrives without a cost row. Built-in table (prices/models.yml, dated) plus
/// overrides from keyledger.yml; a model matches the longest listed prefix of its name.
public struct PriceTable: Sendable {
    public private(set) var prices: [ModelPrice]

    public init(overrides: [ModelPrice] = []) {
        var table = PriceTable.builtin
        for o in overrides {
            table.removeAll { $0.model == o.model }
            table.append(o)
        }
        prices = table.sorted { $0.model.count > $1.model.count }
    }

    static let builtin: [ModelPrice] = {
        guard let root = try? Yams.load(yaml: BuiltinPrices.text) as? [String: Any],
              let list = root["prices"] as? [[String: Any]] else { return [] }
        return list.compactMap { entry in
            guard let model = entry["model"] as? String, let input = ExportValue.number(entry["input"]),
                  let output = ExportValue.number(entry["output"]),
                  // The same bounds as keyledger.yml prices (`KeyLedgerConfig.maxPricePerMillion`).
                  [input, output].allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= KeyLedgerConfig.maxPricePerMillion }) else { return nil }
            let checked = (entry["checked"] as? String) ?? (entry["checked"] as? Date).map(ISODate.day) ?? "unknown"
            return ModelPrice(model: model, provider: entry["provider"] as? String, input: input, output: output, checked: checked)
        }
    }()

    /// The price entry for `model` (longest prefix, case-insensitive, ignoring a `provider/` prefix).
    public func price(for model: String?) -> ModelPrice? {
        guard var name = model?.lowercased(), !name.isEmpty else { return nil }
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        name = name.replacingOccurrences(of: ".", with: "-")
        return prices.first { name.hasPrefix($0.model.lowercased().replacingOccurrences(of: ".", with: "-")) }
    }

    /// Estimated USD cost of the tokens, or nil when the model is not priced.
    public func estimate(model: String?, inputTokens: Int, outputTokens: Int) -> Double? {
        guard let p = price(for: model) else { return nil }
        return (Double(inputTokens) * p.input + Double(outputTokens) * p.output) / 1_000_000
    }
}
