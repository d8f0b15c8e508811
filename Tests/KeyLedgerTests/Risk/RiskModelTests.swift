import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Each factor pinned on a crafted credential.
final class RiskModelTests: XCTestCase {
    let asOf = ISODate.parse("2026-11-20")!

    func credential(head: Bool = true, history: Bool = false, file: Bool = false, repositories: [String] = ["svc"],
                    privilege: String = "restricted", created: String? = nil, lastUsed: String? = nil, status: String? = "active",
                    team: String? = "payments", pooled: Bool = false, daily: [DailyUsageRecord] = [], exposed: String = "2026-10-28",
                    rule: String = "openai.project-key", linked: Bool = true) -> LinkedCredential {
        var keys = CredentialFactory()
        let rule = sharedMatcher.rules.first { $0.id == rule }!
        let t = Int64(ISODate.parse(exposed)!.timeIntervalSince1970)
        var locations: [FoundLocation] = []
        for repo in repositories where head || history {
            locations.append(FoundLocation(kind: .git, repository: repo, path: "app/.env", line: 1, commit: "c", author: "a",
                                           firstSeen: t, lastSeen: t + 86_400, current: head))
        }
        if file { locations.append(FoundLocation(kind: .file, repository: nil, path: ".env", line: 1, current: true)) }
        let entry = InventoryEntry(secret: Secret(keys.openAIProjectKey()), rule: rule, identity: Identity(), locations: locations)
        var owner = Owner(team: team, contact: team.map { "\($0)@x.example" }, source: team == nil ? .none : .ownersFile)
        if pooled { owner.pooled = true; owner.teams = ["ml", "payments"] }
        var usage = Usage.none
        usage.daily = daily
        usage.spend30d = daily.filter { $0.date > "2026-10-21" }.reduce(0) { $0 + $1.cost }
        let key = linked ? ProviderKey(provider: rule.provider, keyId: "key_1", recognition: .keyId("key_1"), source: "x") : nil
        return LinkedCredential(entry: locations.isEmpty ? nil : entry, providerKey: key, provider: rule.provider, kind: rule.kind,
                                rule: rule.id, identity: Identity(), identityLink: nil, created: created.flatMap(ISODate.parse),
                                lastUsed: lastUsed.flatMap(ISODate.parse), providerStatus: status,
                                privilege: Privilege(level: PrivilegeLevel(text: privilege)), owner: owner, usage: usage)
    }

    func factors(_ c: LinkedCredential, policy: RiskPolicy = RiskPolicy()) -> [String: RiskFactor] {
        Dictionary(uniqueKeysWithValues: RiskModel(policy: policy, asOf: asOf).assess(c).risk.factors.map { ($0.id, $0) })
    }

    func testExposureFactors() {
        XCTAssertEqual(factors(credential(head: true))["exposure.git-head"]?.points, 40)
        XCTAssertEqual(factors(credential(head: false, history: true))["exposure.git-history"]?.points, 30)
        XCTAssertTrue(factors(credential(head: false, history: true))["exposure.git-history"]!.reason.contains("until rotated"))
        XCTAssertEqual(factors(credential(head: false, file: true))["exposure.config-store"]?.points, 30)
        XCTAssertEqual(factors(credential(head: false, linked: true))["exposure.none"]?.points, 0)
        let spread = factors(credential(repositories: ["a", "b"]))
        XCTAssertEqual(spread["reuse.repositories"]?.points, 10)
        XCTAssertEqual(spread["exposure.spread"]?.points, 5)
        XCTAssertEqual(factors(credential(exposed: "2026-01-01"))["exposure.age"]?.points, 10)
        XCTAssertNil(factors(credential(exposed: "2026-11-10"))["exposure.age"])
    }

    func testPrivilegeUnknownIsNotSafe() {
        XCTAssertEqual(factors(credential(privilege: "admin"))["privilege.admin"]?.points, 25)
        XCTAssertEqual(factors(credential(privilege: "write"))["privilege.write"]?.points, 10)
        XCTAssertEqual(factors(credential(privilege: "unknown"))["privilege.unknown"]?.points, 5)
        XCTAssertEqual(factors(credential(privilege: "restricted"))["privilege.restricted"]?.points, 0)
    }

    func testRotationAgeAgainstPolicy() {
        XCTAssertNil(factors(credential(created: "2026-10-01"))["rotation.overdue"])
        XCTAssertEqual(factors(credential(created: "2026-07-01"))["rotation.overdue"]?.points, 10)
        XCTAssertEqual(factors(credential(created: "2025-07-01"))["rotation.overdue"]?.points, 15)
        // Without a provider creation date the first exposure counts.
        XCTAssertTrue(factors(credential(exposed: "2026-01-01"))["rotation.overdue"]?.reason.contains("first exposed") ?? false)
        var policy = RiskPolicy()
        policy.maxAgeDaysFor["openai.project-key"] = 365
        XCTAssertNil(factors(credential(created: "2026-07-01"), policy: policy)["rotation.overdue"])
    }

    func testDormancy() {
        XCTAssertEqual(factors(credential(lastUsed: "2026-08-01"))["dormancy.unused"]?.points, 10)
        XCTAssertNil(factors(credential(lastUsed: "2026-11-15"))["dormancy.unused"])
        XCTAssertNil(factors(credential(lastUsed: "2026-08-01", status: "inactive"))["dormancy.unused"], "an inactive key is not dormant, it is off")
        XCTAssertNil(factors(credential(lastUsed: nil))["dormancy.unused"], "no last-use date says nothing")
    }

    func testExpiry() {
        var c = credential()
        c.expiry = .never
        XCTAssertEqual(factors(c)["rotation.no-expiry"]?.points, 5)
        c.expiry = .on(ISODate.parse("2026-01-01")!)
        XCTAssertEqual(factors(c)["rotation.expired"]?.points, 0)
        c.expiry = .on(ISODate.parse("2027-01-01")!)
        XCTAssertNil(factors(c)["rotation.no-expiry"])
        XCTAssertNil(factors(c)["rotation.expired"])
        XCTAssertEqual(KeyExpiry.listed(nil), .never)
        XCTAssertEqual(KeyExpiry.listed(ISODate.parse("9999-12-31")), .never)
    }

    func testOwnership() {
        XCTAssertEqual(factors(credential(team: nil))["ownership.none"]?.points, 10)
        XCTAssertEqual(factors(credential(pooled: true))["ownership.pooled"]?.points, 5)
        XCTAssertNil(factors(credential())["ownership.none"])
    }

    func testSpendLevelAndAnomalyForcesCritical() {
        let start = ISODate.parse("2026-10-01")!
        func days(_ cost: (Int) -> Double) -> [DailyUsageRecord] {
            (0..<50).map { DailyUsageRecord(date: ISODate.day(start.addingTimeInterval(Double($0) * 86_400)), cost: cost($0), tokens: 0, requests: 0) }
        }
        let flat = RiskModel(asOf: asOf).assess(credential(privilege: "restricted", daily: days { _ in 40 }))
        XCTAssertEqual(flat.risk.factors.first { $0.id == "spend.level" }?.points, 10)
        XCTAssertFalse(flat.risk.factors.contains { $0.id == "spend.anomaly-after-exposure" })

        // Restricted, single location, small score — but spend jumped after the leak: critical regardless.
        let abused = RiskModel(asOf: asOf).assess(credential(privilege: "restricted", daily: days { $0 >= 28 ? 60 : 2 }))
        let factor = try? XCTUnwrap(abused.risk.factors.first { $0.id == "spend.anomaly-after-exposure" })
        XCTAssertEqual(factor?.points, 40)
        XCTAssertEqual(factor?.reason, "$2.00/day → $60.00/day from 2026-10-29, 1 day after the key was committed to svc: "
                       + "the signature of a stolen key in use")
        XCTAssertEqual(abused.risk.severity, .critical)
        XCTAssertTrue(abused.treatments.map(\.action).contains(.investigateAbuse))
        XCTAssertTrue(abused.controls.contains("NIST-CSF-2.0:DE.CM-06"))
        XCTAssertEqual(abused.treatments.first?.due, "2026-11-21", "critical treatments are due in a day")
    }

    /// A key its provider refuses is low risk: `validation.revoked` takes the score to the top of low (and nothing off
    /// a score already low), it is not rotated, and it stays a finding. Abuse after exposure keeps it critical.
    func testRefusedKeyIsLowRiskUnlessAbused() {
        func refused(_ c: LinkedCredential) -> LinkedCredential {
            var c = c
            c.validation = CredentialValidation(status: .revoked, checkedAt: "2026-11-19T08:00:00Z", detail: "HTTP 401")
            return c
        }
        let exposed = credential(privilege: "admin", team: nil)
        let before = RiskModel(asOf: asOf).assess(exposed)
        XCTAssertGreaterThan(before.risk.score, RiskModel.revokedScoreCeiling)
        XCTAssertTrue(before.treatments.map(\.action).contains(.rotate))
        let after = RiskModel(asOf: asOf).assess(refused(exposed))
        XCTAssertEqual(after.risk.score, RiskModel.revokedScoreCeiling)
        XCTAssertEqual(after.risk.severity, .low)
        let factor = after.risk.factors.first { $0.id == "validation.revoked" }
        XCTAssertEqual(factor?.points, RiskModel.revokedScoreCeiling - before.risk.factors.reduce(0) { $0 + $1.points })
        XCTAssertTrue(factor?.reason.hasPrefix("refused by the provider on 2026-11-19") ?? false)
        XCTAssertFalse(after.treatments.map(\.action).contains(.rotate), "a dead key is not rotated")
        XCTAssertTrue(after.treatments.map(\.action).contains(.moveToSecretManager), "the practice that leaked it still needs fixing")

        // Already low: nothing taken off.
        let quiet = RiskModel(asOf: asOf).assess(refused(credential(head: false, linked: true)))
        XCTAssertEqual(quiet.risk.factors.first { $0.id == "validation.revoked" }?.points, 0)

        // Revoked after it was abused: an incident, still critical.
        let start = ISODate.parse("2026-10-01")!
        let daily = (0..<50).map { DailyUsageRecord(date: ISODate.day(start.addingTimeInterval(Double($0) * 86_400)), cost: $0 >= 28 ? 60 : 2,
                                                   tokens: 0, requests: 0) }
        let abused = RiskModel(asOf: asOf).assess(refused(credential(privilege: "restricted", daily: daily)))
        XCTAssertEqual(abused.risk.severity, .critical)
        XCTAssertTrue(abused.treatments.map(\.action).contains(.investigateAbuse))
    }

    /// Issue 12's case: created 10-27, committed to checkout-service 10-28, $2.50/day until a jump to $270/day on 11-05.
    /// The fixed windows found too little history and gave up (medium, 28th of 32); now it is critical.
    func testNewKeyWithDelayedAbuseIsCritical() {
        let start = ISODate.parse("2026-10-27")!
        let daily = (0..<24).map { DailyUsageRecord(date: ISODate.day(start.addingTimeInterval(Double($0) * 86_400)), cost: $0 < 9 ? 2.5 : 270,
                                              tokens: 0, requests: 0) }
        let a = RiskModel(asOf: asOf).assess(credential(repositories: ["checkout-service"],
                                                        created: "2026-10-27", daily: daily))
        XCTAssertEqual(a.risk.severity, .critical)
        XCTAssertEqual(a.risk.factors.first { $0.id == "spend.anomaly-after-exposure" }?.reason, "$2.50/day → $270.00/day from 2026-11-05, 8 days after the key was committed to "
                       + "checkout-service: the signature of a stolen key in use")
    }

    /// Too little data is said, with a zero-point factor, never guessed.
    func testNotEnoughDataIsSaid() {
        let daily = [DailyUsageRecord(date: "2026-11-10", cost: 300, tokens: 0, requests: 0)]
        let f = factors(credential(daily: daily))
        XCTAssertNil(f["spend.anomaly-after-exposure"])
        XCTAssertEqual(f["spend.abuse-undetermined"]?.points, 0)
        XCTAssertEqual(f["spend.abuse-undetermined"]?.reason, "cannot tell abuse from use: usage on one day only (2026-11-10)")
    }

    /// `anomaly_min_days` reaches the detector: a two-day rise counts only when policy asks for two days.
    func testMinimumDaysFromPolicy() {
        let start = ISODate.parse("2026-10-01")!
        let daily = (0..<50).map { DailyUsageRecord(date: ISODate.day(start.addingTimeInterval(Double($0) * 86_400)),
                                              cost: $0 == 35 || $0 == 36 ? 900 : 20, tokens: 0, requests: 0) }
        XCTAssertNil(factors(credential(daily: daily))["spend.anomaly-after-exposure"])
        var policy = RiskPolicy()
        policy.anomalyMinDays = 2
        XCTAssertEqual(factors(credential(daily: daily), policy: policy)["spend.anomaly-after-exposure"]?.points, 40)
    }

    func testSeverityCutoffsOverridesAndDueDates() {
        XCTAssertEqual(Severity(score: 80), .critical)
        XCTAssertEqual(Severity(score: 79), .high)
        XCTAssertEqual(Severity(score: 60), .high)
        XCTAssertEqual(Severity(score: 35), .medium)
        XCTAssertEqual(Severity(score: 34), .low)
        XCTAssertEqual(Severity.allCases.sorted(), [.low, .medium, .high, .critical])
        var policy = RiskPolicy()
        policy.severityOverrides["openai"] = "critical"
        policy.dueDays["critical"] = 2
        let a = RiskModel(policy: policy, asOf: asOf).assess(credential(head: false, history: true))
        XCTAssertEqual(a.risk.severity, .critical)
        XCTAssertEqual(a.treatments.first?.due, "2026-11-22")
    }

    func testDeterministicAndControlsMapped() {
        let c = credential(privilege: "admin", created: "2025-01-01", team: nil)
        let a = RiskModel(asOf: asOf).assess(c), b = RiskModel(asOf: asOf).assess(c)
        XCTAssertEqual(a, b)
        for control in ["OWASP-NHI:NHI2", "OWASP-NHI:NHI5", "OWASP-NHI:NHI7", "OWASP-NHI:NHI1", "NIST-CSF-2.0:PR.AA-05", "NIST-CSF-2.0:GV.RR-02"] {
            XCTAssertTrue(a.controls.contains(control), "missing \(control)")
        }
        XCTAssertEqual(Set(a.treatments.map(\.action)), [.rotate, .moveToSecretManager, .restrictScope, .assignOwner])
    }

    func testPolicyParsingAndErrors() throws {
        let config = try KeyLedgerConfig.parse("""
        policy:
          max_age_days: 60
          dormant_days: 30
          anomaly_multiple: 4
          anomaly_min_days: 5
          cloudtrail_forces_critical: false
          severity_overrides: { openai.admin-key: critical }
          due_days: { critical: 2 }
          budgets: { payments: 3000 }
        """, source: "k.yml")
        XCTAssertEqual(config.policy.maxAgeDays, 60)
        XCTAssertEqual(config.policy.dormantDays, 30)
        XCTAssertEqual(config.policy.anomalyMultiple, 4)
        XCTAssertEqual(config.policy.anomalyMinDays, 5)
        XCTAssertFalse(config.policy.cloudTrailForcesCritical)
        XCTAssertTrue(RiskPolicy().cloudTrailForcesCritical)
        XCTAssertEqual(RiskPolicy().anomalyMinDays, 3)
        XCTAssertEqual(config.policy.dueDays["critical"], 2)
        XCTAssertEqual(config.policy.dueDays["low"], 90)
        XCTAssertEqual(config.policy.budgets["payments"], 3000)
        for (yaml, line, text) in [("policy:\n  max_age_days: -3\n", 2, "max_age_days"),
                                   ("policy:\n  anomaly_multiple: 1\n", 2, "greater than 1"),
                                   ("policy:\n  anomaly_min_days: 0\n", 2, "`anomaly_min_days` must be a whole number of days"),
                                   ("policy:\n  anomaly_min_days: 2.5\n", 2, "`anomaly_min_days` must be a whole number of days"),
                                   ("policy:\n  dormant_days: 30\n  cloudtrail_forces_critical: sometimes\n", 3, "`cloudtrail_forces_critical` must be true or false"),
                                   ("policy:\n  severity_overrides:\n    openai: severe\n", 3, "one of critical"),
                                   ("policy:\n  due_days: { urgent: 1 }\n", 2, "due_days"),
                                   ("policy:\n  max_age: 90\n", 2, "unknown setting")] {
            XCTAssertThrowsError(try KeyLedgerConfig.parse(yaml, source: "k.yml")) { error in
                XCTAssertTrue("\(error)".contains("k.yml: line \(line)"), "\(error)")
                XCTAssertTrue("\(error)".contains(text), "\(error)")
            }
        }
    }

    /// The demo's two abused keys lead the register: the Bedrock key whose spend jumped a week after its leak (a key
    /// with one day of history before it), and the IAM key CloudTrail shows being used for LLMjacking.
    func testDemoEstateRanksTheAbusedLeakedKeysFirst() throws {
        let dir = try temporaryDirectory(self)
        let planted = try DemoEstate(root: dir).build()
        let (_, register) = try scanRegister(["payments-api", "ml-platform", "config-store"].map { dir + "/" + $0 },
                                             exports: [dir + "/exports"], config: try KeyLedgerConfig.load(path: dir + "/keyledger.yml"))
        let top = register.credentials.prefix(2)
        XCTAssertEqual(top.map(\.fingerprint), [Secret(planted.secrets["bedrock"]!).fingerprint, Secret(planted.secrets["aws-batch-secret"]!).fingerprint])
        XCTAssertEqual(top.map(\.risk.severity), [.critical, .critical])
        XCTAssertEqual(top.first?.risk.factors.first { $0.id == "spend.anomaly-after-exposure" }?.reason,
                       "$2.50/day → $270.00/day from 2026-11-05, 8 days after the key was committed to ml-platform: the signature of a stolen key in use")
        XCTAssertEqual(top.last?.risk.factors.filter { $0.id.hasPrefix("cloudtrail.") }.map(\.id),
                       ["cloudtrail.enumeration-then-invocation", "cloudtrail.model-access-request", "cloudtrail.new-source-after-exposure",
                        "cloudtrail.new-model-after-exposure"])
        XCTAssertFalse(register.credentials.dropFirst(2).contains { $0.risk.factors.contains { $0.id == "spend.anomaly-after-exposure" || $0.id.hasPrefix("cloudtrail.") } },
                       "no other key is flagged")
        let ranks = register.credentials.map { [$0.risk.severity.rank, $0.risk.score] }
        XCTAssertEqual(ranks, ranks.sorted { $0.lexicographicallyPrecedes($1) }.reversed(), "sorted by severity, then score, highest first")
    }
    /// Issue 12, item 4: the change-point's evidence in fields, as the register carries it (JSON keys as documented).
    func testAnomalyCarriesItsEvidence() throws {
        let start = ISODate.parse("2026-10-27")!
        let daily = (0..<24).map { DailyUsageRecord(date: ISODate.day(start.addingTimeInterval(Double($0) * 86_400)), cost: $0 < 9 ? 2.5 : 270,
                                              tokens: 0, requests: 0) }
        let f = try XCTUnwrap(factors(credential(repositories: ["checkout-service"], created: "2026-10-27", daily: daily))["spend.anomaly-after-exposure"])
        XCTAssertEqual(f.evidence, RiskEvidence(since: "2026-11-05", before: 2.5, after: 270, currency: "USD", exposed: "2026-10-28"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        XCTAssertEqual(String(decoding: try encoder.encode(f.evidence), as: UTF8.self),
                       #"{"after":270,"before":2.5,"currency":"USD","exposed":"2026-10-28","since":"2026-11-05"}"#)
        // Round trip, and a factor without evidence has no `evidence` key (register/v1 readers see the same three fields).
        XCTAssertEqual(try JSONDecoder().decode(RiskFactor.self, from: encoder.encode(f)), f)
        XCTAssertEqual(String(decoding: try encoder.encode(RiskFactor(id: "privilege.write", points: 10, reason: "r")), as: UTF8.self),
                       #"{"id":"privilege.write","points":10,"reason":"r"}"#)
    }

    /// Issue 12, item 2: days between the start of what the exports cover and a key's first row spent nothing, so a key
    /// whose first row is already the abuse is found; without coverage, the level before the leak stays unknown.
    func testCoveredFromMakesIdleDaysABaseline() {
        let start = ISODate.parse("2026-11-05")!
        let daily = (0..<15).map { DailyUsageRecord(date: ISODate.day(start.addingTimeInterval(Double($0) * 86_400)), cost: 270, tokens: 0, requests: 0) }
        func covered(from day: String?) -> LinkedCredential {
            var c = credential(daily: daily)
            c.usage.sources = [UsageSource(basis: .providerCostByKey, spend30d: 4050, days: 15, files: ["costs.json"], detail: nil,
                                           coveredFrom: day)]
            return c
        }
        func assess(coveredFrom: String?) -> [String: RiskFactor] { factors(covered(from: coveredFrom)) }
        let found = assess(coveredFrom: "2026-10-01")
        XCTAssertEqual(found["spend.anomaly-after-exposure"]?.reason,
                       "$0.00/day → $270.00/day from 2026-11-05, 8 days after the key was committed to svc: the signature of a stolen key in use")
        XCTAssertEqual(found["spend.anomaly-after-exposure"]?.evidence,
                       RiskEvidence(since: "2026-11-05", before: 0, after: 270, currency: "USD", exposed: "2026-10-28"))
        XCTAssertEqual(RiskModel(asOf: asOf).assess(covered(from: "2026-10-01")).risk.severity, .critical)
        let unknown = "cannot tell abuse from use: usage data starts 2026-11-05, after exposure on 2026-10-28: the level before the leak "
            + "is unknown, and it has not shifted since"
        for coveredFrom in [nil, "2026-11-05"] {
            XCTAssertNil(assess(coveredFrom: coveredFrom)["spend.anomaly-after-exposure"])
            XCTAssertEqual(assess(coveredFrom: coveredFrom)["spend.abuse-undetermined"]?.reason, unknown)
        }
    }

    /// Issue 12, item 3: a model first used after the exposure at a meaningful share of the key's spend.
    func testNewModelAfterExposureFromUsageExports() throws {
        func days(_ from: String, _ count: Int, _ cost: Double) -> [String: Double] {
            let start = ISODate.parse(from)!
            return Dictionary(uniqueKeysWithValues: (0..<count).map { (ISODate.day(start.addingTimeInterval(Double($0) * 86_400)), cost) })
        }
        let daily = [DailyUsageRecord(date: "2026-11-10", cost: 23, tokens: 0, requests: 0)]
        func assess(_ usage: ModelUsage?, policy: RiskPolicy = RiskPolicy()) -> RiskModel.Assessment {
            var c = credential(daily: daily)
            c.modelUsage = usage
            return RiskModel(policy: policy, asOf: asOf).assess(c)
        }
        func factor(_ a: RiskModel.Assessment, _ id: String) -> RiskFactor? { a.risk.factors.first { $0.id == id } }
        // gpt-4o-mini at $3/day since 10-01; from 11-06, claude-opus-4-1 at $20/day: 280 / (280 + 42) = 87% of the spend since.
        let abused = assess(ModelUsage(byModel: ["gpt-4o-mini": days("2026-10-01", 50, 3), "claude-opus-4-1": days("2026-11-06", 14, 20)]))
        let f = try XCTUnwrap(factor(abused, "spend.new-model-after-exposure"))
        XCTAssertEqual(f.points, 15)
        XCTAssertEqual(f.reason, "claude-opus-4-1 first used 2026-11-06, 9 days after the key was committed to svc, 87% of the key's spend "
                       + "since; before the exposure only gpt-4o-mini: the key's model mix changed")
        XCTAssertEqual(f.evidence, RiskEvidence(since: "2026-11-06", exposed: "2026-10-28", model: "claude-opus-4-1", share: 0.87))
        XCTAssertNotEqual(abused.risk.severity, .critical, "a second signal, not forced critical")

        // Exactly a quarter (14 / 56) passes the default share and fails a policy of 30%.
        let quarter = ModelUsage(byModel: ["gpt-4o-mini": days("2026-10-01", 50, 3), "gpt-4o": days("2026-11-06", 14, 1)])
        XCTAssertEqual(factor(assess(quarter), "spend.new-model-after-exposure")?.evidence?.share, 0.25)
        var policy = RiskPolicy()
        policy.newModelMinShare = 0.3
        XCTAssertNil(factor(assess(quarter, policy: policy), "spend.new-model-after-exposure"))
        // A model used before the exposure too, or no usage before the exposure to compare with: nothing.
        XCTAssertNil(factor(assess(ModelUsage(byModel: ["gpt-4o-mini": days("2026-10-01", 50, 3), "claude-opus-4-1": days("2026-10-20", 30, 20)])),
                            "spend.new-model-after-exposure"))
        XCTAssertNil(factor(assess(ModelUsage(byModel: ["claude-opus-4-1": days("2026-11-06", 14, 20)])), "spend.new-model-after-exposure"))
        // Rows that name no model: said, with the formats, at zero points.
        let unnamed = assess(ModelUsage(byModel: [:], unnamedFormats: ["openai.costs"]))
        XCTAssertEqual(factor(unnamed, "spend.model-mix-undetermined")?.points, 0)
        XCTAssertEqual(factor(unnamed, "spend.model-mix-undetermined")?.reason,
                       "model mix not judged: the key's usage rows (openai.costs) name no model")
        XCTAssertNil(factor(assess(nil), "spend.model-mix-undetermined"))
    }

    func testNewModelMinSharePolicy() throws {
        XCTAssertEqual(RiskPolicy().newModelMinShare, 0.25)
        XCTAssertEqual(try KeyLedgerConfig.parse("policy:\n  new_model_min_share: 0.5\n", source: "k.yml").policy.newModelMinShare, 0.5)
        XCTAssertEqual(try KeyLedgerConfig.parse("policy:\n  new_model_min_share: 1\n", source: "k.yml").policy.newModelMinShare, 1)
        for (yaml, text) in [("policy:\n  dormant_days: 30\n  new_model_min_share: 0\n", "k.yml: line 3: policy: `new_model_min_share` must be positive"),
                             ("policy:\n  dormant_days: 30\n  new_model_min_share: 1.5\n",
                              "k.yml: line 3: policy: `new_model_min_share` must be a share from 0 to 1 (0.25 = 25%)"),
                             ("policy:\n  dormant_days: 30\n  new_model_min_share: most\n", "k.yml: line 3: policy: `new_model_min_share` must be a number"),
                             ("policy:\n  dormant_days: 30\n  new_model_min_share: .nan\n", "k.yml: line 3: policy: `new_model_min_share` must be a finite number")] {
            XCTAssertThrowsError(try KeyLedgerConfig.parse(yaml, source: "k.yml")) { error in
                XCTAssertTrue("\(error)".contains(text), "\(error)")
            }
        }
    }

    /// The volume signal: requests jump after the exposure while tokens per request change shape; spend flat.
    func testRequestVolumeShiftWithNewTokenShapeAfterExposure() {
        let start = ISODate.parse("2026-10-21")!
        func series(shiftDay: Int, requestsBefore: Int = 150, requestsAfter: Int, tokensPerRequestAfter: Int) -> [DailyUsageRecord] {
            (0..<30).map { i in
                let (requests, perRequest) = i < shiftDay ? (requestsBefore, 2000) : (requestsAfter, tokensPerRequestAfter)
                return DailyUsageRecord(date: ISODate.day(start.addingTimeInterval(Double(i) * 86_400)), cost: 10,
                                        tokens: requests * perRequest, requests: requests)
            }
        }
        // Exposed 2026-10-28 (day 7); from 2026-11-05 (day 15) 3,000 requests a day of 500 tokens instead of 150 of 2,000.
        let abused = factors(credential(daily: series(shiftDay: 15, requestsAfter: 3000, tokensPerRequestAfter: 500)))
        let volume = abused["spend.volume-shift-after-exposure"]
        XCTAssertEqual(volume?.points, 15)
        XCTAssertEqual(volume?.reason, "requests rose from 150/day to 3000/day from 2026-11-05 while tokens per request went from 2000 "
                       + "to 500: a different workload on the key since its exposure on 2026-10-28")
        XCTAssertEqual(volume?.evidence, RiskEvidence(since: "2026-11-05", before: 150, after: 3000, exposed: "2026-10-28"))
        XCTAssertNil(abused["spend.anomaly-after-exposure"], "spend stayed flat: only the volume signal fires")
        // The same jump with the same shape of request is growth, not a new workload.
        XCTAssertNil(factors(credential(daily: series(shiftDay: 15, requestsAfter: 3000, tokensPerRequestAfter: 2000)))["spend.volume-shift-after-exposure"])
        // A jump before the exposure (2026-10-24) is the owner's own launch.
        XCTAssertNil(factors(credential(daily: series(shiftDay: 3, requestsAfter: 3000, tokensPerRequestAfter: 500)))["spend.volume-shift-after-exposure"])
        // Below 100 requests a day nothing is read into a jump (10 → 90 a day is 9×, but a handful of calls).
        XCTAssertNil(factors(credential(daily: series(shiftDay: 15, requestsBefore: 10, requestsAfter: 90,
                                                      tokensPerRequestAfter: 500)))["spend.volume-shift-after-exposure"])
    }
}
