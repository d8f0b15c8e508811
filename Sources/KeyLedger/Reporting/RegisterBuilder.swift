import Foundation

/// Turns the inventory of a scan into the register (`keyledger.register/v1`).
public enum RegisterBuilder {
    public static func build(result: ScanResult, entries: [InventoryEntry], asOf: Date, generatedAt: Date = Date()) -> Register {
        let asOfDay = ISODate.day(asOf)
        var records: [CredentialRecord] = entries.map { entry in
            let (risk, controls, treatment) = ExposureRisk.assess(entry, asOf: asOf)
            let current = entry.locations.contains { $0.current }
            let firstSeen = entry.locations.compactMap(\.firstSeen).min().map(ISODate.day) ?? asOfDay
            let lastSeen = current ? asOfDay : (entry.locations.compactMap(\.lastSeen).max().map(ISODate.day) ?? asOfDay)
            let repositories = Set(entry.locations.compactMap(\.repository))
            let locations = entry.locations.map { l in
                LocationRecord(kind: l.kind.rawValue, repository: l.repository, path: l.path, line: l.line, commit: l.commit,
                               author: l.author, date: l.firstSeen.map(ISODate.timestamp), inHead: l.current, rule: nil, note: l.note)
            }
            return CredentialRecord(
                id: entry.id, fingerprint: entry.fingerprint, redacted: entry.secret.redacted,
                provider: entry.rule.provider, kind: entry.rule.kind, rule: entry.rule.id,
                identity: entry.identity, owner: Owner(),
                exposure: Exposure(firstSeen: firstSeen, lastSeen: lastSeen, inHead: current,
                                   locationsCount: entry.locations.count, repositories: repositories.count),
                locations: locations, created: nil, ageDays: nil, lastUsed: nil, usage: .none,
                privilege: Privilege(level: entry.rule.privilege), risk: risk, controls: controls, treatment: treatment,
                status: "open")
        }
        records.sort { ($0.risk.score, $1.provider, $1.id) > ($1.risk.score, $0.provider, $0.id) }
        var bySeverity = ["critical": 0, "high": 0, "medium": 0, "low": 0]
        for r in records { bySeverity[r.risk.severity, default: 0] += 1 }
        let tally = result.tally
        return Register(
            generatedAt: ISODate.timestamp(generatedAt), asOf: asOfDay,
            scan: ScanSummary(targets: result.targets, commits: tally.commits, blobs: tally.blobs, files: tally.files,
                              bytes: tally.bytes, durationMs: result.durationMs, skipped: tally.skipped,
                              problems: tally.problems.sorted { ($0.path, $0.reason) < ($1.path, $1.reason) }, rules: result.ruleCount),
            summary: Summary(credentials: records.count, bySeverity: bySeverity, spend30d: 0, currency: "USD", attributedSpendRatio: 0),
            credentials: records)
    }
}
