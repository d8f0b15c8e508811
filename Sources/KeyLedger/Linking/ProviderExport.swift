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
    /// The whole organisation of a provider (`openai`, `anthropic`): usage or cost reported without any grouping a
    /// key could carry. Never attributed to a credential; kept as unattributed spend.
    case organization(String)
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
    /// Part of `inputTokens` read from a prompt cache (OpenAI `input_cached_tokens`, Anthropic `cache_read_input_tokens`):
    /// priced at the model's cached-input rate.
    public var cachedInputTokens = 0
    /// Part of `inputTokens` written to a 5-minute prompt cache (Anthropic `cache_creation.ephemeral_5m_input_tokens`).
    public var cacheWrite5mTokens = 0
    /// Part of `inputTokens` written to a 1-hour prompt cache (Anthropic `cache_creation.ephemeral_1h_input_tokens`).
    public var cacheWrite1hTokens = 0
    /// Batch API usage (OpenAI `batch: true`, Anthropic `service_tier: batch`): priced at the batch rate.
    public var batch = false
    /// What else distinguishes this bucket from its neighbours in the same file (`line_item`, `description`,
    /// `token_type`, `service_tier`), so that two identical buckets from overlapping pulls are recognised as one.
    public var bucket: String?
    /// The export format the record was read from (`openai.costs`), set by `ExportLoader`: one source per period.
    public var format: String = ""

    public init(provider: String, scope: UsageScope, day: String, cost: Double?, currency: String = "USD", inputTokens: Int = 0,
                outputTokens: Int = 0, requests: Int = 0, model: String? = nil, source: String, derivedTokenUnit: String? = nil,
                cachedInputTokens: Int = 0, cacheWrite5mTokens: Int = 0, cacheWrite1hTokens: Int = 0, batch: Bool = false,
                bucket: String? = nil) {
        self.provider = provider; self.scope = scope; self.day = day; self.cost = cost; self.currency = currency
        self.inputTokens = inputTokens; self.outputTokens = outputTokens; self.requests = requests; self.model = model; self.source = source
        self.derivedTokenUnit = derivedTokenUnit
        self.cachedInputTokens = cachedInputTokens; self.cacheWrite5mTokens = cacheWrite5mTokens
        self.cacheWrite1hTokens = cacheWrite1hTokens; self.batch = batch; self.bucket = bucket
    }

    /// Two records are equal when they say the same about the same bucket; `format` is bookkeeping the loader adds and
    /// is left out, so an importer's output compares equal to the record it describes.
    public static func == (a: UsageRecord, b: UsageRecord) -> Bool {
        (a.provider, a.scope, a.day, a.cost, a.currency) == (b.provider, b.scope, b.day, b.cost, b.currency)
            && (a.inputTokens, a.outputTokens, a.requests, a.model, a.source) == (b.inputTokens, b.outputTokens, b.requests, b.model, b.source)
            && (a.derivedTokenUnit, a.cachedInputTokens, a.cacheWrite5mTokens, a.cacheWrite1hTokens, a.batch, a.bucket)
            == (b.derivedTokenUnit, b.cachedInputTokens, b.cacheWrite5mTokens, b.cacheWrite1hTokens, b.batch, b.bucket)
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
    /// Rows an importer skipped for an amount or date out of bounds (`ExportLimits`), each as "place: field: reason"
    /// without the value, while the rest of its file was read. `ExportLoader` turns them into `problems` naming the file.
    public var skippedRows: [String] = []

    public init() {}

    public mutating func merge(_ other: ExportBundle) {
        keys += other.keys; usage += other.usage; grants += other.grants; activities += other.activities; problems += other.problems
        skippedRows += other.skippedRows
        for (k, v) in other.formats { formats[k, default: 0] += v }
        for (id, activity) in other.keyActivity {
            if var existing = keyActivity[id] { existing.merge(activity); keyActivity[id] = existing } else { keyActivity[id] = activity }
        }
    }
}

/// A malformed export: the file, where in it, and what was expected.
public struct ExportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The error is about one row's amount or date (`ExportLimits`): that row is skipped and counted, the rest of the
    /// file still counts. Any other error makes the whole file an export problem.
    public var skipsRow: Bool
    public init(_ message: String, skipsRow: Bool = false) { self.message = message; self.skipsRow = skipsRow }
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
