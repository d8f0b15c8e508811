import Foundation

/// What `scan --validate` found across a register, in the words every reporter uses: how many keys were checked with
/// their providers, how many still work, how many are revoked and how many could not be checked (`unknown`, `error`).
/// Nil when no credential carries a validation (the scan did not validate): reporters then say nothing about it.
public struct ValidationSummary: Sendable, Equatable {
    public var checked: Int
    public var active: Int
    public var revoked: Int
    /// `unknown` and `error`: asked, but the answer said neither.
    public var unchecked: Int
    /// Answers reused from an earlier run (`validation.cached`).
    public var reused: Int
    /// The oldest and newest answer's day (`YYYY-MM-DD`).
    public var from: String
    public var to: String

    public init?(_ credentials: [CredentialRecord]) {
        let answers = credentials.compactMap(\.validation)
        guard !answers.isEmpty else { return nil }
        checked = answers.count
        active = answers.filter { $0.status == .active }.count
        revoked = answers.filter { $0.status == .revoked }.count
        unchecked = checked - active - revoked
        reused = answers.filter { $0.cached == true }.count
        let days = answers.map { Self.day($0) }.sorted()
        from = days.first ?? ""
        to = days.last ?? ""
    }

    /// "4 keys checked with their providers on 2026-11-27: 1 still works, 2 revoked, 1 could not be checked; 2 answers
    /// reused from an earlier run."
    public var sentence: String {
        var parts = ["\(active) still work\(active == 1 ? "s" : "")", "\(revoked) revoked"]
        if unchecked > 0 { parts.append("\(unchecked) could not be checked") }
        let when = from == to ? "on \(to)" : "from \(from) to \(to)"
        var out = ReportFormat.count(checked, "key") + " checked with \(checked == 1 ? "its provider" : "their providers") \(when): "
            + ReportFormat.list(parts)
        if reused > 0 { out += "; " + ReportFormat.count(reused, "answer") + " reused from an earlier run" }
        return out + "."
    }

    /// `works`, `revoked`, `not checked`: a credential's answer in one or two words.
    public static func label(_ v: CredentialValidation) -> String {
        switch v.status {
        case .active: return "works"
        case .revoked: return "revoked"
        case .unknown, .error: return "not checked"
        }
    }

    /// The day of the answer (`checked_at`'s date).
    public static func day(_ v: CredentialValidation) -> String { String(v.checkedAt.prefix(10)) }

    /// `works, checked 2026-11-27`; `not checked: HTTP 529 from api.anthropic.com …` says why.
    public static func text(_ v: CredentialValidation) -> String {
        switch v.status {
        case .active, .revoked: return "\(label(v)), checked \(day(v))" + (v.cached == true ? " (earlier run)" : "")
        case .unknown, .error: return "not checked: \(v.detail)"
        }
    }

    /// Open credentials their provider accepts today, riskiest first: leaked keys that still work.
    static func stillWorking(_ credentials: [CredentialRecord]) -> [CredentialRecord] {
        credentials.filter { $0.status != .suppressed && $0.validation?.status == .active }
            .sorted { ($0.risk.score, $1.id) > ($1.risk.score, $0.id) }
    }
}
