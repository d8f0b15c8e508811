import Foundation

/// The register, `schema: keyledger.register/v1`: the contract other tools read.
/// Fields filled by later stages (usage, owner, risk) are present and empty until those stages run.
public struct Register: Codable, Sendable, Equatable {
    public static let schemaID = "keyledger.register/v1"

    /// `schema`: always `keyledger.register/v1`.
    public var schema: String = Register.schemaID
    /// `generated_at`: when the register was written, ISO 8601 UTC timestamp.
    public var generatedAt: String
    /// `as_of`: the day the run took as today (`--as-of`, else the run's date), `YYYY-MM-DD`.
    public var asOf: String
    /// `scan`: what was scanned and skipped.
    public var scan: ScanSummary
    /// `summary`: counts and spend over all credentials.
    public var summary: Summary
    /// `credentials`: one row per distinct credential, sorted by severity, then score, highest first.
    public var credentials: [CredentialRecord]

    enum CodingKeys: String, CodingKey {
        case schema, scan, summary, credentials
        case generatedAt = "generated_at"
        case asOf = "as_of"
    }

    public init(generatedAt: String, asOf: String, scan: ScanSummary, summary: Summary, credentials: [CredentialRecord]) {
        self.generatedAt = generatedAt
        self.asOf = asOf
        self.scan = scan
        self.summary = summary
        self.credentials = credentials
    }
}

/// What was scanned, how much, how long, and what was skipped and why.
public struct ScanSummary: Codable, Sendable, Equatable {
    /// `targets`: the paths scanned, as given.
    public var targets: [String]
    /// `commits`: git commits walked.
    public var commits: Int
    /// `blobs`: distinct git blobs scanned.
    public var blobs: Int
    /// `files`: work-tree and folder files scanned.
    public var files: Int
    /// `bytes`: bytes scanned (blobs and files), in bytes.
    public var bytes: Int
    /// `duration_ms`: wall time of the scan, in milliseconds.
    public var durationMs: Int
    /// Skipped inputs counted by reason (`binary`, `oversized`, `unreadable`, `symlink-loop`, `missing-object`, …).
    public var skipped: [String: Int]
    /// Each skipped or failed input with its path and reason (extension of the v1 contract).
    public var problems: [Problem]
    /// Rules in force for this scan (extension).
    public var rules: Int
    /// Provider export files read, by detected format (extension).
    public var exports: [String: Int]?

    enum CodingKeys: String, CodingKey {
        case targets, commits, blobs, files, bytes, skipped, problems, rules, exports
        case durationMs = "duration_ms"
    }
}

/// One input that could not be scanned, and why.
public struct Problem: Codable, Sendable, Equatable, Hashable {
    /// `path`: the input, relative to the scanned folder or repository (non-UTF-8 bytes written `\xNN`).
    public var path: String
    /// `reason`: why, starting with the skip reason it is counted under (`binary`, `oversized`, …).
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
}

public struct Summary: Codable, Sendable, Equatable {
    /// `credentials`: number of rows in `credentials`.
    public var credentials: Int
    /// `by_severity`: rows per severity (`critical`, `high`, `medium`, `low`).
    public var bySeverity: [String: Int]
    /// 30-day spend carried by the credentials (in `currency`).
    public var spend30d: Double
    /// `currency`: ISO 4217 code of the amounts beside it.
    public var currency: String
    /// `attributed_spend_ratio`: share of `spend_30d` carried by credentials with a team owner, 0–1.
    public var attributedSpendRatio: Double
    /// Extension: 30-day spend the exports report that no credential can carry (organisation-level rows, projects
    /// without a listed key, keys no listing names), in `currency`: `spend_30d + unattributed_spend_30d` is what the
    /// exports say the organisation spent. Absent when no export had usage or cost.
    public var unattributedSpend30d: Double? = nil
    /// Extension: where the unattributed spend comes from, largest first.
    public var unattributed: [UnattributedSpend]? = nil
    /// Extension: token usage of models the price table does not know ("N tokens of MODEL"): never priced at $0.
    public var unpriced: [String]? = nil
    /// Extension: 30-day spend in currencies other than `currency` for which `currency_rates` gave no rate (never added).
    public var otherCurrencies: [String: Double]? = nil

    public init(credentials: Int, bySeverity: [String: Int], spend30d: Double, currency: String, attributedSpendRatio: Double) {
        self.credentials = credentials; self.bySeverity = bySeverity; self.spend30d = spend30d; self.currency = currency
        self.attributedSpendRatio = attributedSpendRatio
    }

    enum CodingKeys: String, CodingKey {
        case credentials, currency, unattributed, unpriced
        case bySeverity = "by_severity"
        case spend30d = "spend_30d"
        case attributedSpendRatio = "attributed_spend_ratio"
        case unattributedSpend30d = "unattributed_spend_30d"
        case otherCurrencies = "other_currencies"
    }
}

/// Spend the exports report that no credential can carry, by provider and scope.
public struct UnattributedSpend: Codable, Sendable, Equatable {
    /// `provider`: the provider the spend was billed by (`openai`, `anthropic`, `aws`, …).
    public var provider: String
    /// `organization`, or the project / workspace / account / key id the rows name.
    public var scope: String
    /// `spend_30d`: spend in the 30 days ending `as_of`, in `currency`.
    public var spend30d: Double
    /// `currency`: ISO 4217 code of the amounts beside it.
    public var currency: String
    /// Why no credential carries it.
    public var reason: String
    /// Priced from tokens with the price table rather than billed.
    public var estimated: Bool

    enum CodingKeys: String, CodingKey {
        case provider, scope, currency, reason, estimated
        case spend30d = "spend_30d"
    }
}
