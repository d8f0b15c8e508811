import Foundation
import Yams

/// `keyledger.yml`: owners (teams with contact and cost centre, matched by repository/path globs, provider
/// project/workspace and key id), price overrides, currency rates, risk policy, validation endpoints and how long
/// validation answers are reused. Errors name the file and line.
public struct KeyLedgerConfig: Sendable {
    public struct Team: Sendable, Equatable {
        public var team: String
        public var contact: String?
        public var costCentre: String?
        public var repositories: [String]
        public var paths: [String]
        public var projects: [String]
        public var keyIds: [String]
    }

    public var owners: [Team] = []
    public var prices: [ModelPrice] = []
    /// `currency_rates`: converts export amounts into one currency before they are added (never added unconverted).
    public var currencyRates = CurrencyRates()
    public var policy = RiskPolicy()
    /// `endpoints`: base URLs per provider for `scan --validate` (gateways, proxies, sovereign clouds, a local test
    /// server); a secret is only ever sent to its own provider's official host or to the URL set here.
    public var endpoints = ValidationEndpoints()
    /// `validation: cache_for:`: how long `scan --validate --db` reuses a provider's answer kept in the history store.
    public var validationCache = ValidationCachePolicy()
    /// Where the file came from, for messages.
    public var source: String = "(defaults)"
    /// The rule ids, `provider.kind`s and providers that `policy.severity_overrides` and `policy.max_age_days_for` name.
    public var ruleReferences: [RuleReference] = []

    /// A key of a per-rule policy table, with its line.
    public struct RuleReference: Sendable, Equatable {
        public var setting: String
        public var key: String
        public var line: Int?
    }

    /// Warnings (file, line, setting) for `severity_overrides` and `max_age_days_for` keys that name no rule id,
    /// `provider.kind` or provider of `rules`: such an entry silently does nothing (a typo such as `opena.admin-key`).
    /// Warnings rather than errors, because the rules in use depend on `--rules`; the unknown key is repeated only
    /// when it looks like a name (see `ConfigText`).
    public func unknownRuleReferences(rules: [Rule]) -> [ConfigError] {
        var known = Set<String>()
        for rule in rules { known.insert(rule.id); known.insert(rule.provider); known.insert(rule.provider + "." + rule.kind) }
        // Keys only a provider export lists carry the importer's provider and `Linker.kind(of:)`'s kind (`gcp`, `litellm.virtual-key`).
        for provider in ["openai", "anthropic", "aws", "gcp", "litellm"] {
            known.insert(provider)
            for kind in ["admin-key", "project-key", "service-account-key", "api-key", "access-key", "virtual-key"] { known.insert(provider + "." + kind) }
        }
        return ruleReferences.filter { !known.contains($0.key) }.map {
            ConfigError(file: source, line: $0.line, message: "policy: `\($0.setting)` key \(ConfigText.name($0.key)) names no rule id, "
                + "provider.kind or provider of the rules in use; it has no effect")
        }
    }

    public init() {}

    public struct ConfigError: Error, CustomStringConvertible, Sendable {
        public var file: String
        public var line: Int?
        public var message: String
        public var description: String { "\(file)\(line.map { ": line \($0)" } ?? ""): \(message)" }
    }

    /// The fields a `prices` entry may have.
    static let priceFields: Set<String> = Set(["model", "provider", "checked"] + ModelPrice.rateFields)
    /// The highest price `keyledger.yml` may set, USD per 1M tokens: 100,000 — a thousand times the dearest model listed
    /// today — so a typo or `.inf` cannot turn token counts into unbounded (or non-finite) spend.
    static let maxPricePerMillion = 100_000.0

    public static func load(path: String) throws -> KeyLedgerConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, message: "cannot read the file")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String) throws -> KeyLedgerConfig {
        var config = KeyLedgerConfig()
        config.source = source
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw ConfigError(file: source, line: nil, message: "not valid YAML: \(error)")
        }
        guard let root else { return config }
        func fail(_ node: Node, _ message: String) -> ConfigError {
            ConfigError(file: source, line: node.mark.map { $0.line }, message: message)
        }
        guard let top = root.mapping else { throw fail(root, "expected a mapping with `owners`, `prices`, `policy`, `endpoints`, `validation`") }
        for (key, value) in top {
            switch key.string {
            case "owners":
                guard let list = value.sequence else { throw fail(value, "`owners` must be a list of teams") }
                for item in list {
                    guard let m = item.mapping else { throw fail(item, "each owner needs `team` and match rules") }
                    func strings(_ name: String) throws -> [String] {
                        guard let v = m[name] else { return [] }
                        if let s = v.string { return [s] }
                        guard let seq = v.sequence else { throw fail(v, "`\(name)` must be a string or a list of strings") }
                        return try seq.map { n in
                            guard let s = n.string else { throw fail(n, "`\(name)` entries must be strings") }
                            return s
                        }
                    }
                    guard let team = m["team"]?.string, !team.isEmpty else { throw fail(item, "owner entry is missing `team`") }
                    for k in m.keys.compactMap(\.string) where !["team", "contact", "cost_centre", "cost_center", "repositories",
                                                               "paths", "projects", "key_ids"].contains(k) {
                        throw fail(item, "unknown owner field \(ConfigText.name(k)) (expected team, contact, cost_centre, repositories, paths, projects, key_ids)")
                    }
                    let entry = Team(team: team, contact: m["contact"]?.string, costCentre: (m["cost_centre"] ?? m["cost_center"])?.string,
                                     repositories: try strings("repositories"), paths: try strings("paths"),
                                     projects: try strings("projects"), keyIds: try strings("key_ids"))
                    for glob in entry.repositories + entry.paths where Glob(glob) == nil {
                        throw fail(item, "`\(glob)` is not a valid glob")
                    }
                    config.owners.append(entry)
                }
            case "prices":
                guard let list = value.sequence else { throw fail(value, "`prices` must be a list of models") }
                for item in list {
                    guard let m = item.mapping, let model = m["model"]?.string, !model.isEmpty else { throw fail(item, "each price needs `model`") }
                    for k in m.keys where !priceFields.contains(k.string ?? "") {
                        throw fail(k, "unknown price field \(ConfigText.name(k.string)) (expected \(priceFields.sorted().joined(separator: ", "))); "
                            + "prices are USD per 1M tokens in `input` and `output`")
                    }
                    // The model is not repeated in messages (it is free text); the line names the entry.
                    func price(_ field: String) throws -> Double {
                        guard let n = m[field], let v = n.float ?? n.int.map(Double.init) else {
                            throw fail(item, "each price needs numeric `input` and `output` (USD per 1M tokens)")
                        }
                        guard v.isFinite, v >= 0, v <= maxPricePerMillion else {
                            throw fail(n, "`\(field)` must be a finite price from 0 to \(Int(maxPricePerMillion)) USD per 1M tokens")
                        }
                        return v
                    }
                    func optionalPrice(_ field: String) throws -> Double? { m[field] == nil ? nil : try price(field) }
                    config.prices.append(ModelPrice(model: model, provider: m["provider"]?.string, input: try price("input"),
                                                    output: try price("output"), cachedInput: try optionalPrice("cached_input"),
                                                    cacheWrite5m: try optionalPrice("cache_write_5m"), cacheWrite1h: try optionalPrice("cache_write_1h"),
                                                    batchInput: try optionalPrice("batch_input"), batchOutput: try optionalPrice("batch_output"),
                                                    checked: m["checked"]?.string ?? "keyledger.yml"))
                }
            case "currency_rates":
                // `currency: USD` (the currency to report in, USD by default) and `EUR: 1.08` (1 EUR = 1.08 USD).
                guard let map = value.mapping else { throw fail(value, "`currency_rates` must map currency codes to rates (EUR: 1.08)") }
                var target = "USD"
                var rates: [String: Double] = [:]
                for (k, v) in map {
                    guard let code = k.string else { throw fail(k, "expected a currency code") }
                    if code == "currency" {
                        guard let c = v.string, c.count == 3, c.allSatisfy(\.isLetter) else { throw fail(v, "`currency` must be a 3-letter code") }
                        target = c
                        continue
                    }
                    guard code.count == 3, code.allSatisfy(\.isLetter) else {
                        throw fail(k, "unknown currency \(ConfigText.name(code)) (expected a 3-letter ISO 4217 code)")
                    }
                    guard let rate = v.float ?? v.int.map(Double.init), rate.isFinite, rate > 0, rate <= 1_000_000 else {
                        throw fail(v, "the rate of \(code.uppercased()) must be a positive number")
                    }
                    rates[code] = rate
                }
                config.currencyRates = CurrencyRates(currency: target, rates: rates)
            case "endpoints":
                // `openai: https://gateway.internal/openai`: https only (http only to 127.0.0.1 / localhost).
                guard let map = value.mapping else { throw fail(value, "`endpoints` must map providers to base URLs (openai: https://…)") }
                for (k, v) in map {
                    guard let provider = k.string, ValidationEndpoints.isKnown(provider) else {
                        throw fail(k, "unknown endpoint provider \(ConfigText.name(k.string)) (expected \(ValidationEndpoints.providers.sorted().joined(separator: ", ")), "
                            + "or a provider whose rules declare a validation call)")
                    }
                    guard let text = v.string, let url = ValidationEndpoints.baseURL(text) else {
                        throw fail(v, "the endpoint of `\(provider)` must be an https:// base URL without credentials, query or fragment "
                            + "(http:// only for 127.0.0.1 or localhost)")
                    }
                    config.endpoints.overrides[provider] = url
                }
            case "validation":
                // `cache_for: 7d`: how long an answer kept in the history store is reused by `scan --validate --db`;
                // `revoked_cache_for: 30d`: how long a refusal is (never less than `cache_for`).
                guard let map = value.mapping else { throw fail(value, "`validation` must be a mapping (cache_for: 1d)") }
                var window = ValidationCachePolicy.defaultWindow, revoked = ValidationCachePolicy.defaultRevokedWindow
                for (k, v) in map {
                    guard let setting = k.string, ["cache_for", "revoked_cache_for"].contains(setting) else {
                        throw fail(k, "unknown validation setting \(ConfigText.name(k.string)) (expected cache_for, revoked_cache_for)")
                    }
                    // The value is not repeated: it could be anything.
                    guard let text = v.string ?? v.int.map(String.init), let seconds = ValidationCachePolicy.duration(text) else {
                        throw fail(v, "`\(setting)` must be \(ValidationCachePolicy.durationHelp)")
                    }
                    if setting == "cache_for" { window = seconds } else { revoked = seconds }
                }
                config.validationCache = ValidationCachePolicy(window: window, revokedWindow: revoked)
            case "policy":
                config.policy = try RiskPolicy.parse(value, source: source)
                config.ruleReferences = RiskPolicy.ruleReferences(value)
            default:
                throw fail(key, "unknown section \(ConfigText.name(key.string)) (expected owners, prices, currency_rates, policy, endpoints, validation)")
            }
        }
        return config
    }
}

/// Names from `keyledger.yml` in messages: a key is repeated only when it looks like a setting, rule or provider name
/// (short, lower-case letters, a few digits, `.`, `_`, `-`), never when it could be a pasted secret.
enum ConfigText {
    static func name(_ text: String?) -> String {
        guard let text, isPlainName(text) else { return "(name not shown)" }
        return "`" + text + "`"
    }

    static func isPlainName(_ text: String) -> Bool {
        let allowed = text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }
        let digits = text.unicodeScalars.filter { ("0"..."9").contains($0) }.count
        // Long runs without a separator read as tokens (32-hex keys are lower-case too).
        let longestRun = text.split(whereSeparator: { "._-".contains($0) }).map(\.count).max() ?? 0
        return !text.isEmpty && text.count <= 48 && allowed && digits <= 4 && longestRun <= 20
    }
}
