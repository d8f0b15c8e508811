import Foundation

/// A provider-side key as a provider's inventory lists it (OpenAI project/admin keys, Anthropic keys,
/// AWS access keys, GCP service-account keys, LiteLLM virtual keys).
public struct ProviderKey: Sendable, Equatable {
    /// `openai`, `anthropic`, `aws`, `gcp`, `litellm`, …
    public var provider: String
    /// The provider's id for the key (`key_…`, `apikey_…`, `AKIA…`, GCP key id, LiteLLM token hash).
    public var keyId: String
    public var name: String?
    /// The identity the key acts as (OpenAI user/service account, Anthropic principal, IAM user ARN, SA e-mail).
    public var principal: String?
    /// The provider-side owner, a contact for the owner fallback (user e-mail or name, service account name).
    public var owner: String?
    /// Project / workspace / account / GCP project the key belongs to.
    public var project: String?
    public var created: Date?
    public var lastUsed: Date?
    /// `active`, `inactive`, `disabled`, `expired`, `archived` as the provider says.
    public var status: String?
    /// Privilege when the listing itself reveals it (`admin` for admin-key listings).
    public var privilege: String?
    public var scopes: [String]
    /// What the listing says about expiry: `.on(date)`, `.never` (the provider states no expiry), or nil when the
    /// listing does not say (OpenAI project keys, AWS access keys).
    public var expiry: KeyExpiry?
    /// How a found secret is recognised as this key.
    public var recognition: KeyRecognition
    /// The export file this came from.
    public var source: String

    public init(provider: String, keyId: String, name: String? = nil, principal: String? = nil, owner: String? = nil,
                project: String? = nil, created: Date? = nil, lastUsed: Date? = nil, status: String? = nil,
                privilege: String? = nil, scopes: [String] = [], expiry: KeyExpiry? = nil, recognition: KeyRecognition, source: String) {
        self.provider = provider; self.keyId = keyId; self.name = name; self.principal = principal; self.owner = owner
        self.project = project; self.created = created; self.lastUsed = lastUsed; self.status = status
        self.privilege = privilege; self.scopes = scopes; self.expiry = expiry; self.recognition = recognition; self.source = source
    }
}

/// When a provider-side key stops working.
public enum KeyExpiry: Sendable, Equatable {
    case on(Date)
    /// The provider says the key never expires (a long-lived secret, OWASP NHI7).
    case never

    /// From an optional expiry date in a listing that has the field: a missing date or one in year 9999 means never.
    static func listed(_ date: Date?) -> KeyExpiry {
        guard let date, date.timeIntervalSince1970 < 253_370_764_800 else { return .never }  // before 9999-01-01
        return .on(date)
    }
}

/// How a secret found in source is tied to a provider-side key, from most to least certain.
public enum KeyRecognition: Sendable, Equatable {
    /// The secret's own SHA-256 hex equals the stored hash (LiteLLM verification tokens).
    case sha256(String)
    /// The identity found with the secret carries this key id (AWS access-key id, GCP `private_key_id`).
    case keyId(String)
    /// The provider's redaction hint: leading and trailing characters, and the full length when the
    /// hint preserves it (OpenAI `sk-proj-****…abcd`, Anthropic `sk-ant-api03-R2D...igAA`).
    case hint(prefix: String, suffix: String, length: Int?)
}

/// What a usage or cost row is attributed to.
public enum UsageScope: Sendable, Hashable {
    /// A provider key id (OpenAI/Anthropic `api_key_id`, AWS access-key id).
    case key(String)
    /// SHA-256 hex of the secret (LiteLLM spend logs).
    case secretHash(String)
    /// An IAM principal / service account (CUR `line_item_iam_principal`, SA e-mail).
    case principal(String)
    /// A project, workspace, account or subscription: an approximation when several keys share it.
    case project(String)
}

/// Metered usage or cost of one day.
public struct UsageRecord: Sendable, Equatable {
    public var provider: String
    public var scope: UsageScope
    /// `YYYY-MM-DD` (UTC).
    public var day: String
    /// Billed cost; nil when only tokens are known (priced later from the price table).
    public var cost: Double?
    public var currency: String
    public var inputTokens: Int
    public var outputTokens: Int
    public var requests: Int
    public var model: String?
    public var source: String
    /// The export's unit the token counts were scaled from (`1K tokens` → ×1000), when the export did not count tokens
    /// itself: the token figure is then derived from a unit convention, not read (see `AWSCURImporter`). Nil otherwise.
    public var derivedTokenUnit: String?

    public init(provider: String, scope: UsageScope, day: String, cost: Double?, currency: String = "USD", inputTokens: Int = 0,
                outputTokens: Int = 0, requests: Int = 0, model: String? = nil, source: String, derivedTokenUnit: String? = nil) {
        self.provider = provider; self.scope = scope; self.day = day; self.cost = cost; self.currency = currency
        self.inputTokens = inputTokens; self.outputTokens = outputTokens; self.requests = requests; self.model = model; self.source = source
        self.derivedTokenUnit = derivedTokenUnit
    }
}

/// What a principal is allowed to do, from IAM policy exports.
public struct PrivilegeGrant: Sendable, Equatable {
    /// IAM user name or ARN, service-account e-mail.
    public var principal: String
    /// `admin`, `write`, `restricted`, `read`.
    public var level: String
    /// Policies or roles that grant it (`AdministratorAccess`, `roles/editor`).
    public var scopes: [String]
    public var source: String

    public init(principal: String, level: String, scopes: [String], source: String) {
        self.principal = principal; self.level = level; self.scopes = scopes; self.source = source
    }
}

/// Everything read from the export files of one run.
public struct ExportBundle: Sendable {
    public var keys: [ProviderKey] = []
    public var usage: [UsageRecord] = []
    public var grants: [PrivilegeGrant] = []
    /// IAM credential-report key slots (last use, rotation), joined to AWS keys by user and creation time.
    public var activities: [CredentialActivity] = []
    /// CloudTrail activity per access key id (`userIdentity.accessKeyId`), for the LLMjacking signatures.
    public var keyActivity: [String: CloudTrailKeyActivity] = [:]
    /// Files read, by detected format (`openai.project-api-keys` → 2).
    public var formats: [String: Int] = [:]
    /// Files that were not usable, with path and reason.
    public var problems: [Problem] = []

    public init() {}

    public mutating func merge(_ other: ExportBundle) {
        keys += other.keys; usage += other.usage; grants += other.grants; activities += other.activities; problems += other.problems
        for (k, v) in other.formats { formats[k, default: 0] += v }
        for (id, activity) in other.keyActivity {
            if keyActivity[id] == nil { keyActivity[id] = activity } else { keyActivity[id]!.merge(activity) }
        }
    }
}

/// A malformed export: the file, where in it, and what was expected.
public struct ExportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The content of one export file, parsed once for detection.
public enum ExportContent {
    case json(Any)
    case csv(header: [String], rows: [[String]])
}

/// Reads one provider export format. Detection looks at content, never at the file name.
public protocol ExportImporter: Sendable {
    /// Format id shown in counts and errors (`openai.usage`, `aws.credential-report`).
    static var format: String { get }
    /// A few words on what the detector looks for, for the "not a recognised export" message.
    static var signature: String { get }
    /// Whether `content` is this format.
    static func recognises(_ content: ExportContent) -> Bool
    /// Parses `content`; throws `ExportError` naming what is wrong and where.
    static func read(_ content: ExportContent, source: String) throws -> ExportBundle
}
