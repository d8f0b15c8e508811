import Foundation

/// A first, explainable risk estimate from what the scan alone knows: where the secret is exposed,
/// how widely, and the privilege its kind implies. Linking (usage, owners) and policy refine it later.
public enum ExposureRisk {
    /// Treatment due days by severity until a policy overrides them.
    static let dueDays = ["critical": 1, "high": 7, "medium": 30, "low": 90]

    public static func assess(_ entry: InventoryEntry, asOf: Date) -> (Risk, [String], [Treatment]) {
        var factors: [RiskFactor] = []
        let git = entry.locations.filter { $0.kind == .git }
        let inHead = git.contains { $0.current }
        let onDisk = entry.locations.contains { $0.kind == .file }
        let repositories = Set(entry.locations.compactMap(\.repository))
        if inHead {
            factors.append(RiskFactor(id: "exposure.git-head", points: 45, reason: "in HEAD of \(repositories.sorted().joined(separator: ", ")): everyone who can read the repository has it"))
        } else if !git.isEmpty {
            let since = git.compactMap(\.firstSeen).min().map(ISODate.day) ?? "unknown"
            factors.append(RiskFactor(id: "exposure.git-history", points: 35, reason: "removed from HEAD but still in git history since \(since); valid until rotated"))
        }
        if onDisk {
            factors.append(RiskFactor(id: "exposure.config-store", points: inHead || !git.isEmpty ? 5 : 30, reason: "stored in plain text in a config file"))
        }
        if entry.locations.count > 1 {
            factors.append(RiskFactor(id: "exposure.spread", points: min(15, 5 * (entry.locations.count - 1)), reason: "found in \(entry.locations.count) places"))
        }
        if repositories.count > 1 {
            factors.append(RiskFactor(id: "reuse.repositories", points: 10, reason: "reused across \(repositories.count) repositories"))
        }
        switch entry.rule.privilege {
        case "admin": factors.append(RiskFactor(id: "privilege.admin", points: 30, reason: "\(entry.rule.name) has administrative rights"))
        case "write": factors.append(RiskFactor(id: "privilege.write", points: 15, reason: "can change provider-side resources"))
        case "unknown": factors.append(RiskFactor(id: "privilege.unknown", points: 5, reason: "privilege unknown (not assumed safe)"))
        default: break
        }
        let score = min(100, factors.reduce(0) { $0 + $1.points })
        let severity = score >= 80 ? "critical" : score >= 60 ? "high" : score >= 35 ? "medium" : "low"
        var controls = ["OWASP-NHI:NHI2", "NIST-CSF-2.0:PR.DS-01"]
        if entry.rule.privilege == "admin" { controls += ["OWASP-NHI:NHI5", "NIST-CSF-2.0:PR.AA-05"] }
        if repositories.count > 1 { controls.append("OWASP-NHI:NHI9") }
        let due = ISODate.day(asOf.addingTimeInterval(Double(dueDays[severity]! * 86_400)))
        var treatments = [Treatment(action: inHead || !git.isEmpty ? "revoke" : "rotate", due: due)]
        if onDisk || inHead { treatments.append(Treatment(action: "move-to-secret-manager", due: due)) }
        return (Risk(score: score, severity: severity, factors: factors), controls, treatments)
    }
}
