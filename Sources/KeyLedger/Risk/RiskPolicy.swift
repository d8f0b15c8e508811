import Foundation
import Yams

/// Thresholds of the risk model, from the `policy:` section of keyledger.yml; every value has a documented default.
///
/// ```yaml
/// policy:
///   max_age_days: 90                 # rotation age limit (CIS: 90 days)
///   max_age_days_for:                # per rule id, provider.kind or provider
///     openai.admin-key: 30
///   dormant_days: 45                 # active but unused this long: revoke candidate (CIS: 45 days)
///   anomaly_multiple: 5              # a spend level starting on or after exposure ≥ this × the level before it: abuse
///   anomaly_min_daily_spend: 5       # ignore new levels whose daily mean stays below this (USD)
///   anomaly_min_days: 3              # days the new level must hold (a one-day blip is not abuse)
///   cloudtrail_forces_critical: true # an LLMjacking signature in CloudTrail after exposure makes the key critical
///   new_model_min_share: 0.25        # a model first used after exposure at ≥ this share of the key's spend: model-mix shift
///   spend_high_30d: 1000             # 30-day spend that counts as high (USD)
///   spend_high_30d_by_team: { ml-platform: 5000 }
///   budgets: { payments: 3000 }      # monthly budget per team (weekly report forecast)
///   severity_overrides:              # minimum severity per rule id, provider.kind or provider
///     openai.admin-key: critical
///   due_days: { critical: 1, high: 7, medium: 30, low: 90 }
/// ```
public struct RiskPolicy: Sendable, Equatable {
    public var maxAgeDays = 90
    public var maxAgeDaysFor: [String: Int] = [:]
    public var dormantDays = 45
    public var anomalyMultiple = 5.0
    public var anomalyMinDailySpend = 5.0
    public var anomalyMinDays = 3
    public var cloudTrailForcesCritical = true
    /// Share (0–1] of a key's spend a model first used after the exposure must take to count (`spend.new-model-after-exposure`).
    public var newModelMinShare = 0.25
    public var spendHigh30d = 1000.0
    public var spendHigh30dByTeam: [String: Double] = [:]
    public var budgets: [String: Double] = [:]
    public var severityOverrides: [String: String] = [:]
    public var dueDays: [String: Int] = ["critical": 1, "high": 7, "medium": 30, "low": 90]

    public static let severities = ["critical", "high", "medium", "low"]

    public init() {}

    /// The rotation limit for a credential: the most specific of rule id, provider.kind, provider, default.
    public func maxAge(rule: String?, provider: String, kind: String) -> Int {
        for key in [rule, "\(provider).\(kind)", provider].compactMap({ $0 }) { if let v = maxAgeDaysFor[key] { return v } }
        return maxAgeDays
    }

    /// The minimum severity policy sets for a credential, if any.
    public func severityFloor(rule: String?, provider: String, kind: String) -> String? {
        for key in [rule, "\(provider).\(kind)", provider].compactMap({ $0 }) { if let v = severityOverrides[key] { return v } }
        return nil
    }

    public func spendHigh(team: String?) -> Double { team.flatMap { spendHigh30dByTeam[$0] } ?? spendHigh30d }

    /// The largest number a money or multiple setting may hold (USD thresholds, budgets, `anomaly_multiple`).
    static let maxSetting = 1e12
    /// The largest number of days a day setting may hold (a century).
    static let maxDays = 36_500

    /// The keys of `severity_overrides` and `max_age_days_for` with their lines: each should name a rule id,
    /// `provider.kind` or provider of the rules in use (checked by `KeyLedgerConfig.unknownRuleReferences`).
    static func ruleReferences(_ node: Node) -> [KeyLedgerConfig.RuleReference] {
        guard let map = node.mapping else { return [] }
        var out: [KeyLedgerConfig.RuleReference] = []
        for (k, v) in map {
            guard let setting = k.string, ["severity_overrides", "max_age_days_for"].contains(setting), let table = v.mapping else { continue }
            for key in table.keys {
                if let name = key.string { out.append(.init(setting: setting, key: name, line: key.mark.map { $0.line })) }
            }
        }
        return out
    }

    /// Parses the `policy:` mapping node; errors name the file and line.
    static func parse(_ node: Node, source: String) throws -> RiskPolicy {
        var policy = RiskPolicy()
        func fail(_ n: Node, _ message: String) -> KeyLedgerConfig.ConfigError {
            KeyLedgerConfig.ConfigError(file: source, line: n.mark.map { $0.line }, message: "policy: " + message)
        }
        guard let map = node.mapping else { throw fail(node, "expected a mapping of settings") }
        // `.nan` and `.inf` are YAML floats: a NaN threshold compares false with everything (`anomaly_multiple: .nan`
        // passed both checks and switched the abuse signal off), an infinite one never fires.
        func number(_ n: Node, _ name: String, positive: Bool = true) throws -> Double {
            guard let v = n.float ?? n.int.map(Double.init) else { throw fail(n, "`\(name)` must be a number") }
            guard v.isFinite, abs(v) <= maxSetting else {
                throw fail(n, "`\(name)` must be a finite number up to \(Int(maxSetting)) (not .nan or .inf)")
            }
            if positive && v <= 0 { throw fail(n, "`\(name)` must be positive") }
            if !positive && v < 0 { throw fail(n, "`\(name)` must not be negative") }
            return v
        }
        // Days are added to dates: beyond a century they only risk overflow.
        func integer(_ n: Node, _ name: String) throws -> Int {
            guard let v = n.int, (1...maxDays).contains(v) else {
                throw fail(n, "`\(name)` must be a whole number of days from 1 to \(maxDays)")
            }
            return v
        }
        func table<T>(_ n: Node, _ name: String, _ value: (Node, String) throws -> T) throws -> [String: T] {
            guard let m = n.mapping else { throw fail(n, "`\(name)` must be a mapping") }
            var out: [String: T] = [:]
            for (k, v) in m {
                guard let key = k.string, !key.isEmpty else { throw fail(k, "`\(name)` keys must be strings") }
                out[key] = try value(v, ConfigText.isPlainName(key) ? "\(name).\(key)" : name)
            }
            return out
        }
        func severity(_ n: Node, _ name: String) throws -> String {
            guard let s = n.string, severities.contains(s) else {
                throw fail(n, "`\(name)` must be one of critical, high, medium, low")
            }
            return s
        }
        for (k, v) in map {
            switch k.string ?? "" {
            case "max_age_days": policy.maxAgeDays = try integer(v, "max_age_days")
            case "max_age_days_for": policy.maxAgeDaysFor = try table(v, "max_age_days_for", integer)
            case "dormant_days": policy.dormantDays = try integer(v, "dormant_days")
            case "anomaly_multiple":
                policy.anomalyMultiple = try number(v, "anomaly_multiple")
                if policy.anomalyMultiple <= 1 { throw fail(v, "`anomaly_multiple` must be greater than 1") }
            case "anomaly_min_daily_spend": policy.anomalyMinDailySpend = try number(v, "anomaly_min_daily_spend", positive: false)
            case "anomaly_min_days": policy.anomalyMinDays = try integer(v, "anomaly_min_days")
            case "cloudtrail_forces_critical":
                guard let flag = v.bool else { throw fail(v, "`cloudtrail_forces_critical` must be true or false") }
                policy.cloudTrailForcesCritical = flag
            case "new_model_min_share":
                policy.newModelMinShare = try number(v, "new_model_min_share")
                if policy.newModelMinShare > 1 { throw fail(v, "`new_model_min_share` must be a share from 0 to 1 (0.25 = 25%)") }
            case "spend_high_30d": policy.spendHigh30d = try number(v, "spend_high_30d")
            case "spend_high_30d_by_team": policy.spendHigh30dByTeam = try table(v, "spend_high_30d_by_team") { try number($0, $1) }
            case "budgets": policy.budgets = try table(v, "budgets") { try number($0, $1) }
            case "severity_overrides": policy.severityOverrides = try table(v, "severity_overrides", severity)
            case "due_days":
                let days = try table(v, "due_days", integer)
                for key in days.keys where !severities.contains(key) { throw fail(v, "`due_days` keys must be critical, high, medium, low (got \(ConfigText.name(key)))") }
                policy.dueDays.merge(days) { $1 }
            default:
                throw fail(k, "unknown setting \(ConfigText.name(k.string)) (expected max_age_days, max_age_days_for, dormant_days, anomaly_multiple, anomaly_min_daily_spend, anomaly_min_days, cloudtrail_forces_critical, new_model_min_share, spend_high_30d, spend_high_30d_by_team, budgets, severity_overrides, due_days)")
            }
        }
        return policy
    }
}
