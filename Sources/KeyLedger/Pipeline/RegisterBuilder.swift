import Foundation

/// Turns the linked inventory of a scan into the register (`keyledger.register/v1`).
public enum RegisterBuilder {
    /// Convenience for a scan without exports: every credential is linked to nothing.
    public static func build(result: ScanResult, entries: [InventoryEntry], asOf: Date, generatedAt: Date = Date()) -> Register {
        let linked = Linker(bundle: ExportBundle(), codeOwners: result.codeOwners, asOf: asOf).link(entries)
        return build(result: result, linked: linked, exports: ExportBundle(), asOf: asOf, generatedAt: generatedAt)
    }

    public static func build(result: ScanResult, linked: [LinkedCredential], exports: ExportBundle, policy: RiskPolicy = RiskPolicy(),
                             spend ledger: LedgerSpend = LedgerSpend(), asOf: Date, generatedAt: Date = Date()) -> Register {
        let asOfDay = ISODate.day(asOf)
        let model = RiskModel(policy: policy, asOf: asOf)
        var records: [CredentialRecord] = linked.map { record(for: $0, model: model, asOf: asOf, asOfDay: asOfDay) }
        // Severity first: a key forced critical by abuse after exposure (or by policy) outranks a merely high score.
        records.sort { ($0.risk.severity.rank, $0.risk.score, $1.provider, $1.id) > ($1.risk.severity.rank, $1.risk.score, $0.provider, $0.id) }
        var bySeverity = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, 0) })
        for r in records { bySeverity[r.risk.severity.rawValue, default: 0] += 1 }
        // The summary adds spend in one currency only: the one most 30-day spend is in.
        var byCurrency: [String: Double] = [:]
        for r in records where r.usage.spend30d > 0 { byCurrency[r.usage.currency, default: 0] += r.usage.spend30d }
        let currency = byCurrency.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? "USD"
        let inCurrency = records.filter { $0.usage.currency == currency }
        let spend = inCurrency.reduce(0) { $0 + $1.usage.spend30d }
        let attributed = inCurrency.filter { $0.owner.team != nil }.reduce(0) { $0 + $1.usage.spend30d }
        // The reconciliation line: spend no credential carries, in the summary's currency (other currencies are listed).
        var unattributed: [UnattributedSpend] = []
        var unattributedTotal = 0.0
        var otherCurrencies: [String: Double] = [:]
        for r in records where r.usage.currency != currency && r.usage.spend30d != 0 {
            otherCurrencies[r.usage.currency, default: 0] += r.usage.spend30d
        }
        let day30 = ISODate.day(asOf.addingTimeInterval(-30 * 86_400))
        let window = ledger.unattributed.filter { $0.day <= asOfDay && $0.day > day30 }
        for (key, days) in Dictionary(grouping: window, by: { [$0.provider, $0.scope, $0.currency, $0.reason] }) {
            let amount = days.reduce(0) { $0 + $1.amount }
            if key[2] == currency { unattributedTotal += amount } else { otherCurrencies[key[2], default: 0] += amount }
            unattributed.append(UnattributedSpend(provider: key[0], scope: key[1], spend30d: (amount * 100).rounded() / 100,
                                                  currency: key[2], reason: key[3], estimated: days.contains { $0.estimated }))
        }
        unattributed.sort { ($0.spend30d, $1.provider, $1.scope) > ($1.spend30d, $0.provider, $0.scope) }
        let tally = result.tally
        var problems = tally.problems + exports.problems
        problems.sort { ($0.path, $0.reason) < ($1.path, $1.reason) }
        var skipped = tally.skipped
        if !exports.problems.isEmpty { skipped["export", default: 0] += exports.problems.count }
        var summary = Summary(credentials: records.count, bySeverity: bySeverity, spend30d: (spend * 100).rounded() / 100,
                              currency: currency, attributedSpendRatio: spend > 0 ? ((attributed / spend) * 1000).rounded() / 1000 : 0)
        if ledger.hasUsage {
            summary.unattributedSpend30d = (unattributedTotal * 100).rounded() / 100
            summary.unattributed = unattributed.isEmpty ? nil : unattributed
            let unpriced = ledger.unpriced.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) tokens of \($0.key)" }
            summary.unpriced = unpriced.isEmpty ? nil : unpriced
            summary.otherCurrencies = otherCurrencies.isEmpty ? nil : otherCurrencies.mapValues { ($0 * 100).rounded() / 100 }
        }
        return Register(
            generatedAt: ISODate.timestamp(generatedAt), asOf: asOfDay,
            scan: ScanSummary(targets: result.targets, commits: tally.commits, blobs: tally.blobs, files: tally.files,
                              bytes: tally.bytes, durationMs: result.durationMs, skipped: skipped,
                              problems: problems, rules: result.ruleCount,
                              exports: exports.formats.isEmpty ? nil : exports.formats),
            summary: summary, credentials: records)
    }

    static func record(for c: LinkedCredential, model: RiskModel, asOf: Date, asOfDay: String) -> CredentialRecord {
        let assessment = model.assess(c)
        let (risk, controls, treatment) = (assessment.risk, assessment.controls, assessment.treatments)
        let locations = c.entry?.locations ?? []
        let current = locations.contains { $0.current }
        let firstSeen = locations.compactMap(\.firstSeen).min().map(ISODate.day) ?? (locations.isEmpty ? nil : asOfDay)
        let lastSeen = locations.isEmpty ? nil
            : current ? asOfDay : (locations.compactMap(\.lastSeen).max().map(ISODate.day) ?? asOfDay)
        let repositories = Set(locations.compactMap(\.repository))
        // Age: from the provider's creation date, else from first exposure.
        let ageBase = c.created ?? locations.compactMap(\.firstSeen).min().map { Date(timeIntervalSince1970: Double($0)) }
        let ageDays = ageBase.map { max(0, ISODate.days(from: $0, to: asOf)) }
        var identity = c.identity
        identity.link = c.identityLink
        let usage = c.usage
        var record = CredentialRecord(
            id: c.id, fingerprint: c.entry?.fingerprint ?? litellmFingerprint(c), redacted: c.entry?.secret.redacted ?? hintRedacted(c),
            provider: c.provider, kind: c.kind, rule: c.rule, identity: identity, owner: c.owner,
            exposure: Exposure(firstSeen: firstSeen, lastSeen: lastSeen, inHead: current,
                               locationsCount: locations.count, repositories: repositories.count),
            locations: locations.map { l in
                LocationRecord(kind: l.kind.rawValue, repository: l.repository, path: l.path, line: l.line, commit: l.commit,
                               author: l.author, date: l.firstSeen.map(ISODate.timestamp), inHead: l.current, rule: nil, note: l.note,
                               allowed: l.allowReason)
            },
            created: c.created.map(ISODate.day), ageDays: ageDays, lastUsed: c.lastUsed.map(ISODate.day), usage: usage,
            privilege: c.privilege, risk: risk, controls: controls, treatment: treatment, status: AllowMarker.status(of: locations),
            providerStatus: c.providerStatus, expires: c.expiry.map(expiryText), notes: c.notes)
        record.confidence = c.entry?.rule.confidence.rawValue
        record.validation = c.validation
        return record
    }

    static func expiryText(_ expiry: KeyExpiry) -> String {
        switch expiry {
        case .never: return "never"
        case .on(let date): return ISODate.day(date)
        }
    }

    /// A LiteLLM key's stored hash is the SHA-256 of its secret, so its fingerprint is known without the secret.
    static func litellmFingerprint(_ c: LinkedCredential) -> String? {
        if case .sha256(let h)? = c.providerKey?.recognition { return "sha256:" + h.lowercased() }
        return nil
    }

    /// The provider's own redaction hint in keyledger's redacted form.
    static func hintRedacted(_ c: LinkedCredential) -> String {
        switch c.providerKey?.recognition {
        case .hint(let prefix, let suffix, _)?: return Secret.redactHint(prefix: prefix, suffix: suffix)
        case .keyId(let id)?: return id
        case .sha256?: return c.providerKey?.name ?? "(hashed)"
        case nil: return "(unknown)"
        }
    }
}
