import Foundation
import Yams

/// Reads price lists: keyledger's own (`prices/models.yml`, the `prices:` list of keyledger.yml written as a file) and
/// LiteLLM's `model_prices_and_context_window.json` (USD per token; what `scripts/update-prices.py` reads), so that
/// `scan --prices FILE` keeps prices current without a new release.
public enum PriceList {
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The prices in the file at `path`, format detected from its content.
    public static func load(path: String) throws -> [ModelPrice] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "\(path): cannot read the price list")
        }
        let text = String(decoding: data, as: UTF8.self)
        do {
            if let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any], json["prices"] == nil {
                return try liteLLM(json, source: (path as NSString).lastPathComponent)
            }
            return try parseTable(text)
        } catch let error as LoadError {
            throw LoadError(description: "\(path): \(error.description)")
        }
    }

    /// keyledger's table: `prices:` a list of `{model, provider, input, output, cached_input, cache_write_5m, cache_write_1h,
    /// batch_input, batch_output, checked}` in USD per 1M tokens. Entries outside 0…100,000 are errors.
    public static func parseTable(_ text: String) throws -> [ModelPrice] {
        guard let root = try? Yams.load(yaml: text) as? [String: Any], let list = root["prices"] as? [[String: Any]] else {
            throw LoadError(description: "expected `prices:`, a list of models with input and output prices (USD per 1M tokens)")
        }
        return try list.enumerated().map { index, entry in
            guard let model = entry["model"] as? String, !model.isEmpty else { throw LoadError(description: "prices[\(index)]: missing `model`") }
            func rate(_ field: String) throws -> Double? {
                guard let raw = entry[field] else { return nil }
                guard let v = ExportValue.number(raw), v.isFinite, v >= 0, v <= KeyLedgerConfig.maxPricePerMillion else {
                    throw LoadError(description: "prices[\(index)].\(field): expected a price from 0 to 100000 USD per 1M tokens")
                }
                return v
            }
            guard let input = try rate("input"), let output = try rate("output") else {
                throw LoadError(description: "prices[\(index)]: needs `input` and `output`")
            }
            let checked = (entry["checked"] as? String) ?? (entry["checked"] as? Date).map(ISODate.day) ?? "unknown"
            return ModelPrice(model: model, provider: entry["provider"] as? String, input: input, output: output,
                              cachedInput: try rate("cached_input"), cacheWrite5m: try rate("cache_write_5m"),
                              cacheWrite1h: try rate("cache_write_1h"), batchInput: try rate("batch_input"),
                              batchOutput: try rate("batch_output"), checked: checked)
        }
    }

    /// LiteLLM's map of model → `{input_cost_per_token, output_cost_per_token, cache_read_input_token_cost,
    /// cache_creation_input_token_cost, cache_creation_input_token_cost_above_1hr, input_cost_per_token_batches,
    /// output_cost_per_token_batches, litellm_provider}` (USD per token; ×1M here). Entries without both token prices
    /// (images, audio, the `sample_spec` template) are skipped.
    static func liteLLM(_ json: [String: Any], source: String) throws -> [ModelPrice] {
        var out: [ModelPrice] = []
        for (model, value) in json.sorted(by: { $0.key < $1.key }) {
            guard model != "sample_spec", let entry = value as? [String: Any],
                  let input = perMillion(entry["input_cost_per_token"]), let output = perMillion(entry["output_cost_per_token"]) else { continue }
            out.append(ModelPrice(model: model, provider: entry["litellm_provider"] as? String, input: input, output: output,
                                  cachedInput: perMillion(entry["cache_read_input_token_cost"]),
                                  cacheWrite5m: perMillion(entry["cache_creation_input_token_cost"]),
                                  cacheWrite1h: perMillion(entry["cache_creation_input_token_cost_above_1hr"]),
                                  batchInput: perMillion(entry["input_cost_per_token_batches"]),
                                  batchOutput: perMillion(entry["output_cost_per_token_batches"]), checked: source))
        }
        guard !out.isEmpty else { throw LoadError(description: "no model with input_cost_per_token and output_cost_per_token (is this LiteLLM's price map?)") }
        return out
    }

    /// USD per token → USD per 1M tokens, within the table's bounds; nil otherwise. Rounded to 1e-9 so that 2.5e-06
    /// reads as 2.5, not 2.4999999999999998.
    static func perMillion(_ value: Any?) -> Double? {
        guard let v = ExportValue.number(value), v.isFinite, v >= 0 else { return nil }
        let m = (v * 1_000_000 * 1e9).rounded() / 1e9
        return m <= KeyLedgerConfig.maxPricePerMillion ? m : nil
    }
}
