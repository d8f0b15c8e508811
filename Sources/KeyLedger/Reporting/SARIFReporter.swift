import Foundation

/// The register as SARIF 2.1.0, in the shape GitHub code scanning accepts: one result per place a credential was
/// found, pointing at its repository-relative path and line, with a `primaryLocationLineHash` made of rule,
/// fingerprint and path — never the line — so an alert survives edits that move the key. Messages carry the
/// redacted form only. Suppressed (baseline) and allowed (`keyledger:allow`) credentials are reported with a
/// SARIF suppression, so code scanning shows them as dismissed rather than dropping them.
public enum SARIFReporter {
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

    /// - Parameters:
    ///   - rules: the rules in force (`RuleMatcher.rules`), for each result's rule description and help.
    ///   - baseline: the baseline applied to `register`, whose reasons justify its suppressions.
    public static func render(_ register: Register, rules: [Rule], baseline: Baseline? = nil) throws -> String {
        let rulesByID = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let found = register.credentials.filter { !$0.locations.isEmpty }
        let ruleIDs = Array(Set(found.map(ruleID))).sorted()
        let ruleIndex = Dictionary(uniqueKeysWithValues: ruleIDs.enumerated().map { ($1, $0) })
        let descriptors = ruleIDs.map { id in
            descriptor(id, rule: rulesByID[id], example: found.first { ruleID($0) == id }!)
        }
        var results: [Result] = []
        for record in found {
            let id = ruleID(record)
            let name = rulesByID[id]?.name ?? "\(record.provider) \(record.kind)"
            for location in record.locations {
                results.append(Result(
                    ruleId: id, ruleIndex: ruleIndex[id]!, level: level(record.risk.severity),
                    message: Message(text: message(record, name: name, at: location)),
                    // A key found in a commit's author or committer has no file: the result names the commit in its
                    // message and properties, and carries no physical location rather than an empty URI.
                    locations: location.path.isEmpty ? [] : [Location(physicalLocation: PhysicalLocation(
                        artifactLocation: artifactLocation(location.path),
                        region: Region(startLine: max(1, location.line ?? 1))))],
                    partialFingerprints: ["primaryLocationLineHash": lineHash(rule: id, fingerprint: record.fingerprint ?? record.id, path: location.path)],
                    suppressions: suppressions(record, baseline: baseline),
                    properties: ResultProperties(
                        credential: record.id, provider: record.provider, kind: record.kind, redacted: record.redacted,
                        severity: record.risk.severity.rawValue, riskScore: record.risk.score, status: record.status.rawValue,
                        repository: location.repository, commit: location.commit, inHead: location.inHead,
                        validation: record.validation?.status.rawValue)))
            }
        }
        let log = Log(runs: [Run(tool: Tool(driver: Driver(rules: descriptors)), results: results)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(log), as: UTF8.self) + "\n"
    }

    /// GitHub's alert identity: stable while the key stays in the same file under the same rule, wherever the line.
    /// The `:1` suffix is the occurrence counter GitHub's own fingerprints carry.
    public static func lineHash(rule: String, fingerprint: String, path: String) -> String {
        String(SHA256.hex([rule, fingerprint, path].joined(separator: "\u{0}")).prefix(32)) + ":1"
    }

    /// critical/high → error, medium → warning, low → note.
    static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: return "error"
        case .medium: return "warning"
        case .low: return "note"
        }
    }

    static func ruleID(_ record: CredentialRecord) -> String { record.rule ?? "\(record.provider).\(record.kind)" }

    static func descriptor(_ id: String, rule: Rule?, example: CredentialRecord) -> ReportingDescriptor {
        let name = rule?.name ?? "\(example.provider) \(example.kind)"
        let provider = rule?.provider ?? example.provider
        let attacker = rule.map { squeeze($0.description) } ?? "A \(name) grants access to \(provider) as its owner."
        let privilege = rule?.privilege ?? "unknown"
        let text = """
            Treat the key as compromised: anyone who can read this repository or its history has it. \
            1) Rotate it at \(provider) (create a new key, move its users over, revoke this one). \
            2) Remove it from the file and load it from a secret manager or the environment; removing it from the \
            latest commit does not remove it from git history, so rotation comes first. \
            3) If it is a test value or an accepted risk, put `keyledger:allow <reason>` on its line, or record it \
            with `keyledger baseline` (reason, owner, expiry).
            """
        let markdown = """
            **\(name)** — \(attacker)

            Treat the key as compromised: anyone who can read this repository or its history has it.

            1. **Rotate** it at \(provider): create a new key, move its users over, revoke this one.
            2. **Remove** it from the file and load it from a secret manager or the environment. Deleting it from the \
            latest commit does not remove it from git history, so rotate first.
            3. If it is a test value or an accepted risk, put `keyledger:allow <reason>` on its line, or record it with \
            `keyledger baseline PATH --output FILE --reason … --owner …` (entries expire, 90 days by default).
            """
        return ReportingDescriptor(
            id: id, name: name,
            shortDescription: Message(text: "\(name) in source code or git history"),
            fullDescription: Message(text: attacker),
            help: Help(text: text, markdown: markdown),
            defaultConfiguration: Configuration(level: "error"),
            properties: RuleProperties(
                tags: ["security", "secret", "credential", "external/cwe/cwe-798", provider],
                precision: "high",
                securitySeverity: privilege == "admin" ? "9.5" : privilege == "write" ? "8.5" : "7.5"))
    }

    static func message(_ record: CredentialRecord, name: String, at location: LocationRecord) -> String {
        var where_: String
        if location.kind == "git" {
            let commit = location.commit.map { " in commit \($0.prefix(12))" } ?? ""
            let date = location.date.map { " (\($0.prefix(10)))" } ?? ""
            where_ = location.inHead == false
                ? "It was committed\(commit)\(date) and removed later, but stays in git history and valid until rotated."
                : "It was committed\(commit)\(date)."
        } else {
            where_ = location.note.map { "It is in the file (\($0))." } ?? "It is in the file."
        }
        if record.locations.count > 1 { where_ += " The same key is in \(record.locations.count) places." }
        // What the provider said (scan --validate): a key that still works is the first thing a reviewer must know.
        var checked = ""
        if let v = record.validation {
            let day = String(v.checkedAt.prefix(10))
            switch v.status {
            case .active: checked = " \(record.provider) accepted it on \(day): it still works."
            case .revoked: checked = " \(record.provider) refused it on \(day): it no longer works."
            case .unknown, .error: checked = ""
            }
        }
        return "\(name) \(record.redacted) found: rotate it at \(record.provider), then remove it. \(where_)\(checked) "
            + "Risk \(record.risk.severity) (\(record.risk.score)/100)."
    }

    static func suppressions(_ record: CredentialRecord, baseline: Baseline?) -> [Suppression]? {
        switch record.status {
        case .suppressed:
            let entry = record.fingerprint.flatMap { baseline?.credentials[$0] }
            let justification = entry.map { "accepted in the baseline until \($0.expires) by \($0.owner): \($0.reason)" }
                ?? "accepted in the keyledger baseline"
            return [Suppression(kind: "external", status: "accepted", justification: justification)]
        case .allowed:
            return [Suppression(kind: "inSource", status: "accepted", justification: "keyledger:allow with a reason on the line")]
        default:
            return nil
        }
    }

    /// A repository-relative path as a URI reference against `%SRCROOT%`; an absolute path as a `file://` URI.
    static func artifactLocation(_ path: String) -> ArtifactLocation {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":;")  // a colon in the first segment would read as a URI scheme
        if path.hasPrefix("/") {
            return ArtifactLocation(uri: "file://" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path), uriBaseId: nil)
        }
        var relative = path
        while relative.hasPrefix("./") { relative.removeFirst(2) }
        return ArtifactLocation(uri: relative.addingPercentEncoding(withAllowedCharacters: allowed) ?? relative, uriBaseId: "%SRCROOT%")
    }

    static func squeeze(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    // MARK: SARIF objects (only the properties keyledger fills)

    struct Log: Encodable {
        let schema = SARIFReporter.schemaURI
        let version = "2.1.0"
        let runs: [Run]
        enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }
    }
    struct Run: Encodable { let tool: Tool; let results: [Result] }
    struct Tool: Encodable { let driver: Driver }
    struct Driver: Encodable {
        let name = "keyledger"
        let version = KeyLedgerVersion.current
        let rules: [ReportingDescriptor]
    }
    struct ReportingDescriptor: Encodable {
        let id: String
        let name: String
        let shortDescription: Message
        let fullDescription: Message
        let help: Help
        let defaultConfiguration: Configuration
        let properties: RuleProperties
    }
    struct Message: Encodable { let text: String }
    struct Help: Encodable { let text: String; let markdown: String }
    struct Configuration: Encodable { let level: String }
    struct RuleProperties: Encodable {
        let tags: [String]
        let precision: String
        let securitySeverity: String
        enum CodingKeys: String, CodingKey { case tags, precision, securitySeverity = "security-severity" }
    }
    struct Result: Encodable {
        let ruleId: String
        let ruleIndex: Int
        let level: String
        let message: Message
        let locations: [Location]
        let partialFingerprints: [String: String]
        let suppressions: [Suppression]?
        let properties: ResultProperties
    }
    struct Location: Encodable { let physicalLocation: PhysicalLocation }
    struct PhysicalLocation: Encodable { let artifactLocation: ArtifactLocation; let region: Region }
    struct ArtifactLocation: Encodable { let uri: String; let uriBaseId: String? }
    struct Region: Encodable { let startLine: Int }
    struct Suppression: Encodable { let kind: String; let status: String; let justification: String }
    struct ResultProperties: Encodable {
        let credential: String
        let provider: String
        let kind: String
        let redacted: String
        let severity: String
        let riskScore: Int
        let status: String
        let repository: String?
        let commit: String?
        let inHead: Bool?
        /// `scan --validate`'s answer: active, revoked, unknown or error; absent when not asked.
        let validation: String?
        enum CodingKeys: String, CodingKey {
            case credential, provider, kind, redacted, severity, status, repository, commit, validation
            case riskScore = "risk_score"
            case inHead = "in_head"
        }
    }
}
