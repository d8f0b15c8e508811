import Foundation

/// The closed sets of the register contract. Each is an enum whose raw values are the contract's strings, so the
/// JSON, CSV, store and SARIF keep their spelling while the code cannot misspell or misorder them.

/// How urgent a credential is. Ordered: `low < medium < high < critical`.
public enum Severity: String, Codable, CaseIterable, Comparable, Sendable {
    case critical, high, medium, low

    /// Score cut-offs: critical ≥ 80, high ≥ 60, medium ≥ 35, low below.
    public static let cutoffs: [(severity: Severity, score: Int)] = [(.critical, 80), (.high, 60), (.medium, 35)]

    public init(score: Int) {
        self = Severity.cutoffs.first { score >= $0.score }?.severity ?? .low
    }

    /// 0 for low … 3 for critical.
    public var rank: Int {
        switch self {
        case .low: return 0
        case .medium: return 1
        case .high: return 2
        case .critical: return 3
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }

    /// Critical or high: what a report calls urgent.
    public var isUrgent: Bool { self >= .high }
}

/// What a credential can do at the provider.
public enum PrivilegeLevel: String, Codable, CaseIterable, Sendable {
    case admin, write, read, restricted, unknown

    /// A level from a rule, an export or a token's claims; anything unrecognised is `unknown`.
    public init(text: String?) { self = text.flatMap { PrivilegeLevel(rawValue: $0.lowercased()) } ?? .unknown }

    /// How much the level allows: admin 4, write 3, restricted 2, read 1, unknown 0.
    public var strength: Int {
        switch self {
        case .admin: return 4
        case .write: return 3
        case .restricted: return 2
        case .read: return 1
        case .unknown: return 0
        }
    }
}

/// Whether a credential counts against the run.
public enum CredentialStatus: String, Codable, CaseIterable, Sendable {
    /// Found and not accepted: fails the run.
    case open
    /// Every location carries a `keyledger:allow <reason>` marker.
    case allowed
    /// Accepted in the baseline until its expiry.
    case suppressed
}

/// How a credential was tied to a provider-side key.
public enum LinkMethod: String, Codable, CaseIterable, Sendable {
    case sha256
    case keyId = "key-id"
    case redactionHint = "redaction-hint"
    case principal, project, ambiguous
    /// Listed by the provider; not found in any scanned source.
    case inventory
}

/// How sure a link is.
public enum LinkConfidence: String, Codable, CaseIterable, Sendable {
    case exact, high, approximate, none
}

/// Where a credential's owner came from, most authoritative first.
public enum OwnerSource: String, Codable, CaseIterable, Sendable {
    case ownersFile = "owners-file"
    case codeowners
    case provider
    case gitAuthor = "git-author"
    case none
}

/// What to do about a credential.
public enum TreatmentAction: String, Codable, CaseIterable, Sendable {
    case investigateAbuse = "investigate-abuse"
    case revoke, rotate
    case moveToSecretManager = "move-to-secret-manager"
    case restrictScope = "restrict-scope"
    case assignOwner = "assign-owner"
    case setBudgetCap = "set-budget-cap"
}

// Interpolated, each value reads as the contract spells it (`git-author`, not `gitAuthor`).
extension Severity: CustomStringConvertible { public var description: String { rawValue } }
extension PrivilegeLevel: CustomStringConvertible { public var description: String { rawValue } }
extension CredentialStatus: CustomStringConvertible { public var description: String { rawValue } }
extension LinkMethod: CustomStringConvertible { public var description: String { rawValue } }
extension LinkConfidence: CustomStringConvertible { public var description: String { rawValue } }
extension OwnerSource: CustomStringConvertible { public var description: String { rawValue } }
extension TreatmentAction: CustomStringConvertible { public var description: String { rawValue } }

/// How a day's cost on a credential was made, best first: the ledger's precedence when sources overlap
/// (`CostLedger`). Ordered: a lower rank wins.
public enum CostBasis: String, Codable, CaseIterable, Comparable, Sendable {
    /// The provider billed this key (OpenAI costs by `api_key_id`, CUR by IAM principal, LiteLLM spend by key hash).
    case providerCostByKey = "provider-cost-by-key"
    /// The provider billed the key's project or workspace; the key's share is its part of the priced usage (approximate).
    case providerCostApportioned = "provider-cost-apportioned"
    /// The key's own token usage priced from the dated price table (estimated).
    case priceTable = "price-table"
    /// Project or account-level spend split evenly across its credentials, nothing finer being known (approximate).
    case accountApproximation = "account-approximation"

    public var rank: Int { CostBasis.allCases.firstIndex(of: self)! }
    public static func < (a: CostBasis, b: CostBasis) -> Bool { a.rank < b.rank }
}

/// What a credential's own provider said when asked whether it works (`scan --validate`).
public enum ValidationStatus: String, Codable, CaseIterable, Sendable {
    /// The read-only call succeeded: the credential works today.
    case active
    /// The provider refused it (401/403): revoked, expired or never valid.
    case revoked
    /// The answer said neither (an unexpected status, a rate limit, a timeout).
    case unknown
    /// The call could not be made or its answer could not be read.
    case error
}
