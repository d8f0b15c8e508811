import Foundation

/// The weekly security report: what changed between the latest recorded scan and the one a period earlier,
/// and what needs action this week. A plain value computed from two registers; the HTML and Markdown
/// renderers only lay it out.
///
/// How the numbers are made (also printed at the foot of each report):
/// - **New / resolved / rotated** compare credentials by id (derived from the secret's fingerprint); a key the
///   provider lists whose secret turns up in a scanned source (or stops turning up) changes id, and is matched by
///   its provider key id instead — its first appearance in a source counts as new. A credential is *resolved* when
///   the later scan no longer finds it, or finds it but its provider-side key is now revoked or inactive. It is
///   *rotated* when a new secret has the same provider identity (key id, else principal) as an earlier secret with
///   a different fingerprint; rotated credentials are not also listed as new.
/// - **Treatment due dates** are the register's own (`treatment[].due`), the single source every output of the same
///   store shows: the pipeline carries the first due date recorded for a credential and action into the register, so
///   an owner is held to the first date given and the report, CSV and Markdown register agree.
/// - **Spend** comes from the registers' daily usage (the later register's days, the earlier one's where the later
///   has none), up to the last day with data on or before the later scan's as-of.
/// - **Forecast (30 days)** per team = mean daily spend over the last 14 days × 30. A mean of two recent weeks
///   follows a sustained change within days but does not extrapolate a one-day spike the way a fitted slope would.
/// - **Spend anomalies** are credentials whose risk factors include one starting with `spend.anomaly`, `spend.spike`,
///   `spend.new-model-after-exposure` or `cloudtrail.` (the risk model's findings, with their reasons); keys abused
///   after their exposure (a spend change-point or an LLMjacking signature, `abuseStart`) come first and lead the
///   headline, and the spend chart marks where their abuse starts next to their exposure date. When no credential
///   in the register carries such a factor (a register scored before the risk model knew spend), the report applies
///   its own rule: mean daily
///   spend over the last 7 days ≥ 5 × the mean over the up to 28 days before, with at least 7 earlier days of
///   data and a recent mean of at least 5 (currency units) a day (`SpendAnomalyDetector.recentSpike`).
/// - **Leaked keys that still work** are the later register's open credentials whose provider accepted them when
///   `scan --validate` asked (`validation.status: active`, an answer of that scan or one it reused from the store), with
///   the day of the answer; they lead the actions after abused keys. Without `--validate` the report says nothing of it.
public struct WeeklyReport: Sendable, Equatable {
    /// A scan the report compares.
    public struct ScanInfo: Sendable, Equatable {
        public var asOf: String
        public var generatedAt: String
        public var credentials: Int
    }

    /// One credential as the report shows it.
    public struct CredentialLine: Sendable, Equatable {
        public var id: String
        public var redacted: String
        /// What the credential is: key id, principal or key name (`CredentialNames.identity`); nil when unknown.
        public var identity: String?
        public var provider: String
        public var kind: String
        public var severity: String
        public var score: Int
        /// Team, else contact (and where it came from), else nil.
        public var owner: String?
        public var team: String?
        /// First location as `repository:path:line`, with `(+N)` for more; nil for a provider-listed key found nowhere.
        public var location: String?
        public var spend30d: Double
        public var firstSeen: String?
        /// The commit author of the earliest git location: who to ask about it.
        public var author: String?
        /// The highest-scoring factor's reason: why this credential matters.
        public var topReason: String?

        /// How a sentence names the credential: its identity, else its redacted secret.
        public var name: String { identity ?? redacted }
    }

    public struct Resolution: Sendable, Equatable {
        public var credential: CredentialLine
        public var reason: String
    }

    public struct Rotation: Sendable, Equatable {
        /// The identity both secrets belong to (key id or principal).
        public var identity: String
        public var old: CredentialLine
        public var new: CredentialLine
        /// What became of the old secret: no longer found, dead at the provider, or still found (revoke it).
        public var oldStatus: String
    }

    public struct SeverityChange: Sendable, Equatable {
        public var credential: CredentialLine
        public var from: String
        public var to: String
        public var fromScore: Int
        public var toScore: Int
        public var escalated: Bool { WeeklyReport.rank(to) < WeeklyReport.rank(from) }
    }

    /// A credential that needs treatment, with the action and the date it is due.
    public struct RiskLine: Sendable, Equatable {
        public var credential: CredentialLine
        public var action: String?
        public var due: String?
        /// Days past due as of the report date; nil when not overdue.
        public var overdueDays: Int?
    }

    public struct TeamSpend: Sendable, Equatable {
        /// The owning team, or nil for spend without a team owner.
        public var team: String?
        public var period: Double
        public var previousPeriod: Double
        public var spend30d: Double
        public var forecast30d: Double
        /// Monthly budget from policy, when one is set.
        public var budget: Double?
        /// `over`, `near` (≥ 80 %), `within`, or nil without a budget.
        public var budgetStatus: String? {
            guard let budget else { return nil }
            return forecast30d > budget ? "over" : forecast30d >= 0.8 * budget ? "near" : "within"
        }
    }

    public struct DailySpend: Sendable, Equatable {
        public var day: String
        public var amount: Double
    }

    /// Spend of one group of credentials (a provider, a cost centre): this period, the one before, the last 30 days.
    public struct SpendShare: Sendable, Equatable {
        /// The provider or cost centre; nil for credentials without one (no cost centre in keyledger.yml).
        public var name: String?
        public var period: Double
        public var previousPeriod: Double
        public var spend30d: Double
    }

    /// The day a credential was first exposed (its earliest location), marked on the spend history; for an abused
    /// key, also where the abuse starts.
    public struct ExposureMark: Sendable, Equatable {
        public var day: String
        public var credential: CredentialLine
        public var abuse: AbuseStart? = nil
    }

    /// Where the abuse of an exposed key starts, from its risk factor's evidence (`RiskFactor.evidence`): the spend
    /// change-point (the first day at the abuse level), else the first LLMjacking event in CloudTrail after exposure.
    public struct AbuseStart: Sendable, Equatable {
        public var day: String
        /// The factor that found it (`spend.anomaly-after-exposure`, `cloudtrail.enumeration-then-invocation`, …).
        public var factor: String
        /// The day the key was first exposed, as the factor saw it.
        public var exposed: String?
        /// Mean daily spend before and after a change-point (nil for CloudTrail).
        public var before: Double?
        public var after: Double?
        public var currency: String?

        /// Whole days from the exposure to the start of the abuse.
        public var daysAfterExposure: Int? { exposed.flatMap { WeeklyReport.days(from: $0, to: day) } }

        /// `$2.50/day → $270.00/day from 2026-11-05, 8 days after exposure`; `model enumeration then invocation in
        /// CloudTrail on 2026-11-08, 7 days after exposure`.
        public var summary: String {
            let when = daysAfterExposure.map { $0 == 0 ? ", the day of the exposure" : $0 == 1 ? ", 1 day after exposure" : ", \($0) days after exposure" } ?? ""
            if let before, let after, let currency {
                return "\(Money.format(before, currency))/day → \(Money.format(after, currency))/day from \(day)" + when
            }
            let what: String
            switch factor {
            case "cloudtrail.enumeration-then-invocation": what = "model enumeration then invocation in CloudTrail"
            case "cloudtrail.model-access-request": what = "a Bedrock model-access request in CloudTrail"
            case "cloudtrail.new-source-after-exposure": what = "invocation from a new source in CloudTrail"
            default: what = factor
            }
            return what + " on \(day)" + when
        }
    }

    public struct Anomaly: Sendable, Equatable {
        public var credential: CredentialLine
        public var reason: String
        /// `risk model` (a `spend.anomaly*` factor) or `report` (the report's own rule).
        public var source: String
        /// Where the abuse starts, when the risk model found abuse after exposure (spend change-point or CloudTrail).
        public var abuse: AbuseStart? = nil
    }

    /// The report's "today": overdue is judged against it.
    public var asOf: String
    public var periodDays: Int
    public var current: ScanInfo
    public var previous: ScanInfo?
    public var headline: String
    public var currency: String

    public var newCredentials: [CredentialLine]
    public var resolved: [Resolution]
    public var rotated: [Rotation]
    public var severityChanges: [SeverityChange]
    public var bySeverity: [String: Int]
    public var previousBySeverity: [String: Int]?

    public var topRisks: [RiskLine]
    public var overdue: [RiskLine]

    /// Last day of spend data the report uses (on or before the later scan's as-of); nil without daily usage.
    public var spendThrough: String?
    /// Daily total spend over this period and the one before, oldest first (each `periodDays` long).
    public var dailySpend: [DailySpend]
    public var previousDailySpend: [DailySpend]
    public var spendByTeam: [TeamSpend]
    /// Daily total spend over the whole window the registers' daily usage covers, oldest first: at least 30 days
    /// and at most `spendHistoryMaxDays`, ending with `spendThrough` (so a spike weeks ago stays visible).
    public var spendHistory: [DailySpend]
    /// Credentials first exposed, or abused, within `spendHistory`'s window, by exposure day: the chart marks the
    /// exposure and, for an abused key, where the abuse starts.
    public var exposureMarks: [ExposureMark]
    /// Spend by provider and by cost centre (`owner.cost_centre`), highest 30-day spend first. The register carries
    /// no model information, so there is no breakdown by model.
    public var spendByProvider: [SpendShare]
    public var spendByCostCentre: [SpendShare]
    public var spend30d: Double
    public var previousSpend30d: Double?
    public var attribution: Double
    public var previousAttribution: Double?
    public var anomalies: [Anomaly]
    /// Things the reader should know about how this report was made (missing baseline, skipped budgets…).
    public var notes: [String]
    /// What `scan --validate` found in the later register; nil when that scan did not ask the providers.
    public var validation: ValidationSummary? = nil
    /// Open leaked keys their provider accepted when asked, riskiest first: the first thing to revoke.
    public var stillWorking: [WorkingKey] = []

    /// A credential its provider accepts (`validation.status: active`), with when it said so.
    public struct WorkingKey: Sendable, Equatable {
        public var credential: CredentialLine
        /// The answer's timestamp (`checked_at`).
        public var checkedAt: String
        /// What the answer said (identity, scopes; never the secret).
        public var detail: String
        /// An answer an earlier run got and this scan reused.
        public var cached: Bool
        /// `checked_at`'s day.
        public var day: String { String(checkedAt.prefix(10)) }
    }

    public var periodTotal: Double { dailySpend.reduce(0) { $0 + $1.amount } }
    public var previousPeriodTotal: Double { previousDailySpend.reduce(0) { $0 + $1.amount } }

    static let severities = Severity.allCases.map(\.rawValue)
    static func rank(_ severity: String) -> Int { severities.firstIndex(of: severity) ?? severities.count }

    /// How many days of recent spend the forecast averages.
    public static let forecastWindowDays = 14
    /// The report's own anomaly rule: recent 7-day mean ≥ this multiple of the earlier mean.
    public static let anomalyMultiple = 5.0
    /// …and at least this much a day on average, so cents do not raise alarms.
    public static let anomalyMinDailySpend = 5.0
    /// Provider statuses that mean the key can no longer be used.
    static let deadStatuses: Set<String> = ["revoked", "inactive", "disabled", "deleted", "expired"]
    /// How many top risks the report lists.
    public static let topRiskCount = 10
    /// The spend history spans at least this many days…
    public static let spendHistoryMinDays = 30
    /// …and at most this many (the window the daily usage in a register covers).
    public static let spendHistoryMaxDays = 90
}

// MARK: - Building

extension WeeklyReport {
    /// Builds the report from the later register `current` and the earlier `previous` (nil for the first scan).
    /// Due dates are the registers' own (`treatment[].due`).
    /// - Parameters:
    ///   - asOf: the report's "today" (`YYYY-MM-DD`); treatments due before it are overdue. Defaults to `current.asOf`.
    public static func build(current: Register, previous: Register?, periodDays: Int = 7, asOf: String? = nil,
                             budgets: [String: Double] = [:], notes: [String] = []) -> WeeklyReport {
        let today = asOf ?? current.asOf
        var notes = notes
        let changed = changes(current: current, previous: previous)
        let active = current.credentials.filter(isActive)
        let (topRisks, overdue) = treatments(of: active, today: today)
        let spend = spendSection(current: current, previous: previous, periodDays: periodDays, budgets: budgets, notes: &notes)
        let anomalies = anomalies(in: current, costs: spend.costs, end: spend.end)
        var bySeverity = Dictionary(uniqueKeysWithValues: severities.map { ($0, 0) })
        for c in active { bySeverity[c.risk.severity.rawValue, default: 0] += 1 }
        let previousBySeverity = previous.map { p -> [String: Int] in
            var counts = Dictionary(uniqueKeysWithValues: severities.map { ($0, 0) })
            for c in p.credentials where isActive(c) { counts[c.risk.severity.rawValue, default: 0] += 1 }
            return counts
        }
        if previous == nil {
            notes.append("No earlier scan is recorded: changes and trends start with the next recorded scan.")
        }

        var report = WeeklyReport(
            asOf: today, periodDays: periodDays,
            current: ScanInfo(asOf: current.asOf, generatedAt: current.generatedAt, credentials: current.credentials.count),
            previous: previous.map { ScanInfo(asOf: $0.asOf, generatedAt: $0.generatedAt, credentials: $0.credentials.count) },
            headline: "", currency: current.summary.currency,
            newCredentials: changed.newLines, resolved: changed.resolved, rotated: changed.rotations, severityChanges: changed.severityChanges,
            bySeverity: bySeverity, previousBySeverity: previousBySeverity, topRisks: topRisks, overdue: overdue,
            spendThrough: spend.end, dailySpend: spend.daily, previousDailySpend: spend.previousDaily, spendByTeam: spend.byTeam,
            spendHistory: spend.history, exposureMarks: spend.exposureMarks, spendByProvider: spend.byProvider, spendByCostCentre: spend.byCostCentre,
            spend30d: current.summary.spend30d, previousSpend30d: previous?.summary.spend30d,
            attribution: current.summary.attributedSpendRatio, previousAttribution: previous?.summary.attributedSpendRatio,
            anomalies: anomalies, notes: notes)
        report.validation = ValidationSummary(current.credentials)
        report.stillWorking = ValidationSummary.stillWorking(current.credentials).map { c in
            WorkingKey(credential: line(c), checkedAt: c.validation?.checkedAt ?? "", detail: c.validation?.detail ?? "",
                       cached: c.validation?.cached ?? false)
        }
        report.headline = headline(report)
        return report
    }

    /// What changed between two registers: new, resolved and rotated credentials, and severity changes.
    struct Changes {
        var newLines: [CredentialLine] = []
        var resolved: [Resolution] = []
        var rotations: [Rotation] = []
        var severityChanges: [SeverityChange] = []
    }

    static func changes(current: Register, previous: Register?) -> Changes {
        let currentByID = Dictionary(current.credentials.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let previousByID = Dictionary((previous?.credentials ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })

        // The same provider key under another id: a key the provider listed whose secret has now turned up in a
        // scanned source (or the reverse) is one key, matched by its provider key id.
        var continuedFrom: [String: CredentialRecord] = [:]   // current id → earlier record
        var continuedTo: [String: CredentialRecord] = [:]     // earlier id → current record
        if let previous {
            for c in current.credentials where previousByID[c.id] == nil {
                guard let keyId = nonEmpty(c.identity.keyId) else { continue }
                let old = previous.credentials.first { o in
                    currentByID[o.id] == nil && continuedTo[o.id] == nil && o.provider == c.provider
                        && nonEmpty(o.identity.keyId) == keyId && (o.fingerprint == nil || c.fingerprint == nil || o.fingerprint == c.fingerprint)
                }
                if let old {
                    continuedFrom[c.id] = old
                    continuedTo[old.id] = c
                }
            }
        }

        // Rotations: a credential new in this scan whose identity matches an earlier one with another fingerprint.
        var rotations: [Rotation] = []
        var rotatedNew = Set<String>()
        var rotatedOld = Set<String>()
        if let previous {
            for c in current.credentials where previousByID[c.id] == nil && continuedFrom[c.id] == nil && c.fingerprint != nil {
                let candidates = previous.credentials.filter { old in
                    !rotatedOld.contains(old.id) && continuedTo[old.id] == nil && old.provider == c.provider
                        && old.fingerprint != nil && old.fingerprint != c.fingerprint && sharedIdentity(old, c) != nil
                }
                // Prefer the old secret that is gone or dead now: that is the one the new secret replaced.
                let replaced = candidates.first { currentByID[$0.id].map(isDead) ?? true }
                guard let old = replaced ?? candidates.first, let identity = sharedIdentity(old, c) else { continue }
                let oldStatus: String
                if let still = currentByID[old.id] {
                    oldStatus = isDead(still) ? "old key \(still.providerStatus ?? "inactive") at the provider"
                        : "old secret still found: revoke it"
                } else {
                    oldStatus = "old secret no longer found"
                }
                rotations.append(Rotation(identity: identity, old: line(old), new: line(c), oldStatus: oldStatus))
                rotatedNew.insert(c.id)
                rotatedOld.insert(old.id)
            }
        }

        var newLines: [CredentialLine] = []
        var resolved: [Resolution] = []
        var changes: [SeverityChange] = []
        if let previous {
            newLines = current.credentials.filter { c in
                guard previousByID[c.id] == nil, !rotatedNew.contains(c.id) else { return false }
                // A listed key whose secret now turns up in a scanned source is a new exposure.
                guard let old = continuedFrom[c.id] else { return true }
                return old.locations.isEmpty && !c.locations.isEmpty
            }.map(line)
            for old in previous.credentials where isActive(old) && !rotatedOld.contains(old.id) {
                guard let now = currentByID[old.id] ?? continuedTo[old.id] else {
                    resolved.append(Resolution(credential: line(old), reason: "no longer found in any scanned source or provider listing"))
                    continue
                }
                if isDead(now) {
                    resolved.append(Resolution(credential: line(now), reason: "provider key now \(now.providerStatus ?? "inactive")"))
                } else if now.status == .suppressed && old.status != .suppressed {
                    resolved.append(Resolution(credential: line(now), reason: "accepted (suppressed by the baseline)"))
                } else if !old.locations.isEmpty && now.locations.isEmpty {
                    resolved.append(Resolution(credential: line(now), reason: "no longer found in any scanned source; the provider still lists the key"))
                } else if now.risk.severity != old.risk.severity && !(old.locations.isEmpty && !now.locations.isEmpty) {
                    changes.append(SeverityChange(credential: line(now), from: old.risk.severity.rawValue, to: now.risk.severity.rawValue,
                                                  fromScore: old.risk.score, toScore: now.risk.score))
                }
            }
        }
        newLines.sort(by: riskOrder)
        resolved.sort { riskOrder($0.credential, $1.credential) }
        changes.sort { (rank($0.to), rank($0.from), $0.credential.id) < (rank($1.to), rank($1.from), $1.credential.id) }
        rotations.sort { ($0.new.provider, $0.identity, $0.new.id) < ($1.new.provider, $1.identity, $1.new.id) }
        return Changes(newLines: newLines, resolved: resolved, rotations: rotations, severityChanges: changes)
    }

    /// The top risks and the overdue treatments: per open credential, its most overdue treatment, else its first.
    static func treatments(of active: [CredentialRecord], today: String) -> (top: [RiskLine], overdue: [RiskLine]) {
        var riskLines: [RiskLine] = []
        for c in active {
            var best: RiskLine?
            for t in c.treatment {
                let due = t.due
                let overdue = due.flatMap { days(from: $0, to: today) }.flatMap { $0 > 0 ? $0 : nil }
                let candidate = RiskLine(credential: line(c), action: t.action.rawValue, due: due, overdueDays: overdue)
                // The line shows the most overdue treatment, else the first (the risk model lists the most important first).
                if best == nil || (candidate.overdueDays ?? 0) > (best!.overdueDays ?? 0) { best = candidate }
            }
            riskLines.append(best ?? RiskLine(credential: line(c), action: nil, due: nil, overdueDays: nil))
        }
        let topRisks = Array(riskLines.sorted { riskOrder($0.credential, $1.credential) }.prefix(topRiskCount))
        let overdue = riskLines.filter { $0.overdueDays != nil }
            .sorted { ($0.overdueDays!, $0.credential.score, $1.credential.id) > ($1.overdueDays!, $1.credential.score, $0.credential.id) }

        return (topRisks, overdue)
    }

    /// The spend section: daily totals of this and the previous period, the whole history window with exposure
    /// marks, spend by team (with budgets and forecast), provider and cost centre.
    struct SpendSection {
        var costs: [String: [String: Double]] = [:]
        var end: String?
        var daily: [DailySpend] = []
        var previousDaily: [DailySpend] = []
        var history: [DailySpend] = []
        var exposureMarks: [ExposureMark] = []
        var byTeam: [TeamSpend] = []
        var byProvider: [SpendShare] = []
        var byCostCentre: [SpendShare] = []
    }

    static func spendSection(current: Register, previous: Register?, periodDays: Int, budgets: [String: Double],
                             notes: inout [String]) -> SpendSection {
        // Spend: per credential and day, the later register's figures, the earlier one's where the later has none.
        var costs: [String: [String: Double]] = [:]   // credential id → day → cost
        var teamOf: [String: String?] = [:]
        var providerOf: [String: String] = [:]
        var costCentreOf: [String: String?] = [:]
        for c in (previous?.credentials ?? []) + current.credentials {
            for d in c.usage.daily ?? [] where d.date <= current.asOf { costs[c.id, default: [:]][d.date] = d.cost }
            teamOf[c.id] = .some(c.owner.team)
            providerOf[c.id] = c.provider
            costCentreOf[c.id] = .some(nonEmpty(c.owner.costCentre))
        }
        let lastDay = costs.values.flatMap(\.keys).max()
        let end = lastDay.map { min($0, current.asOf) }
        var daily: [DailySpend] = []
        var previousDaily: [DailySpend] = []
        var spendHistory: [DailySpend] = []
        var spendByProvider: [SpendShare] = []
        var spendByCostCentre: [SpendShare] = []
        var teams: [String?: TeamSpend] = [:]
        func teamEntry(_ team: String?) -> TeamSpend {
            teams[team] ?? TeamSpend(team: team, period: 0, previousPeriod: 0, spend30d: 0, forecast30d: 0, budget: team.flatMap { budgets[$0] })
        }
        if let end {
            let days = dayRange(ending: end, count: 2 * periodDays)
            var total: [String: Double] = [:]
            var teamDaily: [String?: [String: Double]] = [:]
            for (id, byDay) in costs {
                let team = teamOf[id] ?? nil
                for (day, cost) in byDay {
                    total[day, default: 0] += cost
                    teamDaily[team, default: [:]][day, default: 0] += cost
                }
            }
            previousDaily = days.prefix(periodDays).map { DailySpend(day: $0, amount: round2(total[$0] ?? 0)) }
            daily = days.suffix(periodDays).map { DailySpend(day: $0, amount: round2(total[$0] ?? 0)) }
            let window = dayRange(ending: end, count: forecastWindowDays)
            let last30 = dayRange(ending: end, count: 30)
            for (team, byDay) in teamDaily {
                var entry = teamEntry(team)
                entry.period = round2(days.suffix(periodDays).reduce(0) { $0 + (byDay[$1] ?? 0) })
                entry.previousPeriod = round2(days.prefix(periodDays).reduce(0) { $0 + (byDay[$1] ?? 0) })
                entry.spend30d = round2(last30.reduce(0) { $0 + (byDay[$1] ?? 0) })
                entry.forecast30d = round2(window.reduce(0) { $0 + (byDay[$1] ?? 0) } / Double(window.count) * 30)
                teams[team] = entry
            }
            if end < current.asOf { notes.append("Spend data runs through \(end); the scan is as of \(current.asOf).") }
            let firstDay = costs.values.flatMap(\.keys).min() ?? end
            let span = min(spendHistoryMaxDays, max(spendHistoryMinDays, (WeeklyReport.days(from: firstDay, to: end) ?? 0) + 1))
            spendHistory = dayRange(ending: end, count: span).map { DailySpend(day: $0, amount: round2(total[$0] ?? 0)) }
            func shares(_ groupOf: (String) -> String?) -> [SpendShare] {
                var byGroup: [String?: SpendShare] = [:]
                for (id, byDay) in costs {
                    let group = groupOf(id)
                    var entry = byGroup[group] ?? SpendShare(name: group, period: 0, previousPeriod: 0, spend30d: 0)
                    entry.period += days.suffix(periodDays).reduce(0) { $0 + (byDay[$1] ?? 0) }
                    entry.previousPeriod += days.prefix(periodDays).reduce(0) { $0 + (byDay[$1] ?? 0) }
                    entry.spend30d += last30.reduce(0) { $0 + (byDay[$1] ?? 0) }
                    byGroup[group] = entry
                }
                return byGroup.values.map { SpendShare(name: $0.name, period: round2($0.period), previousPeriod: round2($0.previousPeriod),
                                                       spend30d: round2($0.spend30d)) }
            }
            spendByProvider = shares { providerOf[$0] }
            spendByCostCentre = shares { costCentreOf[$0] ?? nil }
        } else {
            // No daily usage: fall back on the registers' 30-day totals, and take them as the run rate.
            for c in current.credentials where c.usage.spend30d > 0 {
                var entry = teamEntry(c.owner.team)
                entry.spend30d = round2(entry.spend30d + c.usage.spend30d)
                entry.forecast30d = entry.spend30d
                teams[c.owner.team] = entry
            }
            func shares(_ group: (CredentialRecord) -> String?) -> [SpendShare] {
                Dictionary(grouping: current.credentials.filter { $0.usage.spend30d > 0 }, by: group).map { name, group in
                    SpendShare(name: name, period: 0, previousPeriod: 0, spend30d: round2(group.reduce(0) { $0 + $1.usage.spend30d }))
                }
            }
            spendByProvider = shares { $0.provider }
            spendByCostCentre = shares { nonEmpty($0.owner.costCentre) }
            if current.summary.spend30d > 0 {
                notes.append("The register has no daily usage: team spend and forecasts use 30-day totals.")
            }
        }
        for (team, budget) in budgets where teams[team] == nil {
            teams[team] = TeamSpend(team: team, period: 0, previousPeriod: 0, spend30d: 0, forecast30d: 0, budget: budget)
        }
        func bySpend(_ a: SpendShare, _ b: SpendShare) -> Bool { (a.spend30d, a.period, b.name ?? "~") > (b.spend30d, b.period, a.name ?? "~") }
        spendByProvider = spendByProvider.filter { $0.spend30d > 0 || $0.period > 0 || $0.previousPeriod > 0 }.sorted(by: bySpend)
        spendByCostCentre = spendByCostCentre.filter { $0.spend30d > 0 || $0.period > 0 || $0.previousPeriod > 0 }.sorted(by: bySpend)
        // Exposure dates (and where abuse starts) inside the history window, the riskiest first on a shared day.
        var exposureMarks: [ExposureMark] = []
        if let from = spendHistory.first?.day, let to = spendHistory.last?.day {
            exposureMarks = current.credentials.compactMap { c -> ExposureMark? in
                guard let day = c.exposure.firstSeen.map({ String($0.prefix(10)) }), !c.locations.isEmpty else { return nil }
                let abuse = abuseStart(c).flatMap { $0.day >= from && $0.day <= to ? $0 : nil }
                guard (day >= from && day <= to) || abuse != nil else { return nil }
                return ExposureMark(day: day, credential: line(c), abuse: abuse)
            }
            exposureMarks.sort { ($0.day, $1.credential.score, $0.credential.id) < ($1.day, $0.credential.score, $1.credential.id) }
        }
        let spendByTeam = teams.values.filter { $0.spend30d > 0 || $0.period > 0 || $0.previousPeriod > 0 || $0.budget != nil }
            .sorted { ($0.forecast30d, $1.team ?? "~") > ($1.forecast30d, $0.team ?? "~") }

        return SpendSection(costs: costs, end: end, daily: daily, previousDaily: previousDaily, history: spendHistory,
                            exposureMarks: exposureMarks, byTeam: spendByTeam, byProvider: spendByProvider,
                            byCostCentre: spendByCostCentre)
    }

    /// Anomalies: the risk model's, else the report's own rule over the daily costs.
    static func anomalies(in current: Register, costs: [String: [String: Double]], end: String?) -> [Anomaly] {
        var anomalies: [Anomaly] = []
        let modelFlags = current.credentials.contains { $0.risk.factors.contains(where: isAnomalyFactor) }
        for c in current.credentials where !isDead(c) {
            if modelFlags {
                let abuse = abuseStart(c)
                // The factor that found the abuse, else the heaviest.
                if let f = c.risk.factors.first(where: { $0.id == abuse?.factor })
                    ?? c.risk.factors.filter(isAnomalyFactor).max(by: { $0.points < $1.points }) {
                    anomalies.append(Anomaly(credential: line(c), reason: f.reason, source: "risk model", abuse: abuse))
                }
            } else if let end, let reason = spendSpike(costs[c.id] ?? [:], end: end, currency: current.summary.currency) {
                anomalies.append(Anomaly(credential: line(c), reason: reason, source: "report"))
            }
        }
        // Abuse after exposure first, then by spend.
        anomalies.sort { ($0.abuse != nil ? 1 : 0, $0.credential.spend30d, $1.credential.id) > ($1.abuse != nil ? 1 : 0, $1.credential.spend30d, $0.credential.id) }

        return anomalies
    }

    /// Builds the report from a history store: the latest scan on or before `asOf` against the latest one at least
    /// `periodDays` before it (or, without one, the earliest earlier scan, which the notes point out).
    public static func build(store: HistoryStore, asOf: String? = nil, periodDays: Int = 7,
                             budgets: WeeklyReportBudgets = WeeklyReportBudgets()) throws -> WeeklyReport {
        guard let currentScan = try store.latestScan(onOrBefore: asOf) else {
            let when = asOf.map { " on or before \($0)" } ?? ""
            throw StoreError(path: store.path, message: "no scan recorded\(when) (record one with `keyledger scan … --db \(store.path)`)")
        }
        var notes = budgets.skipped
        let cutoff = ISODate.parse(currentScan.asOf).map { ISODate.day($0.addingTimeInterval(-Double(periodDays) * 86_400)) } ?? currentScan.asOf
        var previousScan = try store.latestScan(onOrBefore: cutoff)
        if previousScan == nil, let earliest = try store.scans().first(where: { $0.asOf < currentScan.asOf }) {
            previousScan = earliest
            notes.append("No scan is recorded \(periodDays) days before \(currentScan.asOf); compared with the earliest one, of \(earliest.asOf).")
        }
        if let asOf, currentScan.asOf < asOf {
            notes.append("The latest scan on or before \(asOf) is of \(currentScan.asOf).")
        }
        let current = try store.register(of: currentScan)
        let previous = try previousScan.map { try store.register(of: $0) }
        // Due dates come from the recorded register, as `keyledger register --db` shows them: one date per treatment.
        return build(current: current, previous: previous, periodDays: periodDays, asOf: asOf ?? currentScan.asOf,
                     budgets: budgets.budgets, notes: notes)
    }

    // MARK: Pieces

    static func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }

    /// The provider identity two credentials share (same key id, else same principal), or nil.
    static func sharedIdentity(_ a: CredentialRecord, _ b: CredentialRecord) -> String? {
        if let x = nonEmpty(a.identity.keyId), x == nonEmpty(b.identity.keyId) { return x }
        if let x = nonEmpty(a.identity.principal), x == nonEmpty(b.identity.principal) { return x }
        return nil
    }

    /// Factors that say a key is abused after its exposure (their evidence says from when).
    static let abuseFactors: Set<String> = Set(["spend.anomaly-after-exposure"]).union(RiskModel.llmjackingFactors)

    /// Where abuse of the credential starts: the spend change-point, else the earliest LLMjacking signature on or after
    /// the exposure; nil without such a factor or without its evidence (a register scored before factors carried it).
    public static func abuseStart(_ c: CredentialRecord) -> AbuseStart? {
        let starts: [AbuseStart] = c.risk.factors.filter { abuseFactors.contains($0.id) }.compactMap { f in
            guard let e = f.evidence, let since = e.since else { return nil }
            if let exposed = e.exposed, since < exposed { return nil }
            return AbuseStart(day: since, factor: f.id, exposed: e.exposed, before: e.before, after: e.after, currency: e.currency)
        }
        return starts.first { $0.factor == "spend.anomaly-after-exposure" } ?? starts.min { ($0.day, $0.factor) < ($1.day, $1.factor) }
    }

    /// "Abuse after exposure: X (aws): …" or "2 keys abused after exposure: …; …": what leads a headline; nil without abuse.
    static func abuseLead(_ abused: [(name: String, provider: String, abuse: AbuseStart)]) -> String? {
        guard !abused.isEmpty else { return nil }
        let items = abused.prefix(2).map { "\($0.name) (\($0.provider)): \($0.abuse.summary)" }
        return (abused.count == 1 ? "Abuse after exposure: " : "\(abused.count) keys abused after exposure: ")
            + items.joined(separator: "; ") + (abused.count > 2 ? "; and \(abused.count - 2) more" : "") + "."
    }

    /// A risk factor by which the risk model says spend looks like abuse.
    static func isAnomalyFactor(_ f: RiskFactor) -> Bool {
        f.id.hasPrefix("spend.anomaly") || f.id == "spend.spike" || f.id == "spend.new-model-after-exposure" || f.id.hasPrefix("cloudtrail.")
    }

    static func isDead(_ c: CredentialRecord) -> Bool {
        c.providerStatus.map { deadStatuses.contains($0.lowercased()) } ?? false
    }

    /// Open and usable: what still needs treatment.
    static func isActive(_ c: CredentialRecord) -> Bool { c.status != .suppressed && !isDead(c) }

    static func line(_ c: CredentialRecord) -> CredentialLine {
        let location = CredentialNames.firstLocation(c).map { $0 + (c.locations.count > 1 ? " (+\(c.locations.count - 1))" : "") }
        let owner = c.owner.team ?? c.owner.contact.map { "\($0) (\(c.owner.source))" }
        // The heaviest factor; on a tie, the one the risk model lists first.
        let reason = c.risk.factors.enumerated().max { ($0.element.points, $1.offset) < ($1.element.points, $0.offset) }?.element.reason
        let author = c.locations.filter { $0.author != nil }.min { ($0.date ?? "~") < ($1.date ?? "~") }?.author
        return CredentialLine(id: c.id, redacted: c.redacted, identity: CredentialNames.identity(c), provider: c.provider, kind: c.kind,
                              severity: c.risk.severity.rawValue, score: c.risk.score, owner: owner, team: c.owner.team, location: location,
                              spend30d: c.usage.spend30d, firstSeen: c.exposure.firstSeen, author: author, topReason: reason)
    }

    static func riskOrder(_ a: CredentialLine, _ b: CredentialLine) -> Bool {
        (a.score, a.spend30d, b.id) > (b.score, b.spend30d, a.id)
    }

    /// Whole days from `from` to `to` (positive when `to` is later).
    static func days(from: String, to: String) -> Int? {
        guard let a = ISODate.parse(from), let b = ISODate.parse(to) else { return nil }
        return Int((b.timeIntervalSince(a) / 86_400).rounded())
    }

    /// `count` consecutive days ending with `end`, oldest first.
    static func dayRange(ending end: String, count: Int) -> [String] {
        guard let last = ISODate.parse(end), count > 0 else { return [] }
        return (0..<count).reversed().map { ISODate.day(last.addingTimeInterval(-Double($0) * 86_400)) }
    }

    /// The report's own spike rule (see the type's documentation): the reason, or nil.
    static func spendSpike(_ byDay: [String: Double], end: String, currency: String) -> String? {
        let detector = SpendAnomalyDetector(multiple: anomalyMultiple, minimumDailySpend: anomalyMinDailySpend)
        guard let spike = detector.recentSpike(daily: byDay.map { (day: $0.key, cost: $0.value) }, asOf: end) else { return nil }
        let text = "spend over the last 7 days averages \(Money.format(spike.after, currency)) a day"
        guard spike.before > 0 else { return text + ", after none in the weeks before" }
        return text + String(format: ", %.0f× ", spike.after / spike.before) + "the \(Money.format(spike.before, currency)) a day before"
    }

    static func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }

    /// One sentence: what changed, then what needs action this week.
    static func headline(_ r: WeeklyReport) -> String {
        var changed: [String] = []
        let criticalNew = r.newCredentials.filter { $0.severity == "critical" || $0.severity == "high" }.count
        if !r.newCredentials.isEmpty {
            changed.append(ReportFormat.count(r.newCredentials.count, "new credential")
                + (criticalNew > 0 ? " (\(criticalNew) critical or high)" : ""))
        }
        if !r.resolved.isEmpty { changed.append("\(r.resolved.count) resolved") }
        if !r.rotated.isEmpty { changed.append("\(r.rotated.count) rotated") }
        let escalated = r.severityChanges.filter(\.escalated).count
        if escalated > 0 { changed.append("\(escalated) escalated") }
        let open = r.bySeverity.values.reduce(0, +)
        let opening: String
        if let previous = r.previous {
            opening = "Since \(previous.asOf): " + (changed.isEmpty ? "no change in credentials" : ReportFormat.list(changed))
        } else {
            let critical = (r.bySeverity["critical"] ?? 0) + (r.bySeverity["high"] ?? 0)
            opening = "First recorded scan (\(r.current.asOf)): " + ReportFormat.count(open, "open credential")
                + (critical > 0 ? ", \(critical) critical or high" : "")
        }
        var actions: [String] = []
        let abused = r.anomalies.compactMap { a in a.abuse.map { (name: a.credential.name, provider: a.credential.provider, abuse: $0) } }
        if !abused.isEmpty { actions.append("revoke and investigate " + (abused.count == 1 ? "the abused key" : "the abused keys")) }
        // A leaked key its provider still accepts is the next thing to revoke (`scan --validate`).
        let working = r.stillWorking.filter { w in !abused.contains { $0.name == w.credential.name } }
        if let first = working.first {
            actions.append("revoke " + (working.count == 1 ? "\(first.credential.name) (\(first.credential.provider), still works)"
                                        : "the \(working.count) leaked keys that still work"))
        }
        let spikes = r.anomalies.filter { $0.abuse == nil }
        if let a = spikes.first {
            actions.append("stop the spend spike on \(a.credential.name) (\(a.credential.provider)"
                + (a.credential.team.map { ", \($0)" } ?? "") + ")"
                + (spikes.count > 1 ? " and \(spikes.count - 1) more" : ""))
        }
        if !r.overdue.isEmpty { actions.append("clear " + ReportFormat.count(r.overdue.count, "overdue treatment")) }
        let dueThisWeek = r.topRisks.filter { risk in
            risk.overdueDays == nil && risk.due.flatMap { days(from: r.asOf, to: $0) }.map { $0 <= 7 } ?? false
        }
        if r.overdue.isEmpty, let first = dueThisWeek.first {
            actions.append("\(first.action ?? "treat") \(first.credential.name)"
                + (dueThisWeek.count > 1 ? " and \(dueThisWeek.count - 1) more due within 7 days" : " (due \(first.due!))"))
        }
        if let team = r.spendByTeam.first(where: { $0.budgetStatus == "over" }) {
            actions.append("rein in \(team.team ?? "unattributed") spend (forecast \(Money.whole(team.forecast30d, r.currency))"
                + " vs \(Money.whole(team.budget ?? 0, r.currency)) budget)")
        }
        // Abuse after exposure leads: what happened, from when, before what changed.
        let lead = abuseLead(abused).map { $0 + " " } ?? ""
        if actions.isEmpty { return lead + opening + "; nothing is due this week." }
        return lead + opening + "; this week: " + ReportFormat.list(actions) + "."
    }
}
