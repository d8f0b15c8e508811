import Foundation

/// A first, explainable risk estimate: where the secret is exposed and how widely, the privilege it carries,
/// spend and ownership. The full policy-driven model (issue 4) replaces it.
public enum ExposureRisk {
    /// Treatment due days by severity until a policy overrides them.
    static let dueDays = ["critical": 1, "high": 7, "medium": 30, "low": 90]

    public static func assess(_ c: LinkedCredential, asOf: Date) -> (Risk, [String], [Treatment]) {
        var factors: [RiskFactor] = []
        let locations = c.entry?.locations ?? []
        let git = locations.filter { $0.kind == .git }
        let inHead = git.contains { $0.current }
        let onDisk = locations.contains { $0.kind == .file }
        let repositories = Set(locations.compactMap(\.repository))
        if inHead {
            factors.append(RiskFactor(id: "exposure.git-head", points: 45, reason: "in HEAD of \(repositories.sorted().joined(separator: ", ")): everyone who can read the repository has it"))
        } else if !git.isEmpty {
            let since = git.compactMap(\.firstSeen).min().map(ISODate.day) ?? "unknown"
            factors.append(RiskFactor(id: "exposure.git-history", points: 35, reason: "removed from HEAD but still in git history since \(since); valid until rotated"))
        }
        if onDisk {
            factors.append(RiskFactor(id: "exposure.config-store", points: inHead || !git.isEmpty ? 5 : 30, reason: "stored in plain text in a config file"))
        }
        if locations.isEmpty {
            factors.append(RiskFactor(id: "exposure.none", points: 0, reason: "listed by the provider; not found in any scanned source"))
        }
        if locations.count > 1 {
            factors.append(RiskFactor(id: "exposure.spread", points: min(15, 5 * (locations.count - 1)), reason: "found in \(locations.count) places"))
        }
        if repositories.count > 1 {
            factors.append(RiskFactor(id: "reuse.repositories", points: 10, reason: "reused across \(repositories.count) repositories"))
        }
        switch c.privilege.level {
        case "admin": factors.append(RiskFactor(id: "privilege.admin", points: 30, reason: "administrative rights" + (c.privilege.scopes.isEmpty ? "" : " (\(c.privilege.scopes.joined(separator: ", ")))")))
        case "write": factors.append(RiskFactor(id: "privilege.write", points: 15, reason: "can change provider-side resources"))
        case "unknown": factors.append(RiskFactor(id: "privilege.unknown", points: 5, reason: "privilege unknown (not assumed safe)"))
        default: break
        }
        if c.owner.team == nil {
            factors.append(RiskFactor(id: "ownership.no-team", points: 5, reason: c.owner.contact.map { "no team owner (fallback: \($0) from \(c.owner.source))" } ?? "no owner"))
        } else if c.owner.pooled {
            factors.append(RiskFactor(id: "ownership.pooled", points: 5, reason: "shared by teams \(c.owner.teams.joined(separator: ", "))"))
        }
        if c.usage.spend30d >= 100 {
            factors.append(RiskFactor(id: "spend.level", points: c.usage.spend30d >= 1000 ? 10 : 5, reason: String(format: "%.2f %@ spent in 30 days", c.usage.spend30d, c.usage.currency)))
        }
        let score = min(100, factors.reduce(0) { $0 + $1.points })
        let severity = score >= 80 ? "critical" : score >= 60 ? "high" : score >= 35 ? "medium" : "low"
        var controls = locations.isEmpty ? [] : ["OWASP-NHI:NHI2", "NIST-CSF-2.0:PR.DS-01"]
        if c.privilege.level == "admin" { controls += ["OWASP-NHI:NHI5", "NIST-CSF-2.0:PR.AA-05"] }
        if repositories.count > 1 { controls.append("OWASP-NHI:NHI9") }
        let due = ISODate.day(asOf.addingTimeInterval(Double(dueDays[severity]! * 86_400)))
        var treatments: [Treatment] = []
        if !locations.isEmpty { treatments.append(Treatment(action: inHead || !git.isEmpty ? "revoke" : "rotate", due: due)) }
        if onDisk || inHead { treatments.append(Treatment(action: "move-to-secret-manager", due: due)) }
        if c.owner.team == nil { treatments.append(Treatment(action: "assign-owner", due: due)) }
        return (Risk(score: score, severity: severity, factors: factors), controls, treatments)
    }
}
