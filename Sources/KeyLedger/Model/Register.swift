import Foundation

/// The register, `schema: keyledger.register/v1`: the contract other tools read.
/// Fields filled by later stages (usage, owner, risk) are present and empty until those stages run.
public struct Register: Codable, Sendable, Equatable {
    public static let schemaID = "keyledger.register/v1"

    public var schema: String = Register.schemaID
    public var generatedAt: String
    public var asOf: String
    public var scan: ScanSummary
    public var summary: Summary
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
    public var targets: [String]
    public var commits: Int
    public var blobs: Int
    public var files: Int
    public var bytes: Int
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
    public var path: String
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
}

public struct Summary: Codable, Sendable, Equatable {
    public var credentials: Int
    public var bySeverity: [String: Int]
    /// 30-day spend carried by the credentials (in `currency`).
    public var spend30d: Double
    public var currency: String
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
    public var provider: String
    /// `organization`, or the project / workspace / account / key id the rows name.
    public var scope: String
    public var spend30d: Double
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

/// One row of the register: one distinct credential with every place it was found.
public struct CredentialRecord: Codable, Sendable, Equatable {
    public var id: String
    /// nil for a key a provider lists that no scanned source contains (its secret was never seen).
    public var fingerprint: String?
    public var redacted: String
    public var provider: String
    public var kind: String
    /// The rule that found it; nil for a provider-listed key that no scanned source contains.
    public var rule: String?
    public var identity: Identity
    public var owner: Owner
    public var exposure: Exposure
    public var locations: [LocationRecord]
    public var created: String?
    public var ageDays: Int?
    public var lastUsed: String?
    public var usage: Usage
    public var privilege: Privilege
    public var risk: Risk
    public var controls: [String]
    public var treatment: [Treatment]
    public var status: CredentialStatus
    /// Extension: the provider-side status of the linked key (`active`, `inactive`, `disabled`).
    public var providerStatus: String?
    /// Extension: when the linked key expires (`YYYY-MM-DD`), `never` when the provider says it does not,
    /// absent when the provider's listing does not say.
    public var expires: String?
    /// Extension: things a reviewer should know (ambiguous links, approximations).
    public var notes: [String]
    /// Extension: how sure the detection is (`high` provider formats; `medium` JWTs; `low` generic assignments and
    /// typed Kubernetes Secret values); absent for provider-listed keys no scan found.
    public var confidence: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, fingerprint, redacted, provider, kind, rule, identity, owner, exposure, locations, confidence
        case created, usage, privilege, risk, controls, treatment, status, notes
        case ageDays = "age_days"
        case lastUsed = "last_used"
        case providerStatus = "provider_status"
        case expires
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(redacted, forKey: .redacted)
        try c.encode(provider, forKey: .provider)
        try c.encode(kind, forKey: .kind)
        try c.encode(rule, forKey: .rule)
        try c.encode(identity, forKey: .identity)
        try c.encode(owner, forKey: .owner)
        try c.encode(exposure, forKey: .exposure)
        try c.encode(locations, forKey: .locations)
        // Absent values are written as null: the contract's fields are always present.
        try c.encode(created, forKey: .created)
        try c.encode(ageDays, forKey: .ageDays)
        try c.encode(lastUsed, forKey: .lastUsed)
        try c.encode(usage, forKey: .usage)
        try c.encode(privilege, forKey: .privilege)
        try c.encode(risk, forKey: .risk)
        try c.encode(controls, forKey: .controls)
        try c.encode(treatment, forKey: .treatment)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(providerStatus, forKey: .providerStatus)
        try c.encodeIfPresent(expires, forKey: .expires)
        if !notes.isEmpty { try c.encode(notes, forKey: .notes) }
        try c.encodeIfPresent(confidence, forKey: .confidence)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        fingerprint = try c.decodeIfPresent(String.self, forKey: .fingerprint)
        redacted = try c.decode(String.self, forKey: .redacted)
        provider = try c.decode(String.self, forKey: .provider)
        kind = try c.decode(String.self, forKey: .kind)
        rule = try c.decodeIfPresent(String.self, forKey: .rule)
        identity = try c.decode(Identity.self, forKey: .identity)
        owner = try c.decode(Owner.self, forKey: .owner)
        exposure = try c.decode(Exposure.self, forKey: .exposure)
        locations = try c.decode([LocationRecord].self, forKey: .locations)
        created = try c.decodeIfPresent(String.self, forKey: .created)
        ageDays = try c.decodeIfPresent(Int.self, forKey: .ageDays)
        lastUsed = try c.decodeIfPresent(String.self, forKey: .lastUsed)
        usage = try c.decode(Usage.self, forKey: .usage)
        privilege = try c.decode(Privilege.self, forKey: .privilege)
        risk = try c.decode(Risk.self, forKey: .risk)
        controls = try c.decode([String].self, forKey: .controls)
        treatment = try c.decode([Treatment].self, forKey: .treatment)
        status = try c.decode(CredentialStatus.self, forKey: .status)
        providerStatus = try c.decodeIfPresent(String.self, forKey: .providerStatus)
        expires = try c.decodeIfPresent(String.self, forKey: .expires)
        notes = try c.decodeIfPresent([String].self, forKey: .notes) ?? []
        confidence = try c.decodeIfPresent(String.self, forKey: .confidence)
    }

    public init(id: String, fingerprint: String?, redacted: String, provider: String, kind: String, rule: String?, identity: Identity,
                owner: Owner, exposure: Exposure, locations: [LocationRecord], created: String?, ageDays: Int?, lastUsed: String?,
                usage: Usage, privilege: Privilege, risk: Risk, controls: [String], treatment: [Treatment], status: CredentialStatus,
                providerStatus: String? = nil, expires: String? = nil, notes: [String] = []) {
        self.id = id; self.fingerprint = fingerprint; self.redacted = redacted; self.provider = provider; self.kind = kind
        self.rule = rule; self.identity = identity; self.owner = owner; self.exposure = exposure; self.locations = locations
        self.created = created; self.ageDays = ageDays; self.lastUsed = lastUsed; self.usage = usage; self.privilege = privilege
        self.risk = risk; self.controls = controls; self.treatment = treatment; self.status = status
        self.providerStatus = providerStatus; self.expires = expires; self.notes = notes
    }
}

/// The provider-side identity a credential unlocks.
public struct Identity: Codable, Sendable, Equatable {
    public var keyId: String?
    public var name: String?
    public var principal: String?
    /// Extension: the account/project/tenant the identity lives in, when the credential reveals it.
    public var account: String?
    /// Extension: how the identity was established (`decoded from the key`, `nearby text`, …).
    public var source: String?
    /// Extension: how the credential was tied to the provider-side key and how sure that is.
    public var link: IdentityLink?
    /// What the secret itself says about its privilege (a JWT's `role: service_role`), before any provider export;
    /// not part of the register's identity object (it becomes `privilege.level`).
    public var privilegeHint: String? = nil
    /// What the secret itself says about its expiry (a JWT's `exp`); becomes the register's `expires`.
    public var expiresHint: Date? = nil

    enum CodingKeys: String, CodingKey {
        case name, principal, account, source, link
        case keyId = "key_id"
    }

    public init(keyId: String? = nil, name: String? = nil, principal: String? = nil, account: String? = nil, source: String? = nil) {
        self.keyId = keyId; self.name = name; self.principal = principal; self.account = account; self.source = source
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(keyId, forKey: .keyId)
        try c.encode(name, forKey: .name)
        try c.encode(principal, forKey: .principal)
        try c.encodeIfPresent(account, forKey: .account)
        try c.encodeIfPresent(source, forKey: .source)
        try c.encodeIfPresent(link, forKey: .link)
    }
}

/// How a credential was linked to a provider-side key: `method` (`sha256`, `key-id`, `redaction-hint`,
/// `ambiguous`, `inventory`), `confidence` (`exact`, `high`, `none`) and a sentence.
public struct IdentityLink: Codable, Sendable, Equatable {
    public var method: LinkMethod
    public var confidence: LinkConfidence
    public var detail: String
    public init(method: LinkMethod, confidence: LinkConfidence, detail: String) {
        self.method = method; self.confidence = confidence; self.detail = detail
    }
}

public struct Owner: Codable, Sendable, Equatable {
    public var team: String?
    public var contact: String?
    public var source: OwnerSource
    /// Extension: the team's cost centre from keyledger.yml.
    public var costCentre: String?
    /// Extension: locations point at different teams (written only when true).
    public var pooled: Bool
    /// Extension: every team the locations point at (written only when more than one).
    public var teams: [String]

    public init(team: String? = nil, contact: String? = nil, source: OwnerSource = .none, costCentre: String? = nil,
                pooled: Bool = false, teams: [String] = []) {
        self.team = team; self.contact = contact; self.source = source
        self.costCentre = costCentre; self.pooled = pooled; self.teams = teams
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(team, forKey: .team)
        try c.encode(contact, forKey: .contact)
        try c.encode(source, forKey: .source)
        try c.encodeIfPresent(costCentre, forKey: .costCentre)
        if pooled { try c.encode(true, forKey: .pooled) }
        if teams.count > 1 { try c.encode(teams, forKey: .teams) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        team = try c.decodeIfPresent(String.self, forKey: .team)
        contact = try c.decodeIfPresent(String.self, forKey: .contact)
        source = try c.decode(OwnerSource.self, forKey: .source)
        costCentre = try c.decodeIfPresent(String.self, forKey: .costCentre)
        pooled = try c.decodeIfPresent(Bool.self, forKey: .pooled) ?? false
        teams = try c.decodeIfPresent([String].self, forKey: .teams) ?? []
    }

    enum CodingKeys: String, CodingKey {
        case team, contact, source, pooled, teams
        case costCentre = "cost_centre"
    }
}

public struct Exposure: Codable, Sendable, Equatable {
    public var firstSeen: String?
    public var lastSeen: String?
    public var inHead: Bool
    public var locationsCount: Int
    public var repositories: Int

    enum CodingKeys: String, CodingKey {
        case repositories
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case inHead = "in_head"
        case locationsCount = "locations_count"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(firstSeen, forKey: .firstSeen)
        try c.encode(lastSeen, forKey: .lastSeen)
        try c.encode(inHead, forKey: .inHead)
        try c.encode(locationsCount, forKey: .locationsCount)
        try c.encode(repositories, forKey: .repositories)
    }
}

/// Where a credential was found. For git, the commit, author and date where it first appeared at this path.
public struct LocationRecord: Codable, Sendable, Equatable {
    public var kind: String
    public var repository: String?
    public var path: String
    public var line: Int?
    public var commit: String?
    public var author: String?
    public var date: String?
    /// Extension: whether this location is still present in HEAD (git) or on disk (file).
    public var inHead: Bool?
    /// Extension: the rule that matched here.
    public var rule: String?
    /// Extension: how the secret was reached inside the file (`base64 in Kubernetes Secret data.API_KEY`).
    public var note: String?
    /// Extension: the reason of the `keyledger:allow <reason>` marker on the line.
    public var allowed: String?

    enum CodingKeys: String, CodingKey {
        case kind, repository, path, line, commit, author, date, rule, note, allowed
        case inHead = "in_head"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(repository, forKey: .repository)
        try c.encode(path, forKey: .path)
        try c.encode(line, forKey: .line)
        try c.encode(commit, forKey: .commit)
        try c.encode(author, forKey: .author)
        try c.encode(date, forKey: .date)
        try c.encodeIfPresent(inHead, forKey: .inHead)
        try c.encodeIfPresent(rule, forKey: .rule)
        try c.encodeIfPresent(note, forKey: .note)
        try c.encodeIfPresent(allowed, forKey: .allowed)
    }
}

public struct Usage: Codable, Sendable, Equatable {
    public var spend30d: Double
    public var spend7d: Double
    public var requests30d: Int
    public var tokens30d: Int
    public var currency: String
    public var link: String?
    /// Extension: part of the cost was estimated from tokens with the dated price table.
    public var estimated: Bool?
    /// Extension: daily spend, tokens and requests, oldest first (the spend-anomaly signal).
    public var daily: [DailyUsageRecord]?
    /// Extension: which source made the figures, one entry per cost basis, best first (see `CostLedger`).
    public var sources: [UsageSource]? = nil
    /// Extension: token usage the price table could not price ("N tokens of MODEL"); its cost is unknown, not $0.
    public var unpriced: [String]? = nil

    public init(spend30d: Double, spend7d: Double, requests30d: Int, tokens30d: Int, currency: String, link: String?,
                estimated: Bool?, daily: [DailyUsageRecord]?, sources: [UsageSource]? = nil, unpriced: [String]? = nil) {
        self.spend30d = spend30d; self.spend7d = spend7d; self.requests30d = requests30d; self.tokens30d = tokens30d
        self.currency = currency; self.link = link; self.estimated = estimated; self.daily = daily
        self.sources = sources; self.unpriced = unpriced
    }

    enum CodingKeys: String, CodingKey {
        case currency, link, estimated, daily, sources, unpriced
        case spend30d = "spend_30d"
        case spend7d = "spend_7d"
        case requests30d = "requests_30d"
        case tokens30d = "tokens_30d"
    }

    public static let none = Usage(spend30d: 0, spend7d: 0, requests30d: 0, tokens30d: 0, currency: "USD", link: nil, estimated: nil, daily: nil)

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(spend30d, forKey: .spend30d)
        try c.encode(spend7d, forKey: .spend7d)
        try c.encode(requests30d, forKey: .requests30d)
        try c.encode(tokens30d, forKey: .tokens30d)
        try c.encode(currency, forKey: .currency)
        try c.encode(link, forKey: .link)
        try c.encodeIfPresent(estimated, forKey: .estimated)
        try c.encodeIfPresent(daily, forKey: .daily)
        try c.encodeIfPresent(sources, forKey: .sources)
        try c.encodeIfPresent(unpriced, forKey: .unpriced)
    }
}

/// One cost basis of a credential's figures: how much of the 30-day spend it made, on how many days, from which files.
public struct UsageSource: Codable, Sendable, Equatable {
    public var basis: CostBasis
    public var spend30d: Double
    /// Days (of all the exports cover) whose figure this basis made.
    public var days: Int
    /// The export files the figures were read from.
    public var files: [String]
    /// What was apportioned or split (`wrkspc_01 cost`), when the basis is an approximation.
    public var detail: String?
    /// Extension: the first day the files cover (the earliest row of any scope in them): from then on a day without a
    /// row for this credential spent nothing, which is what the spend-anomaly detector's series starts from.
    public var coveredFrom: String? = nil

    enum CodingKeys: String, CodingKey {
        case basis, days, files, detail
        case spend30d = "spend_30d"
        case coveredFrom = "covered_from"
    }
}

/// One day of a credential's usage in the register.
public struct DailyUsageRecord: Codable, Sendable, Equatable {
    public var date: String
    public var cost: Double
    public var tokens: Int
    public var requests: Int
}

public struct Privilege: Codable, Sendable, Equatable {
    public var level: PrivilegeLevel
    public var scopes: [String]
    public init(level: PrivilegeLevel, scopes: [String] = []) { self.level = level; self.scopes = scopes }
}

public struct Risk: Codable, Sendable, Equatable {
    public var score: Int
    public var severity: Severity
    public var factors: [RiskFactor]
}

public struct RiskFactor: Codable, Sendable, Equatable {
    public var id: String
    public var points: Int
    public var reason: String
    /// Extension: what the reason says, in fields a program can read (dates, levels, model, events); nil for factors
    /// whose reason is all there is.
    public var evidence: RiskEvidence? = nil
}

/// The evidence behind an abuse factor (`spend.*`, `cloudtrail.*`). Every field is optional; a factor sets those it
/// has: `{since: "2026-11-05", before: 2.5, after: 270.0, exposed: "2026-10-28", currency: "USD"}` for a spend
/// change-point, `{since, time, events, address, agent, exposed}` for a CloudTrail signature, `{since, model, share,
/// exposed}` for a new model after exposure.
public struct RiskEvidence: Codable, Sendable, Equatable {
    /// The first day of the signal: the change-point (first day at the new spend level), the day of the CloudTrail
    /// event, the day a new model was first used.
    public var since: String?
    /// Mean daily spend before and after the change-point, in `currency`.
    public var before: Double?
    public var after: Double?
    public var currency: String?
    /// The day the credential was first exposed in a scanned source.
    public var exposed: String?
    /// The model first used after the exposure, and its share (0–1) of the key's spend from `since` on.
    public var model: String?
    public var share: Double?
    /// CloudTrail: the events of the signature, oldest first, and the time (ISO 8601, UTC), address and user agent of
    /// the one that completes it.
    public var events: [String]?
    public var time: String?
    public var address: String?
    public var agent: String?

    public init(since: String? = nil, before: Double? = nil, after: Double? = nil, currency: String? = nil, exposed: String? = nil,
                model: String? = nil, share: Double? = nil, events: [String]? = nil, time: String? = nil, address: String? = nil,
                agent: String? = nil) {
        self.since = since; self.before = before; self.after = after; self.currency = currency; self.exposed = exposed
        self.model = model; self.share = share; self.events = events; self.time = time; self.address = address; self.agent = agent
    }
}

public struct Treatment: Codable, Sendable, Equatable {
    public var action: TreatmentAction
    public var due: String?
    public init(action: TreatmentAction, due: String?) { self.action = action; self.due = due }
}
