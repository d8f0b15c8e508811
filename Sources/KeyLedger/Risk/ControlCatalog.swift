/// Which controls each risk factor speaks to: OWASP Non-Human Identities Top 10 (2025) and NIST CSF 2.0
/// subcategories (texts in ../shared/reference/governance.md §1). Kept as data so reviewers can audit it.
public enum ControlCatalog {
    public static let byFactor: [String: [String]] = [
        "exposure.git-head": ["OWASP-NHI:NHI2", "NIST-CSF-2.0:PR.AA-01", "NIST-CSF-2.0:PR.DS-01", "NIST-CSF-2.0:PR.PS-06"],
        "exposure.git-history": ["OWASP-NHI:NHI2", "NIST-CSF-2.0:PR.AA-01", "NIST-CSF-2.0:PR.DS-01", "NIST-CSF-2.0:PR.PS-06"],
        "exposure.config-store": ["OWASP-NHI:NHI2", "NIST-CSF-2.0:PR.AA-01", "NIST-CSF-2.0:PR.DS-01"],
        "exposure.spread": ["OWASP-NHI:NHI2", "NIST-CSF-2.0:DE.CM-09"],
        "exposure.age": ["OWASP-NHI:NHI2", "NIST-CSF-2.0:ID.RA-01"],
        "reuse.repositories": ["OWASP-NHI:NHI9", "NIST-CSF-2.0:PR.AA-05"],
        "privilege.admin": ["OWASP-NHI:NHI5", "NIST-CSF-2.0:PR.AA-05"],
        "privilege.write": ["OWASP-NHI:NHI5", "NIST-CSF-2.0:PR.AA-05"],
        "privilege.unknown": ["NIST-CSF-2.0:ID.AM-02"],
        "rotation.overdue": ["OWASP-NHI:NHI7", "NIST-CSF-2.0:PR.AA-01", "NIST-CSF-2.0:ID.AM-08"],
        "rotation.no-expiry": ["OWASP-NHI:NHI7", "NIST-CSF-2.0:PR.AA-01"],
        "dormancy.unused": ["OWASP-NHI:NHI1", "NIST-CSF-2.0:PR.AA-01", "NIST-CSF-2.0:ID.AM-08"],
        "ownership.none": ["OWASP-NHI:NHI1", "NIST-CSF-2.0:GV.RR-02"],
        "ownership.pooled": ["OWASP-NHI:NHI9", "NIST-CSF-2.0:GV.RR-02"],
        "spend.level": ["NIST-CSF-2.0:GV.RM-02", "NIST-CSF-2.0:DE.CM-06"],
        "spend.anomaly-after-exposure": ["OWASP-NHI:NHI2", "NIST-CSF-2.0:DE.CM-06", "NIST-CSF-2.0:DE.AE-02", "NIST-CSF-2.0:RS.MI-01"],
        "validation.active": ["OWASP-NHI:NHI2", "NIST-CSF-2.0:RS.MI-01"],
        "spend.spike": ["NIST-CSF-2.0:DE.CM-06", "NIST-CSF-2.0:DE.AE-02"],
        "cloudtrail.enumeration-then-invocation": ["OWASP-NHI:NHI2", "NIST-CSF-2.0:DE.CM-03", "NIST-CSF-2.0:DE.AE-02", "NIST-CSF-2.0:DE.AE-03", "NIST-CSF-2.0:RS.MI-01"],
        "cloudtrail.model-access-request": ["OWASP-NHI:NHI2", "NIST-CSF-2.0:DE.CM-03", "NIST-CSF-2.0:DE.AE-02", "NIST-CSF-2.0:RS.MI-01"],
        "cloudtrail.new-model-after-exposure": ["NIST-CSF-2.0:DE.CM-06", "NIST-CSF-2.0:DE.AE-02"],
        "cloudtrail.new-source-after-exposure": ["OWASP-NHI:NHI2", "NIST-CSF-2.0:DE.CM-03", "NIST-CSF-2.0:DE.AE-03", "NIST-CSF-2.0:RS.MI-01"],
    ]

    /// Controls of a set of factors, OWASP first, each once, in a stable order.
    public static func controls(for factorIDs: [String]) -> [String] {
        var seen = Set<String>()
        let all = factorIDs.flatMap { byFactor[$0] ?? [] }.filter { seen.insert($0).inserted }
        return all.sorted { ($0.hasPrefix("OWASP") ? 0 : 1, $0) < ($1.hasPrefix("OWASP") ? 0 : 1, $1) }
    }
}
