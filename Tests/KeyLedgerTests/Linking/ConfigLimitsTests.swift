import XCTest
@testable import KeyLedger

/// `keyledger.yml` values that were accepted silently (issue 10): `.inf`/`.nan` and absurd prices, unknown price
/// fields, non-finite policy numbers (`anomaly_multiple: .nan`), day counts that overflow date arithmetic, and
/// `severity_overrides` / `max_age_days_for` keys that name no rule. Each is an error or warning naming file and line.
final class ConfigLimitsTests: XCTestCase {
    func assertConfigError(_ yaml: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try KeyLedgerConfig.parse(yaml, source: "k.yml"), file: file, line: line) {
            XCTAssertEqual("\($0)", expected, file: file, line: line)
        }
    }

    func testPricesMustBeFiniteAndSane() {
        for (value, text) in [(".inf", ".inf"), (".nan", ".nan"), ("-1", "-1"), ("1e300", "1e300"), ("100001", "100001")] {
            assertConfigError("prices:\n  - model: gpt-4o\n    input: 1\n    output: \(text)\n",
                              "k.yml: line 4: `output` must be a finite price from 0 to 100000 USD per 1M tokens")
            _ = value
        }
        assertConfigError("prices:\n  - model: gpt-4o\n    input: .NaN\n    output: 1\n",
                          "k.yml: line 3: `input` must be a finite price from 0 to 100000 USD per 1M tokens")
        let ok = try? KeyLedgerConfig.parse("prices:\n  - model: gpt-4o\n    input: 0\n    output: 100000\n", source: "k.yml")
        XCTAssertEqual(ok?.prices.map(\.output), [100_000])
        // The model name is free text: the message names the line, not the model.
        assertConfigError("prices:\n  - model: sk-not-a-model-name\n    input: cheap\n    output: 1\n",
                          "k.yml: line 2: each price needs numeric `input` and `output` (USD per 1M tokens)")
    }

    static let priceFields = "batch_input, batch_output, cache_write_1h, cache_write_5m, cached_input, checked, input, model, output, provider"

    func testUnknownPriceFieldsAreErrors() {
        // The tiers are known fields now (issue 11); a misspelt one is not.
        assertConfigError("prices:\n  - model: gpt-4o\n    input: 1\n    output: 2\n    cache_input: 0.5\n",
                          "k.yml: line 5: unknown price field `cache_input` (expected \(Self.priceFields)); "
                            + "prices are USD per 1M tokens in `input` and `output`")
        // A key that could be a pasted secret is not repeated.
        assertConfigError("prices:\n  - model: gpt-4o\n    input: 1\n    output: 2\n    Zx81kQ2pLm7Vb3Nc9Rt4Wy6Hs0Jd: 1\n",
                          "k.yml: line 5: unknown price field (name not shown) (expected \(Self.priceFields)); "
                            + "prices are USD per 1M tokens in `input` and `output`")
    }

    func testPolicyNumbersMustBeFinite() {
        assertConfigError("policy:\n  anomaly_multiple: .nan\n",
                          "k.yml: line 2: policy: `anomaly_multiple` must be a finite number up to 1000000000000 (not .nan or .inf)")
        assertConfigError("policy:\n  anomaly_multiple: .inf\n",
                          "k.yml: line 2: policy: `anomaly_multiple` must be a finite number up to 1000000000000 (not .nan or .inf)")
        assertConfigError("policy:\n  spend_high_30d: .inf\n",
                          "k.yml: line 2: policy: `spend_high_30d` must be a finite number up to 1000000000000 (not .nan or .inf)")
        assertConfigError("policy:\n  anomaly_min_daily_spend: .nan\n",
                          "k.yml: line 2: policy: `anomaly_min_daily_spend` must be a finite number up to 1000000000000 (not .nan or .inf)")
        assertConfigError("policy:\n  anomaly_min_daily_spend: -5\n", "k.yml: line 2: policy: `anomaly_min_daily_spend` must not be negative")
        assertConfigError("policy:\n  budgets:\n    payments: .nan\n",
                          "k.yml: line 3: policy: `budgets.payments` must be a finite number up to 1000000000000 (not .nan or .inf)")
        assertConfigError("policy:\n  spend_high_30d_by_team: { ml: -.inf }\n",
                          "k.yml: line 2: policy: `spend_high_30d_by_team.ml` must be a finite number up to 1000000000000 (not .nan or .inf)")
        assertConfigError("policy:\n  max_age_days: 9223372036854775807\n",
                          "k.yml: line 2: policy: `max_age_days` must be a whole number of days from 1 to 36500")
        assertConfigError("policy:\n  due_days: { critical: 36501 }\n",
                          "k.yml: line 2: policy: `due_days.critical` must be a whole number of days from 1 to 36500")
        assertConfigError("policy:\n  max_age_days_for: { openai.admin-key: 0 }\n",
                          "k.yml: line 2: policy: `max_age_days_for.openai.admin-key` must be a whole number of days from 1 to 36500")
    }

    func testUnknownSeverityOverrideAndMaxAgeKeysAreWarnedAboutWithTheirLines() throws {
        let config = try KeyLedgerConfig.parse("""
        policy:
          severity_overrides:
            openai.admin-key: critical
            opena.admin-key: high
            aws: high
            anthropic.api-key: medium
            Zx81kQ2pLm7Vb3Nc9Rt4Wy6Hs0Jd: low
          max_age_days_for:
            gcp: 30
            openai.projekt-key: 30
        """, source: "k.yml")
        // Still parsed (the rules in use depend on --rules), but each key that names nothing is a warning.
        XCTAssertEqual(config.policy.severityOverrides["opena.admin-key"], "high")
        let rules = try RuleLoader.builtin()
        XCTAssertEqual(config.unknownRuleReferences(rules: rules).map(\.description), [
            "k.yml: line 4: policy: `severity_overrides` key `opena.admin-key` names no rule id, provider.kind or provider of the rules in use; it has no effect",
            "k.yml: line 7: policy: `severity_overrides` key (name not shown) names no rule id, provider.kind or provider of the rules in use; it has no effect",
            "k.yml: line 10: policy: `max_age_days_for` key `openai.projekt-key` names no rule id, provider.kind or provider of the rules in use; it has no effect",
        ])
        // A key naming a user's own rule is fine once that rule is in use.
        var own = try XCTUnwrap(rules.first)
        own.id = "opena.admin-key"
        XCTAssertEqual(config.unknownRuleReferences(rules: rules + [own]).count, 2)
    }
}
