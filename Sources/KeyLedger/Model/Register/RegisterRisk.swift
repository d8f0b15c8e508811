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
}

public struct Treatment: Codable, Sendable, Equatable {
    /// `action`: what to do.
    public var action: TreatmentAction
    /// `due`: by when, `YYYY-MM-DD` (the first due date recorded for it, kept across scans).
    public var due: String?
    public init(action: TreatmentAction, due: String?) { self.action = action; self.due = due }
}
