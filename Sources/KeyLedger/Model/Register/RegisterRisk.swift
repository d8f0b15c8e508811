import Foundation

public struct Privilege: Codable, Sendable, Equatable {
    /// `level`: `admin`, `write`, `restricted`, `read` or `unknown` (unknown is never read as safe).
    public var level: PrivilegeLevel
    /// `scopes`: the policies, roles or scopes behind the level.
    public var scopes: [String]
    public init(level: PrivilegeLevel, scopes: [String] = []) { self.level = level; self.scopes = scopes }
}

public struct Risk: Codable, Sendable, Equatable {
    /// `score`: 0–100, the sum of the factors' points, capped.
    public var score: Int
    /// `severity`: from the score (≥ 80 critical, ≥ 60 high, ≥ 35 medium), raised by abuse or policy.
    public var severity: Severity
    /// `factors`: the named factors, most points first.
    public var factors: [RiskFactor]
}

public struct RiskFactor: Codable, Sendable, Equatable {
    /// `id`: the factor (`exposure.git-head`, `spend.anomaly-after-exposure`, …).
    public var id: String
    /// `points`: what it adds to the score.
    public var points: Int
    /// `reason`: one sentence with the evidence.
    public var reason: String
    /// `evidence` (extension): what the reason says, in fields a program can read (dates, levels, model, events); nil
    /// for factors whose reason is all there is.
    public var evidence: RiskEvidence? = nil
}

/// The evidence behind an abuse factor (`spend.*`, `cloudtrail.*`). Every field is optional; a factor sets those it
/// has: `{since: "2026-11-05", before: 2.5, after: 270.0, exposed: "2026-10-28", currency: "USD"}` for a spend
/// change-point, `{since, time, events, address, agent, exposed}` for a CloudTrail signature, `{since, model, share,
/// exposed}` for a new model after exposure.
public struct RiskEvidence: Codable, Sendable, Equatable {
    /// `since`: the first day of the signal (the change-point, the CloudTrail event's day, a new model's first day), `YYYY-MM-DD`.
    public var since: String?
    /// `before`: mean daily spend before the change-point, in `currency`.
    public var before: Double?
    /// `after`: mean daily spend from the change-point on, in `currency`.
    public var after: Double?
    /// `currency`: ISO 4217 code of `before` and `after`.
    public var currency: String?
    /// `exposed`: the day the credential was first exposed in a scanned source, `YYYY-MM-DD`.
    public var exposed: String?
    /// `model`: the model first used after the exposure.
    public var model: String?
    /// `share`: that model's share (0–1) of the key's spend from `since` on.
    public var share: Double?
    /// `events`: CloudTrail event names of the signature, oldest first.
    public var events: [String]?
    /// `time`: when the event completing the signature happened, ISO 8601 UTC.
    public var time: String?
    /// `address`: its source IP address.
    public var address: String?
    /// `agent`: its user agent.
    public var agent: String?

    public init(since: String? = nil, before: Double? = nil, after: Double? = nil, currency: String? = nil, exposed: String? = nil,
                model: String? = nil, share: Double? = nil, events: [String]? = nil, time: String? = nil, address: String? = nil,
                agent: String? = nil) {
        self.since = since; self.before = before; self.after = after; self.currency = currency; self.exposed = exposed
        self.model = model; self.share = share; self.events = events; self.time = time; self.address = address; self.agent = agent
    }
}

public struct Treatment: Codable, Sendable, Equatable {
    /// `action`: what to do.
    public var action: TreatmentAction
    /// `due`: by when, `YYYY-MM-DD` (the first due date recorded for it, kept across scans).
    public var due: String?
    public init(action: TreatmentAction, due: String?) { self.action = action; self.due = due }
}
