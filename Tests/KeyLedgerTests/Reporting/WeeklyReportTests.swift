import XCTest
@testable import KeyLedger

/// Two crafted registers a week apart, covering every kind of change the weekly report shows.
enum WeeklyReportFixture {
    static let hostilePath = #"deploy/<script>alert("p")</script> & 'x'|y.sh"#
    static let hostileAuthor = #"Mallory "<img src=x onerror=alert(1)>" & co"#
    static let hostileTeam = #"R&D <ops> "core""#

    static func fingerprint(_ c: Character) -> String { "sha256:" + String(repeating: c, count: 64) }

    /// Daily usage from `from` through `to`, `cost(i)` on the i-th day.
    static func daily(_ from: String, _ to: String, _ cost: (Int) -> Double) -> [DailyUsageRecord] {
        let days = WeeklyReport.dayRange(ending: to, count: WeeklyReport.days(from: from, to: to)! + 1)
        return days.enumerated().map { DailyUsageRecord(date: $0.element, cost: cost($0.offset), tokens: 1000, requests: 10) }
    }

    static func credential(
        _ id: String, _ fp: Character, redacted: String, provider: String, kind: String, team: String?, contact: String? = nil,
        severity: Severity, score: Int, keyId: String? = nil, principal: String? = nil, path: String = "app/.env",
        repository: String? = "payments-api", author: String? = "Sam Ortiz", firstSeen: String = "2026-10-01",
        factors: [RiskFactor] = [], treatment: [Treatment] = [], daily: [DailyUsageRecord]? = nil, asOf: String,
        status: CredentialStatus = .open, providerStatus: String? = nil
    ) -> CredentialRecord {
        let spend30 = (daily ?? []).filter { d in
            d.date <= asOf && WeeklyReport.days(from: d.date, to: asOf)! < 30
        }.reduce(0) { $0 + $1.cost }
        let spend7 = (daily ?? []).filter { d in d.date <= asOf && WeeklyReport.days(from: d.date, to: asOf)! < 7 }.reduce(0) { $0 + $1.cost }
        return CredentialRecord(
            id: id, fingerprint: fingerprint(fp), redacted: redacted, provider: provider, kind: kind, rule: "\(provider).\(kind)",
            identity: Identity(keyId: keyId, name: nil, principal: principal),
            owner: Owner(team: team, contact: contact, source: team != nil ? .ownersFile : (contact != nil ? .gitAuthor : OwnerSource.none),
                         costCentre: team.flatMap { costCentres[$0] }),
            exposure: Exposure(firstSeen: firstSeen, lastSeen: asOf, inHead: true, locationsCount: 1, repositories: 1),
            locations: [LocationRecord(kind: repository == nil ? "file" : "git", repository: repository, path: path, line: 1,
                                       commit: repository == nil ? nil : "c0ffee", author: author, date: firstSeen + "T09:00:00Z")],
            created: nil, ageDays: WeeklyReport.days(from: firstSeen, to: asOf), lastUsed: nil,
            usage: Usage(spend30d: WeeklyReport.round2(spend30), spend7d: WeeklyReport.round2(spend7), requests30d: 0, tokens30d: 0,
                         currency: "USD", link: daily == nil ? nil : "exact", estimated: nil, daily: daily),
            privilege: Privilege(level: .write), risk: Risk(score: score, severity: severity, factors: factors),
            controls: ["OWASP-NHI:NHI2"], treatment: treatment, status: status, providerStatus: providerStatus)
    }

    static func register(asOf: String, _ credentials: [CredentialRecord]) -> Register {
        let sorted = credentials.sorted { ($0.risk.score, $1.id) > ($1.risk.score, $0.id) }
        var bySeverity = ["critical": 0, "high": 0, "medium": 0, "low": 0]
        for c in sorted { bySeverity[c.risk.severity.rawValue, default: 0] += 1 }
        let spend = sorted.reduce(0) { $0 + $1.usage.spend30d }
        let attributed = sorted.filter { $0.owner.team != nil }.reduce(0) { $0 + $1.usage.spend30d }
        return Register(
            generatedAt: asOf + "T06:00:00Z", asOf: asOf,
            scan: ScanSummary(targets: ["estate/payments-api", "estate/ml-platform"], commits: 40, blobs: 120, files: 9, bytes: 50_000,
                              durationMs: 800, skipped: [:], problems: [], rules: 60, exports: ["openai.costs": 1]),
            summary: Summary(credentials: sorted.count, bySeverity: bySeverity, spend30d: WeeklyReport.round2(spend), currency: "USD",
                             attributedSpendRatio: spend > 0 ? ((attributed / spend) * 1000).rounded() / 1000 : 0),
            credentials: sorted)
    }

    static func factor(_ id: String, _ points: Int, _ reason: String) -> RiskFactor { RiskFactor(id: id, points: points, reason: reason) }

    /// (last week, this week).
    static func registers() -> (previous: Register, current: Register) {
        let prevDay = "2026-11-13", day = "2026-11-20"
        let openaiDaily = daily("2026-10-15", "2026-11-20") { 40 + Double($0 % 3) * 5 }
        let bedrockDaily = daily("2026-10-15", "2026-11-20") { $0 >= 28 ? 150 + Double($0 % 4) * 10 : 4 }
        let unownedDaily = daily("2026-10-15", "2026-11-20") { _ in 12.5 }
        func openai(_ asOf: String, severity: Severity, score: Int, due: String) -> CredentialRecord {
            credential("kl_openai", "a", redacted: "sk-proj-Ab…wxyz", provider: "openai", kind: "project-key", team: "payments",
                       severity: severity, score: score, keyId: "key_pay01", principal: "user_sam",
                       factors: [factor("exposure.git-head", 40, "in HEAD of payments-api: anyone who can read the repository has it"),
                                 factor("spend.level", 10, "1,350 USD in 30 days")],
                       treatment: [Treatment(action: .revoke, due: due), Treatment(action: .moveToSecretManager, due: due)],
                       daily: openaiDaily, asOf: asOf)
        }
        func team(_ asOf: String, severity: Severity, score: Int) -> CredentialRecord {
            credential("kl_team", "g", redacted: "hf_Ab…9xyz", provider: "huggingface", kind: "token", team: hostileTeam,
                       severity: severity, score: score, path: "notebooks/a|b.ipynb", repository: "ml-platform",
                       factors: [factor("exposure.git-history", 30, "still in git history since 2026-06-10")],
                       treatment: [Treatment(action: .rotate, due: "2026-12-20")], daily: unownedDaily, asOf: asOf)
        }
        func suppressed(_ asOf: String) -> CredentialRecord {
            credential("kl_supp", "h", redacted: "AIzaSy…Q0xw", provider: "google", kind: "api-key", team: "payments",
                       severity: .high, score: 65, path: "docs/example.json", asOf: asOf, status: .suppressed)
        }
        let previous = register(asOf: prevDay, [
            openai(prevDay, severity: .high, score: 70, due: "2026-11-14"),
            credential("kl_anthropic", "b", redacted: "sk-ant-api03-Ab…cdAA", provider: "anthropic", kind: "api-key", team: "payments",
                       severity: .medium, score: 45, path: "app/summarise.py",
                       treatment: [Treatment(action: .rotate, due: "2026-12-13")], asOf: prevDay),
            credential("kl_aws", "c", redacted: "AKIA…WXYZ", provider: "aws", kind: "access-key", team: "payments",
                       severity: .high, score: 62, keyId: "AKIAEXAMPLEKEY000001", principal: "payments-deployer", path: "deploy/aws.sh",
                       treatment: [Treatment(action: .revoke, due: "2026-11-20")], asOf: prevDay, providerStatus: "active"),
            credential("kl_gcp_old", "d", redacted: "-----BEGIN PRIVATE KEY-----…Ab==", provider: "gcp", kind: "service-account-key",
                       team: "ml-platform", severity: .high, score: 60, keyId: "1111aaaa", principal: "trainer@ml-platform-prod.iam.gserviceaccount.com",
                       path: "secrets/trainer-sa.json", repository: "ml-platform", treatment: [Treatment(action: .rotate, due: "2026-11-20")],
                       asOf: prevDay),
            team(prevDay, severity: .medium, score: 40),
            suppressed(prevDay),
        ])
        let current = register(asOf: day, [
            // The pipeline carries the first due date recorded (last week's) into the register.
            openai(day, severity: .critical, score: 85, due: "2026-11-14"),
            credential("kl_aws", "c", redacted: "AKIA…WXYZ", provider: "aws", kind: "access-key", team: "payments",
                       severity: .high, score: 62, keyId: "AKIAEXAMPLEKEY000001", principal: "payments-deployer", path: "deploy/aws.sh",
                       treatment: [Treatment(action: .revoke, due: "2026-11-27")], asOf: day, providerStatus: "inactive"),
            credential("kl_gcp_new", "e", redacted: "-----BEGIN PRIVATE KEY-----…Cd==", provider: "gcp", kind: "service-account-key",
                       team: "ml-platform", severity: .medium, score: 50, keyId: "2222bbbb", principal: "trainer@ml-platform-prod.iam.gserviceaccount.com",
                       path: "secrets/trainer-sa-2.json", repository: "ml-platform", firstSeen: "2026-11-17",
                       treatment: [Treatment(action: .moveToSecretManager, due: "2026-12-20")], asOf: day),
            credential("kl_bedrock", "f", redacted: "ABSK…Tg==", provider: "aws", kind: "bedrock-api-key", team: "ml-platform",
                       severity: .critical, score: 100, principal: "arn:aws:iam::123456789012:user/BedrockAPIKey-x1y2",
                       path: "infra/bedrock.env", repository: "ml-platform", author: "Devin AI", firstSeen: "2026-11-05",
                       factors: [factor("exposure.git-head", 40, "in HEAD of ml-platform"),
                                 RiskFactor(id: "spend.anomaly-after-exposure", points: 40,
                                            reason: "$4.00/day → $163.33/day from 2026-11-12, 7 days after the key was committed to ml-platform: "
                                                + "the signature of a stolen key in use",
                                            evidence: RiskEvidence(since: "2026-11-12", before: 4, after: 163.33, currency: "USD", exposed: "2026-11-05"))],
                       treatment: [Treatment(action: .investigateAbuse, due: "2026-11-21"), Treatment(action: .revoke, due: "2026-11-21")],
                       daily: bedrockDaily, asOf: day),
            credential("kl_hostile", "9", redacted: "ghp_Ab…wxyz", provider: "github", kind: "personal-access-token", team: nil,
                       contact: hostileAuthor, severity: .high, score: 66, path: hostilePath, author: hostileAuthor, firstSeen: "2026-11-18",
                       factors: [factor("ownership.none", 10, "no team owner; fallback contact \(hostileAuthor) (git-author)"),
                                 factor("exposure.git-head", 40, "in HEAD of \(hostilePath)")],
                       treatment: [Treatment(action: .revoke, due: "2026-11-27")], asOf: day),
            team(day, severity: .low, score: 30),
            suppressed(day),
        ])
        return (previous, current)
    }

    static let budgets: [String: Double] = ["payments": 1000, "ml-platform": 5000, "finance": 200]
    static let costCentres = ["payments": "CC-1042", "ml-platform": "CC-2077"]
}

/// The weekly report model: what changed, what is due, spend, forecasts and anomalies.
final class WeeklyReportTests: XCTestCase {
    func report() -> WeeklyReport {
        let (previous, current) = WeeklyReportFixture.registers()
        return WeeklyReport.build(current: current, previous: previous, periodDays: 7, asOf: "2026-11-20",
                                  budgets: WeeklyReportFixture.budgets)
    }

    func testNewResolvedRotatedAndSeverityChanges() {
        let r = report()
        XCTAssertEqual(r.newCredentials.map(\.id), ["kl_bedrock", "kl_hostile"], "rotated and suppressed credentials are not new")
        XCTAssertEqual(r.resolved.map(\.credential.id), ["kl_aws", "kl_anthropic"])
        XCTAssertEqual(r.resolved.first { $0.credential.id == "kl_aws" }?.reason, "provider key now inactive")
        XCTAssertEqual(r.resolved.first { $0.credential.id == "kl_anthropic" }?.reason, "no longer found in any scanned source or provider listing")
        XCTAssertEqual(r.rotated.count, 1)
        XCTAssertEqual(r.rotated.first?.identity, "trainer@ml-platform-prod.iam.gserviceaccount.com")
        XCTAssertEqual(r.rotated.first?.old.id, "kl_gcp_old")
        XCTAssertEqual(r.rotated.first?.new.id, "kl_gcp_new")
        XCTAssertEqual(r.rotated.first?.oldStatus, "old secret no longer found")
        XCTAssertEqual(r.severityChanges.map { "\($0.credential.id) \($0.from)→\($0.to) \($0.escalated)" },
                       ["kl_openai high→critical true", "kl_team medium→low false"])
        // Suppressed and revoked credentials are no longer open.
        XCTAssertEqual(r.bySeverity, ["critical": 2, "high": 1, "medium": 1, "low": 1])
        XCTAssertEqual(r.previousBySeverity, ["critical": 0, "high": 3, "medium": 2, "low": 0])
    }

    func testRotationWhileTheOldSecretIsStillFoundSaysToRevokeIt() {
        var (previous, current) = WeeklyReportFixture.registers()
        current.credentials += previous.credentials.filter { $0.id == "kl_gcp_old" }
        previous.credentials.removeAll { $0.id == "kl_anthropic" }
        let r = WeeklyReport.build(current: current, previous: previous)
        XCTAssertEqual(r.rotated.map(\.oldStatus), ["old secret still found: revoke it"])
        XCTAssertFalse(r.newCredentials.contains { $0.id == "kl_gcp_new" })
    }

    func testAListedKeyWhoseSecretTurnsUpIsNewNotRotated() {
        func admin(_ id: String, found: Bool, asOf: String) -> CredentialRecord {
            var c = WeeklyReportFixture.credential(id, "7", redacted: found ? "sk-admin-fu…X4LD" : "sk-admin…X4LD", provider: "openai",
                                                   kind: "admin-key", team: nil, contact: "Ops Lead", severity: found ? .critical : .low,
                                                   score: found ? 80 : 10, keyId: "key_admin01", asOf: asOf)
            if !found { c.fingerprint = nil; c.locations = [] }
            return c
        }
        let listed = WeeklyReportFixture.register(asOf: "2026-11-13", [admin("kl_listed", found: false, asOf: "2026-11-13")])
        let found = WeeklyReportFixture.register(asOf: "2026-11-20", [admin("kl_found", found: true, asOf: "2026-11-20")])
        let r = WeeklyReport.build(current: found, previous: listed)
        XCTAssertEqual(r.newCredentials.map(\.id), ["kl_found"], "its first appearance in a source is a new exposure")
        XCTAssertTrue(r.rotated.isEmpty, "same key id, and no earlier secret to compare: not a rotation")
        XCTAssertTrue(r.resolved.isEmpty, "the listed key did not go away")
        XCTAssertTrue(r.severityChanges.isEmpty)

        // The reverse: the secret is gone from every source while the provider still lists the key.
        let gone = WeeklyReportFixture.register(asOf: "2026-11-27", [admin("kl_listed", found: false, asOf: "2026-11-27")])
        let back = WeeklyReport.build(current: gone, previous: found)
        XCTAssertTrue(back.newCredentials.isEmpty)
        XCTAssertEqual(back.resolved.map(\.reason), ["no longer found in any scanned source; the provider still lists the key"])
    }

    func testOverdueUsesTheRegistersDueDate() {
        let r = report()
        XCTAssertEqual(r.overdue.map(\.credential.id), ["kl_openai"])
        XCTAssertEqual(r.overdue.first?.overdueDays, 6)
        XCTAssertEqual(r.overdue.first?.due, "2026-11-14")
        XCTAssertEqual(r.topRisks.first { $0.credential.id == "kl_openai" }?.overdueDays, 6)
    }

    /// Issue 10: the weekly report said 2026-11-14 "6 d late" while the register CSV and Markdown of the same store
    /// said 2026-11-21. The report now reads the recorded register's `treatment[].due`, as `register --db` does, so
    /// whatever date the register carries, every output shows the same one.
    func testDueDatesAgreeWithTheRegisterFromTheSameStore() throws {
        for due in ["2026-11-14", "2026-11-21"] {
            let dir = try temporaryDirectory(self, "due-\(due)")
            let store = try HistoryStore.open(path: dir + "/h.sqlite")
            defer { store.close() }
            var (previous, current) = WeeklyReportFixture.registers()
            let i = try XCTUnwrap(current.credentials.firstIndex { $0.id == "kl_openai" })
            for j in current.credentials[i].treatment.indices { current.credentials[i].treatment[j].due = due }
            try store.record(previous)
            try store.record(current)
            let weekly = try WeeklyReport.build(store: store, periodDays: 7)
            let recorded = try store.register(of: try XCTUnwrap(store.latestScan()))
            let weeklyDue = weekly.topRisks.first { $0.credential.id == "kl_openai" }?.due
            XCTAssertEqual(weeklyDue, due)
            let csv = CSVParser.parse(CSVReporter.render(recorded))
            let dueColumn = try XCTUnwrap(CSVReporter.columns.firstIndex(of: "due"))
            let idColumn = try XCTUnwrap(CSVReporter.columns.firstIndex(of: "id"))
            XCTAssertEqual(csv.first { $0[idColumn] == "kl_openai" }?[dueColumn], due)
            let mdRow = MarkdownReporter.render(recorded).split(separator: "\n").first { $0.contains("sk-proj-Ab…wxyz") } ?? ""
            XCTAssertTrue(mdRow.hasSuffix("| \(due) |"), String(mdRow))
            XCTAssertEqual(weekly.overdue.first { $0.credential.id == "kl_openai" }?.overdueDays, due == "2026-11-14" ? 6 : nil)
        }
    }

    func testTopRisksAreOpenCredentialsByScore() {
        let r = report()
        XCTAssertEqual(r.topRisks.map(\.credential.id), ["kl_bedrock", "kl_openai", "kl_hostile", "kl_gcp_new", "kl_team"])
        let bedrock = r.topRisks[0]
        XCTAssertEqual(bedrock.action, "investigate-abuse")
        XCTAssertEqual(bedrock.due, "2026-11-21")
        XCTAssertEqual(bedrock.credential.owner, "ml-platform")
        XCTAssertEqual(bedrock.credential.topReason, "in HEAD of ml-platform")
        XCTAssertEqual(r.topRisks[2].credential.owner, WeeklyReportFixture.hostileAuthor + " (git-author)")
    }

    func testSpendSeriesTeamsForecastAndBudgets() throws {
        let r = report()
        XCTAssertEqual(r.spendThrough, "2026-11-20")
        XCTAssertEqual(r.dailySpend.map(\.day), WeeklyReport.dayRange(ending: "2026-11-20", count: 7))
        XCTAssertEqual(r.previousDailySpend.map(\.day), WeeklyReport.dayRange(ending: "2026-11-13", count: 7))
        let payments = try XCTUnwrap(r.spendByTeam.first { $0.team == "payments" })
        // Last 14 days of openai: 40 + (i % 3) × 5 for i = 23…36.
        let window = (23...36).map { 40 + Double($0 % 3) * 5 }
        XCTAssertEqual(payments.forecast30d, WeeklyReport.round2(window.reduce(0, +) / 14 * 30), accuracy: 0.001)
        XCTAssertEqual(payments.budget, 1000)
        XCTAssertEqual(payments.budgetStatus, "over")
        let ml = try XCTUnwrap(r.spendByTeam.first { $0.team == "ml-platform" })
        XCTAssertEqual(ml.budgetStatus, "within")
        XCTAssertEqual(ml.period, 1160)
        XCTAssertEqual(ml.previousPeriod, 330, "the Bedrock spike began on the last two days of the period before")
        XCTAssertEqual(r.spendByTeam.first { $0.team == "finance" }?.spend30d, 0, "a budget without spend is still listed")
        XCTAssertEqual(r.spendByTeam.first { $0.team == WeeklyReportFixture.hostileTeam }?.period, 87.5)
        // Totals by hand from the fixture's daily series (day i counts from 2026-10-15; this period is 2026-11-14 … 11-20 =
        // i 30…36, the one before 2026-11-07 … 11-13 = i 23…29):
        //   payments (openai, 40 + (i % 3) × 5): i 30…36 → i % 3 = 0,1,2,0,1,2,0 (Σ 6): 280 + 30 = 310;
        //                                        i 23…29 → 2,0,1,2,0,1,2 (Σ 8): 280 + 40 = 320
        //   ml-platform (bedrock, i ≥ 28: 150 + (i % 4) × 10, else 4): this period 1160 (above); before: 5 × 4 + 150 + 160 = 330
        //   the hostile team (12.5 a day): 7 × 12.5 = 87.5 in each period
        XCTAssertEqual(r.spendByTeam.first { $0.team == "payments" }?.period, 310)
        XCTAssertEqual(r.spendByTeam.first { $0.team == "payments" }?.previousPeriod, 320)
        XCTAssertEqual(r.periodTotal, 310 + 1160 + 87.5, accuracy: 0.001)
        XCTAssertEqual(r.previousPeriodTotal, 320 + 330 + 87.5, accuracy: 0.001)
        XCTAssertNotNil(r.previousAttribution)
    }

    func testAnomaliesComeFromTheRiskModelElseTheReportsOwnRule() {
        let r = report()
        XCTAssertEqual(r.anomalies.map(\.credential.id), ["kl_bedrock"])
        XCTAssertEqual(r.anomalies.first?.source, "risk model")
        XCTAssertTrue(r.anomalies.first?.reason.hasPrefix("$4.00/day → $163.33/day from 2026-11-12") ?? false)

        // A register scored without anomaly factors: the report's own rule finds the same spike, and only it.
        var (previous, current) = WeeklyReportFixture.registers()
        for i in current.credentials.indices { current.credentials[i].risk.factors.removeAll { $0.id.hasPrefix("spend.") } }
        let own = WeeklyReport.build(current: current, previous: previous)
        XCTAssertEqual(own.anomalies.map(\.credential.id), ["kl_bedrock"])
        XCTAssertEqual(own.anomalies.first?.source, "report")
        XCTAssertTrue(own.anomalies.first?.reason.contains("a day before") ?? false, own.anomalies.first?.reason ?? "")

        // Flat spend is never an anomaly.
        current.credentials.removeAll { $0.id == "kl_bedrock" }
        previous.credentials.removeAll { $0.id == "kl_bedrock" }
        XCTAssertTrue(WeeklyReport.build(current: current, previous: previous).anomalies.isEmpty)
    }

    func testHeadlineSaysWhatChangedAndWhatIsDue() {
        let r = report()
        // Abuse after exposure leads: who, the levels, the change-point and how long after the exposure.
        XCTAssertEqual(r.headline, "Abuse after exposure: arn:aws:iam::123456789012:user/BedrockAPIKey-x1y2 (aws): $4.00/day → $163.33/day "
            + "from 2026-11-12, 7 days after exposure. Since 2026-11-13: 2 new credentials (2 critical or high), 2 resolved, 1 rotated and "
            + "1 escalated; this week: revoke and investigate the abused key, clear 1 overdue treatment and rein in payments spend "
            + "(forecast $1,350 vs $1,000 budget).")
        let first = WeeklyReport.build(current: WeeklyReportFixture.registers().current, previous: nil)
        XCTAssertEqual(first.headline, "Abuse after exposure: arn:aws:iam::123456789012:user/BedrockAPIKey-x1y2 (aws): $4.00/day → "
            + "$163.33/day from 2026-11-12, 7 days after exposure. First recorded scan (2026-11-20): 5 open credentials, 3 critical or "
            + "high; this week: revoke and investigate the abused key and clear 1 overdue treatment.")
        XCTAssertTrue(first.newCredentials.isEmpty)
        XCTAssertTrue(first.notes.contains { $0.contains("No earlier scan") })
    }

    func testSpendDataEndingBeforeTheScanIsNotReadAsADrop() {
        var (previous, current) = WeeklyReportFixture.registers()
        for i in current.credentials.indices { current.credentials[i].usage.daily?.removeAll { $0.date > "2026-11-18" } }
        for i in previous.credentials.indices { previous.credentials[i].usage.daily?.removeAll { $0.date > "2026-11-18" } }
        let r = WeeklyReport.build(current: current, previous: previous)
        XCTAssertEqual(r.spendThrough, "2026-11-18")
        XCTAssertEqual(r.dailySpend.last?.day, "2026-11-18")
        XCTAssertTrue(r.notes.contains("Spend data runs through 2026-11-18; the scan is as of 2026-11-20."))
    }

    func testWithoutDailyUsageTeamsUseThirtyDayTotals() {
        var (_, current) = WeeklyReportFixture.registers()
        for i in current.credentials.indices { current.credentials[i].usage.daily = nil }
        let r = WeeklyReport.build(current: current, previous: nil, budgets: ["payments": 1000])
        XCTAssertTrue(r.dailySpend.isEmpty)
        XCTAssertNil(r.spendThrough)
        let payments = r.spendByTeam.first { $0.team == "payments" }
        XCTAssertEqual(payments?.forecast30d, payments?.spend30d)
        XCTAssertTrue(r.notes.contains { $0.contains("no daily usage") })
    }

    func testBudgetsAreReadLeniently() throws {
        let yaml = """
        owners: []
        policy:
          max_age_days: 90
          budgets:
            payments: 3000
            ml-platform: "5,000"
            research: 1200.5 USD
            broken: lots
        """
        let b = try WeeklyReportBudgets.parse(yaml, source: "keyledger.yml")
        XCTAssertEqual(b.budgets, ["payments": 3000, "ml-platform": 5000, "research": 1200.5])
        XCTAssertEqual(b.skipped, ["keyledger.yml: line 8: policy.budgets.broken is not an amount"])
        XCTAssertEqual(try WeeklyReportBudgets.parse("owners: []\n", source: "k.yml").budgets, [:])
        XCTAssertThrowsError(try WeeklyReportBudgets.parse("policy: [", source: "k.yml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("k.yml: not valid YAML"), "\(error)")
        }
    }

    func testSpendHistoryCoversTheWholeDailyWindowWithExposureDates() {
        let r = report()
        // The fixture's daily usage runs 2026-10-15 … 2026-11-20: 37 days, all shown (not only the last 7).
        XCTAssertEqual(r.spendHistory.count, 37)
        XCTAssertEqual(r.spendHistory.first?.day, "2026-10-15")
        XCTAssertEqual(r.spendHistory.last?.day, "2026-11-20")
        XCTAssertEqual(r.spendHistory.suffix(7), r.dailySpend[...], "the period is the history's last days")
        XCTAssertEqual(r.exposureMarks.map { "\($0.day) \($0.credential.id)" },
                       ["2026-11-05 kl_bedrock", "2026-11-17 kl_gcp_new", "2026-11-18 kl_hostile"],
                       "credentials first exposed inside the window; older ones are not marked")
        // Short series still span 30 days; long ones are capped at 90.
        var (previous, current) = WeeklyReportFixture.registers()
        for i in current.credentials.indices {
            current.credentials[i].usage.daily = current.credentials[i].usage.daily?.filter { $0.date >= "2026-11-15" }
        }
        XCTAssertEqual(WeeklyReport.build(current: current, previous: nil).spendHistory.count, 30)
        current.credentials[0].usage.daily = WeeklyReportFixture.daily("2026-01-01", "2026-11-20") { _ in 1 }
        previous.credentials.removeAll()
        let long = WeeklyReport.build(current: current, previous: previous)
        XCTAssertEqual(long.spendHistory.count, 90)
        XCTAssertEqual(long.spendHistory.last?.day, "2026-11-20")
    }

    /// Issue 12, item 4: per abused key, the change-point is marked next to its exposure date (from the factor's
    /// evidence), and a CloudTrail LLMjacking factor marks its first event.
    func testChangePointIsMarkedNextToTheExposureDate() {
        let r = report()
        XCTAssertEqual(r.exposureMarks.first?.abuse,
                       WeeklyReport.AbuseStart(day: "2026-11-12", factor: "spend.anomaly-after-exposure", exposed: "2026-11-05",
                                               before: 4, after: 163.33, currency: "USD"))
        XCTAssertEqual(r.exposureMarks.first?.abuse?.summary, "$4.00/day → $163.33/day from 2026-11-12, 7 days after exposure")
        XCTAssertEqual(r.exposureMarks.dropFirst().map(\.abuse), [nil, nil])
        XCTAssertEqual(r.anomalies.first?.abuse, r.exposureMarks.first?.abuse)

        let svg = WeeklyReportSVG.spendHistory(r.spendHistory, periodDays: r.periodDays, marks: r.exposureMarks, currency: r.currency)
        XCTAssertTrue(svg.contains(#"aria-label="Daily spend, 2026-10-15 to 2026-11-20, with exposure dates and where abuse starts""#))
        XCTAssertEqual(svg.components(separatedBy: #"<g class="abuse">"#).count - 1, 1)
        XCTAssertTrue(svg.contains("<title>2026-11-12: abuse of arn:aws:iam::123456789012:user/BedrockAPIKey-x1y2 starts — "
                                   + "$4.00/day → $163.33/day from 2026-11-12, 7 days after exposure</title>"), svg)
        XCTAssertTrue(svg.contains(#">1 ▲</text>"#))
        let markdown = WeeklyReportMarkdown.render(r)
        XCTAssertTrue(markdown.contains("- 2026-11-05: critical arn:aws:iam::123456789012:user/BedrockAPIKey-x1y2 · `ABSK…Tg==` aws "
                                        + "bedrock-api-key at ml-platform:infra/bedrock.env:1; ▲ abuse: $4.00/day → $163.33/day from "
                                        + "2026-11-12, 7 days after exposure\n"), markdown)

        // A CloudTrail signature after exposure marks its first event; one before the exposure marks nothing.
        var (previous, current) = WeeklyReportFixture.registers()
        let hostile = current.credentials.firstIndex { $0.id == "kl_hostile" }!
        current.credentials[hostile].risk.factors.append(RiskFactor(
            id: "cloudtrail.enumeration-then-invocation", points: 40, reason: "ListFoundationModels …",
            evidence: RiskEvidence(since: "2026-11-19", exposed: "2026-11-18", events: ["ListFoundationModels", "InvokeModel"],
                                   time: "2026-11-19T03:14:02Z", address: "198.51.100.23", agent: "python-requests")))
        let both = WeeklyReport.build(current: current, previous: previous, asOf: "2026-11-20")
        XCTAssertEqual(both.exposureMarks.last?.abuse?.summary, "model enumeration then invocation in CloudTrail on 2026-11-19, 1 day after exposure")
        XCTAssertEqual(both.anomalies.map(\.credential.id), ["kl_bedrock", "kl_hostile"])
        XCTAssertTrue(both.headline.hasPrefix("2 keys abused after exposure: arn:aws:iam::123456789012:user/BedrockAPIKey-x1y2 (aws): "
                                              + "$4.00/day → $163.33/day from 2026-11-12, 7 days after exposure; ghp_Ab…wxyz (github): model "
                                              + "enumeration then invocation in CloudTrail on 2026-11-19, 1 day after exposure. Since 2026-11-13: "),
                      both.headline)
        current.credentials[hostile].risk.factors[current.credentials[hostile].risk.factors.count - 1].evidence?.since = "2026-11-17"
        XCTAssertNil(WeeklyReport.build(current: current, previous: previous, asOf: "2026-11-20").exposureMarks.last?.abuse)
        // Without evidence (a register scored before factors carried it) the anomaly is listed but nothing is marked.
        for i in current.credentials.indices {
            for j in current.credentials[i].risk.factors.indices { current.credentials[i].risk.factors[j].evidence = nil }
        }
        let old = WeeklyReport.build(current: current, previous: previous, asOf: "2026-11-20")
        XCTAssertEqual(old.anomalies.map(\.credential.id), ["kl_bedrock", "kl_hostile"])
        XCTAssertTrue(old.exposureMarks.allSatisfy { $0.abuse == nil })
        XCTAssertTrue(old.headline.hasPrefix("Since 2026-11-13: "), old.headline)
    }

    /// The register's Markdown headline is led by the abused keys too.
    func testRegisterMarkdownHeadlineLeadsWithAbuse() {
        let current = WeeklyReportFixture.registers().current
        XCTAssertEqual(MarkdownReporter.headline(current, atRisk: 100),
                       "Abuse after exposure: arn:aws:iam::123456789012:user/BedrockAPIKey-x1y2 (aws): $4.00/day → $163.33/day from "
                       + "2026-11-12, 7 days after exposure. 2 critical credentials and 3 high, $100.00 of 30-day spend at risk, "
                       + "\(Int((current.summary.attributedSpendRatio * 100).rounded()))% of spend attributed to a team.")
    }

    func testSpendByProviderAndCostCentre() {
        let r = report()
        XCTAssertEqual(r.spendByProvider.map(\.name), ["aws", "openai", "huggingface"])
        XCTAssertEqual(r.spendByProvider.first?.spend30d ?? 0, 1554, accuracy: 0.001)
        XCTAssertEqual(r.spendByCostCentre.map(\.name), ["CC-2077", "CC-1042", nil], "a team without a cost centre is its own row")
        let byCentre = Dictionary(uniqueKeysWithValues: r.spendByCostCentre.map { ($0.name ?? "-", $0.spend30d) })
        XCTAssertEqual(byCentre["CC-1042"] ?? 0, 1350, accuracy: 0.001)
        XCTAssertEqual(r.spendByProvider.reduce(0) { $0 + $1.period }, r.periodTotal, accuracy: 0.01, "the breakdowns add up")
        XCTAssertEqual(r.spendByCostCentre.reduce(0) { $0 + $1.period }, r.periodTotal, accuracy: 0.01)
        let md = WeeklyReportMarkdown.render(r)
        XCTAssertTrue(md.contains("### By provider\n\n| Provider | This period |"))
        XCTAssertTrue(md.contains("### By cost centre\n\n| Cost centre | This period |"))
        XCTAssertTrue(md.contains("the register carries no model information"))
        XCTAssertTrue(md.contains("Exposed in this window:\n\n- 2026-11-05: critical arn:aws:iam::123456789012:user/BedrockAPIKey-x1y2"))
        let html = WeeklyReportHTML.render(r)
        XCTAssertTrue(html.contains("<h3>By provider</h3>") && html.contains("<h3>By cost centre</h3>"))
        XCTAssertTrue(html.contains("<title>2026-11-05: exposed arn:aws:iam::123456789012:user/BedrockAPIKey-x1y2 (aws, critical)</title>"))
    }

    func testFormats() {
        XCTAssertEqual(ReportFormat.number(-1234.5), "-1,234.50")
        XCTAssertEqual(ReportFormat.number(-0.001), "0.00")
        XCTAssertEqual(ReportFormat.points(0.65, 0.72), "+7 pp")
        XCTAssertEqual(ReportFormat.change(100, 80), "-20%")
        XCTAssertEqual(ReportFormat.change(0, 5), "new")
        XCTAssertEqual(ReportFormat.sparkline([0, 1, 2, 8]), "▁▂▃█")
        XCTAssertEqual(ReportFormat.list(["a", "b", "c"]), "a, b and c")
    }
}
