import Foundation

/// The joint cost/identity risk of a credential: named factors with points and a one-line reason, a 0–100 score,
/// a severity, control mappings and treatments with due dates. Deterministic: the same register and as-of date
/// give the same result. An LLMjacking signature in CloudTrail after exposure is critical too (policy
/// `cloudtrail_forces_critical`).
///
/// Severity cut-offs: critical ≥ 80, high ≥ 60, medium ≥ 35, low below. A leaked credential whose spend jumped
/// after exposure is critical whatever its score; `policy.severity_overrides` can raise (never lower) a severity.
public struct RiskModel: Sendable {
    public var policy: RiskPolicy
    public var asOf: Date

    public init(policy: RiskPolicy = RiskPolicy(), asOf: Date) {
        self.policy = policy
        self.asOf = asOf
    }

    public struct Assessment: Sendable, Equatable {
        public var risk: Risk
        public var controls: [String]
        public var treatments: [Treatment]
    }

    public func assess(_ c: LinkedCredential) -> Assessment {
        let exposure = ExposureFacts(c, asOf: asOf)
        var factors = FactorList()
        exposureFactors(c, exposure, into: &factors)
        privilegeFactors(c, into: &factors)
        rotationFactors(c, exposure, into: &factors)
        dormancyFactors(c, into: &factors)
        ownershipFactors(c, into: &factors)
        validationFactors(c, into: &factors)
        let anomaly = spendFactors(c, exposure, into: &factors)
        let llmjacking = cloudTrailFactors(c, exposure, into: &factors)
        revokedFactor(c, into: &factors)
        var list = factors.items
        let score = max(0, min(100, list.reduce(0) { $0 + $1.points }))
        var severity = Severity(score: score)
        if anomaly || (llmjacking && policy.cloudTrailForcesCritical) { severity = .critical }
        if let floor = policy.severityFloor(rule: c.rule, provider: c.provider, kind: c.kind).flatMap(Severity.init(rawValue:)),
           floor > severity {
            severity = floor
        }
        list.sort { ($0.points, $1.id) > ($1.points, $0.id) }
        let ids = list.filter { $0.points > 0 || $0.id == "exposure.none" }.map(\.id)
        return Assessment(risk: Risk(score: score, severity: severity, factors: list),
                          controls: ControlCatalog.controls(for: ids),
                          treatments: treatments(for: Set(list.map(\.id)), severity: severity, leaked: exposure.leaked,
                                                 unused: !(c.usage.daily ?? []).isEmpty && c.usage.spend30d == 0))
    }

    /// Factors as they are added, in order.
    struct FactorList {
        var items: [RiskFactor] = []
        mutating func add(_ id: String, _ points: Int, _ reason: String, evidence: RiskEvidence? = nil) {
            items.append(RiskFactor(id: id, points: points, reason: reason, evidence: evidence))
        }
    }

    /// Where and since when a credential is exposed, derived once from its locations.
    struct ExposureFacts {
        let locations: [FoundLocation]
        let git: [FoundLocation]
        let inHead: Bool
        let onDisk: Bool
        let repositories: [String]
        let firstExposed: Date?
        var leaked: Bool { !locations.isEmpty }

        /// How the key was first exposed, for reasons: "the key was committed to checkout-service".
        var exposureEvent: String {
            let first = locations.filter { $0.firstSeen != nil }.min { ($0.firstSeen!, $0.path) < ($1.firstSeen!, $1.path) }
            if let first, first.kind == .git, let repository = first.repository {
                return "the key was committed to \(RepositoryName.short(repository))"
            }
            return onDisk ? "the key was found in a config file" : "the key was first exposed"
        }

        init(_ c: LinkedCredential, asOf: Date) {
            locations = c.entry?.locations ?? []
            git = locations.filter { $0.kind == .git }
            inHead = git.contains { $0.current }
            onDisk = locations.contains { $0.kind == .file }
            repositories = Set(locations.compactMap(\.repository)).map(RepositoryName.short).sorted()
            firstExposed = locations.compactMap(\.firstSeen).min().map { Date(timeIntervalSince1970: Double($0)) } ?? (onDisk ? asOf : nil)
        }
    }

    /// Exposure: where, how widely, since when. A history-only secret stays exposed until rotated.
    func exposureFactors(_ c: LinkedCredential, _ e: ExposureFacts, into f: inout FactorList) {
        if e.inHead {
            f.add("exposure.git-head", 40, "in HEAD of \(e.repositories.joined(separator: ", ")): anyone who can read the repository has it")
        } else if !e.git.isEmpty {
            let last = e.git.compactMap(\.lastSeen).max().map(ISODate.day) ?? "?"
            f.add("exposure.git-history", 30, "removed from HEAD (last present \(last)) but still in git history; exposed until rotated")
        }
        if e.onDisk {
            f.add("exposure.config-store", e.git.isEmpty ? 30 : 5, "in plain text in a config file on disk")
        }
        if !e.leaked {
            f.add("exposure.none", 0, "listed by the provider; not found in any scanned source")
        }
        // Generic and typed findings are credentials by position, not by format: say so where people read the score.
        if let rule = c.entry?.rule, rule.confidence == .low {
            f.add("detection.generic", 0, "low-confidence match: a value in a secret-named setting, not a recognised provider format")
        }
        if e.locations.count > 1 {
            f.add("exposure.spread", min(10, 5 * (e.locations.count - 1)), "found in \(e.locations.count) places")
        }
        if let exposed = e.firstExposed, e.leaked {
            let days = ISODate.days(from: exposed, to: asOf)
            if days > 180 { f.add("exposure.age", 10, "exposed for \(days) days (since \(ISODate.day(exposed)))") }
            else if days > 30 { f.add("exposure.age", 5, "exposed for \(days) days (since \(ISODate.day(exposed)))") }
        }
        if e.repositories.count > 1 {
            f.add("reuse.repositories", 10, "reused across \(e.repositories.count) repositories (\(e.repositories.joined(separator: ", ")))")
        }
    }

    /// Privilege: unknown is said as unknown, not as safe.
    func privilegeFactors(_ c: LinkedCredential, into f: inout FactorList) {
        let scopes = c.privilege.scopes.isEmpty ? "" : " (\(c.privilege.scopes.prefix(3).joined(separator: ", ")))"
        switch c.privilege.level {
        case .admin: f.add("privilege.admin", 25, "administrative rights" + scopes)
        case .write: f.add("privilege.write", 10, "can create, change or delete provider resources" + scopes)
        case .restricted, .read: f.add("privilege.\(c.privilege.level.rawValue)", 0, "\(c.privilege.level.rawValue) scope" + scopes)
        case .unknown: f.add("privilege.unknown", 5, "privilege unknown: no IAM or provider listing says what it can do")
        }
    }

    /// Rotation age against policy (the provider's creation date, else first exposure), and whether the key expires.
    func rotationFactors(_ c: LinkedCredential, _ e: ExposureFacts, into f: inout FactorList) {
        let maxAge = policy.maxAge(rule: c.rule, provider: c.provider, kind: c.kind)
        let (born, bornSource): (Date?, String) = c.created.map { ($0, "created") } ?? (e.firstExposed.map { ($0, "first exposed") } ?? (nil, ""))
        if let born {
            let age = ISODate.days(from: born, to: asOf)
            if age > maxAge {
                f.add("rotation.overdue", age > 2 * maxAge ? 15 : 10,
                      "\(bornSource) \(ISODate.day(born)), \(age) days old; policy rotates every \(maxAge) days")
            }
        }
        // Long-lived: the provider says the key never expires (OWASP NHI7); an expired key cannot be used any more.
        switch c.expiry {
        case .never?: f.add("rotation.no-expiry", 5, "never expires: the provider sets no end date")
        case .on(let date)? where date < asOf: f.add("rotation.expired", 0, "expired on \(ISODate.day(date)); no longer usable at the provider")
        default: break
        }
    }

    /// Dormancy: active but unused. Only a provider's last-use date counts: a listing without one says nothing.
    func dormancyFactors(_ c: LinkedCredential, into f: inout FactorList) {
        let active = c.providerStatus.map { ["active", "enabled"].contains($0.lowercased()) } ?? (c.providerKey != nil)
        guard active, c.providerKey != nil, let lastUsed = c.lastUsed else { return }
        let idle = ISODate.days(from: lastUsed, to: asOf)
        if idle > policy.dormantDays {
            f.add("dormancy.unused", 10, "active but last used \(ISODate.day(lastUsed)), \(idle) days ago (policy \(policy.dormantDays)): revoke candidate")
        }
    }

    /// Validation (`scan --validate`): a key its provider accepts today raises the score. Unknown and error say nothing;
    /// a refused key is `revokedFactor`'s.
    func validationFactors(_ c: LinkedCredential, into f: inout FactorList) {
        guard let v = c.validation, v.status == .active else { return }
        f.add("validation.active", 10, "works at the provider (checked \(String(v.checkedAt.prefix(10))))")
    }

    /// The highest score a key its provider refuses keeps: the top of `low` (a dead key is low risk).
    static let revokedScoreCeiling = 34

    /// A key its provider refuses cannot be used, so it is low risk: `validation.revoked` takes off what puts the score
    /// above `low` (negative points, shown like any factor), and nothing when it is low already. It stays a finding —
    /// its history still holds it until cleaned or accepted — and abuse seen after exposure still makes it critical
    /// (a key revoked after it was abused is an incident, not a closed case).
    func revokedFactor(_ c: LinkedCredential, into f: inout FactorList) {
        guard let v = c.validation, v.status == .revoked else { return }
        let day = String(v.checkedAt.prefix(10))
        let total = f.items.reduce(0) { $0 + $1.points }
        let lowered = min(0, Self.revokedScoreCeiling - total)
        f.add("validation.revoked", lowered, "refused by the provider on \(day): the key no longer works, so it is low risk; "
            + "still a finding until history is cleaned or accepted")
    }

    func ownershipFactors(_ c: LinkedCredential, into f: inout FactorList) {
        if c.owner.team == nil {
            let fallback = c.owner.contact.map { "; fallback contact \($0) (\(c.owner.source))" } ?? ""
            f.add("ownership.none", 10, "no team owner" + fallback)
        } else if c.owner.pooled {
            f.add("ownership.pooled", 5, "locations belong to several teams: \(c.owner.teams.joined(separator: ", "))")
        }
    }

    /// Spend level, and the anomaly that matters most: spend that jumped after the key was exposed. Returns whether
    /// that anomaly was found (it makes the credential critical whatever its score).
    func spendFactors(_ c: LinkedCredential, _ e: ExposureFacts, into f: inout FactorList) -> Bool {
        let spend = c.usage.spend30d
        let cur = c.usage.currency
        let high = policy.spendHigh(team: c.owner.team)
        if spend >= high {
            f.add("spend.level", 10, "\(Money.format(spend, cur)) in 30 days (high ≥ \(Money.whole(high, cur)))")
        } else if spend >= high / 5 {
            f.add("spend.level", 5, "\(Money.format(spend, cur)) in 30 days")
        }
        let today = ISODate.day(asOf)
        var anomaly = false
        let detector = SpendAnomalyDetector(multiple: policy.anomalyMultiple, minimumDailySpend: policy.anomalyMinDailySpend,
                                            minimumDays: policy.anomalyMinDays)
        let series = (c.usage.daily ?? []).map { (day: $0.date, cost: $0.cost) }
        // The exports cover days the key has no row on from the first day of the files that carry its rows: those days
        // spent nothing (and only those: before it, the exports say nothing).
        let coveredFrom = (c.usage.sources ?? []).compactMap(\.coveredFrom).min()
        if e.leaked, let exposed = e.firstExposed, !series.isEmpty {
            let exposedDay = ISODate.day(exposed)
            switch detector.assess(daily: series, exposed: exposedDay, asOf: today, created: c.created.map(ISODate.day),
                                   coveredFrom: coveredFrom, currency: cur) {
            case .anomaly(let shift):
                anomaly = true
                let after = ISODate.parse(shift.start).map { ISODate.days(from: ISODate.parse(exposedDay)!, to: $0) } ?? 0
                let when = after == 0 ? "the day" : after == 1 ? "1 day after" : "\(after) days after"
                f.add("spend.anomaly-after-exposure", 40, "\(Money.format(shift.before, cur))/day → \(Money.format(shift.after, cur))/day "
                      + "from \(shift.start), \(when) \(e.exposureEvent): the signature of a stolen key in use",
                      evidence: RiskEvidence(since: shift.start, before: Self.cents(shift.before), after: Self.cents(shift.after),
                                             currency: cur, exposed: exposedDay))
            case .insufficientData(let why):
                f.add("spend.abuse-undetermined", 0, "cannot tell abuse from use: " + why)
            case .normal:
                break
            }
        }
        if !anomaly, let spike = detector.recentSpike(daily: series, asOf: today) {
            f.add("spend.spike", 15, "last 7 days averaged \(Money.format(spike.after, cur))/day against \(Money.format(spike.before, cur)) before",
                  evidence: RiskEvidence(before: Self.cents(spike.before), after: Self.cents(spike.after), currency: cur))
        }
        modelMixFactors(c, e, into: &f)
        volumeShiftFactors(c, e, into: &f)
        return anomaly
    }

    /// Requests a day below which a volume shift means nothing (a jump on a handful of calls is ordinary use).
    static let volumeMinDailyRequests = 100.0

    /// A second, independent abuse signal from usage exports: after the exposure the key's request count rises to a new
    /// level (≥ `anomaly_multiple` × before, ≥ 100 a day, held `anomaly_min_days`, found by the same change-point test as
    /// spend) while its tokens per request change shape (halved or doubled) — a different workload on the same key,
    /// whatever it costs. Never forces critical on its own.
    func volumeShiftFactors(_ c: LinkedCredential, _ e: ExposureFacts, into f: inout FactorList) {
        guard e.leaked, let exposed = e.firstExposed, let daily = c.usage.daily, daily.contains(where: { $0.requests > 0 }) else { return }
        let detector = SpendAnomalyDetector(multiple: policy.anomalyMultiple, minimumDailySpend: Self.volumeMinDailyRequests,
                                            minimumDays: policy.anomalyMinDays)
        let exposedDay = ISODate.day(exposed)
        let requests = daily.map { (day: $0.date, cost: Double($0.requests)) }
        guard case .anomaly(let shift) = detector.assess(daily: requests, exposed: exposedDay, asOf: ISODate.day(asOf)) else { return }
        func tokensPerRequest(_ rows: [DailyUsageRecord]) -> Double? {
            let n = rows.reduce(0) { $0 + $1.requests }
            return n > 0 ? Double(rows.reduce(0) { $0 + $1.tokens }) / Double(n) : nil
        }
        guard let before = tokensPerRequest(daily.filter { $0.date < shift.start }),
              let after = tokensPerRequest(daily.filter { $0.date >= shift.start }), before > 0,
              after / before >= 2 || after / before <= 0.5 else { return }
        f.add("spend.volume-shift-after-exposure", 15,
              "requests rose from \(Int(shift.before.rounded()))/day to \(Int(shift.after.rounded()))/day from \(shift.start) while "
              + "tokens per request went from \(Int(before.rounded())) to \(Int(after.rounded())): a different workload on the key "
              + "since its exposure on \(exposedDay)",
              evidence: RiskEvidence(since: shift.start, before: shift.before.rounded(), after: shift.after.rounded(), exposed: exposedDay))
    }

    /// Amounts in evidence, to the cent.
    static func cents(_ x: Double) -> Double { (x * 100).rounded() / 100 }

    /// A model the key never called before its exposure, taking a meaningful share of its spend after it (from the
    /// spend and usage exports; `ModelMixShift`). A second signal: modest points, never forced critical. When the key's
    /// rows name no model, a 0-point factor says the signal could not be judged and which formats lack the model.
    func modelMixFactors(_ c: LinkedCredential, _ e: ExposureFacts, into f: inout FactorList) {
        guard e.leaked, let exposed = e.firstExposed, let usage = c.modelUsage else { return }
        let exposedDay = ISODate.day(exposed)
        let mix = ModelMixShift(minimumShare: policy.newModelMinShare, minimumSpend: policy.anomalyMinDailySpend)
        switch mix.assess(usage, exposed: exposedDay, asOf: ISODate.day(asOf)) {
        case .shift(let m):
            let days = ISODate.parse(m.since).map { ISODate.days(from: ISODate.parse(exposedDay)!, to: $0) } ?? 0
            let when = days == 0 ? "the day" : days == 1 ? "1 day after" : "\(days) days after"
            let others = m.others > 0 ? " (and \(m.others) other new model\(m.others == 1 ? "" : "s"))" : ""
            f.add("spend.new-model-after-exposure", 15,
                  "\(m.model) first used \(m.since), \(when) \(e.exposureEvent), \(ReportFormat.percent(m.share)) of the key's spend since"
                  + "\(others); before the exposure only \(m.previous.prefix(3).joined(separator: ", ")): the key's model mix changed",
                  evidence: RiskEvidence(since: m.since, exposed: exposedDay, model: m.model, share: Self.cents(m.share)))
        case .noModelData(let formats):
            // Said only where it matters: the key has usage from its exposure on.
            guard (c.usage.daily ?? []).contains(where: { $0.date >= exposedDay }) else { return }
            f.add("spend.model-mix-undetermined", 0,
                  "model mix not judged: the key's usage rows (\(formats.joined(separator: ", "))) name no model")
        case .none:
            break
        }
    }

    /// LLMjacking signatures in the key's CloudTrail activity. Returns whether one follows the exposure (it makes the
    /// credential critical unless `cloudtrail_forces_critical: false`).
    func cloudTrailFactors(_ c: LinkedCredential, _ e: ExposureFacts, into f: inout FactorList) -> Bool {
        guard let activity = c.keyActivity else { return false }
        var afterExposure = false
        for m in LLMjackingSignatures().matches(activity, exposed: e.leaked ? e.firstExposed : nil, asOf: asOf) {
            var when = ""
            if e.leaked, let exposed = e.firstExposed {
                // Calendar days, as the dates in the reason read.
                let days = ISODate.days(from: ISODate.parse(ISODate.day(exposed))!, to: ISODate.parse(ISODate.day(m.time))!)
                when = m.followsExposure
                    ? (days == 0 ? "; the day \(e.exposureEvent)" : "; \(days) day\(days == 1 ? "" : "s") after \(e.exposureEvent)")
                    : "; before \(e.exposureEvent)"
            }
            var facts = m.facts
            if e.leaked, let exposed = e.firstExposed { facts.exposed = ISODate.day(exposed) }
            f.add(m.id, m.points, m.evidence + when, evidence: facts)
            if m.followsExposure && m.forcesCritical && e.leaked { afterExposure = true }
        }
        return afterExposure
    }

    /// CloudTrail signatures of a stolen key in use: each calls for an investigation and the key's revocation.
    static let llmjackingFactors: Set<String> = ["cloudtrail.enumeration-then-invocation", "cloudtrail.model-access-request",
                                                 "cloudtrail.new-source-after-exposure"]

    /// Which factors call for which treatment, most urgent first. `leaked` and `leaked-unused` stand for "found in a
    /// scanned source" and "found, with usage data showing no spend in 30 days" (a leaked key nobody uses is revoked,
    /// not rotated); a treatment whose `unless` was chosen is left out.
    static let treatmentTable: [(action: TreatmentAction, factors: Set<String>, unless: TreatmentAction?)] = [
        (.investigateAbuse, Set(["spend.anomaly-after-exposure", "spend.spike", "spend.volume-shift-after-exposure"]).union(llmjackingFactors), nil),
        (.revoke, Set(["spend.anomaly-after-exposure", "dormancy.unused", "leaked-unused"]).union(llmjackingFactors), nil),
        (.rotate, ["leaked", "rotation.overdue"], .revoke),
        (.moveToSecretManager, ["exposure.git-head", "exposure.config-store"], nil),
        (.restrictScope, ["privilege.admin", "privilege.write"], nil),
        (.assignOwner, ["ownership.none", "ownership.pooled"], nil),
        (.setBudgetCap, ["spend.level", "spend.anomaly-after-exposure"], nil),
    ]

    /// What to do, most urgent first (`treatmentTable`); every treatment is due within the severity's policy window.
    func treatments(for factors: Set<String>, severity: Severity, leaked: Bool, unused: Bool) -> [Treatment] {
        let due = ISODate.day(asOf.addingTimeInterval(Double((policy.dueDays[severity.rawValue] ?? 30) * 86_400)))
        var facts = factors
        if leaked { facts.insert("leaked") }
        if leaked && unused { facts.insert("leaked-unused") }
        var actions: [TreatmentAction] = []
        for row in Self.treatmentTable where !row.factors.isDisjoint(with: facts) {
            if let unless = row.unless, actions.contains(unless) { continue }
            // A key its provider refuses is not rotated: whatever used it already stopped working with it.
            if row.action == .rotate, facts.contains("validation.revoked") { continue }
            actions.append(row.action)
        }
        return actions.map { Treatment(action: $0, due: due) }
    }
}
