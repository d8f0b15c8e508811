import Foundation

/// One row of the register: one distinct credential with every place it was found.
public struct CredentialRecord: Codable, Sendable, Equatable {
    /// `id`: stable id (`kl_` + 16 hex of the fingerprint, else of the provider key), kept across recorded scans.
    public var id: String
    /// nil for a key a provider lists that no scanned source contains (its secret was never seen).
    public var fingerprint: String?
    /// `redacted`: the secret's fixed prefix plus a few characters, `…`, and the last four.
    public var redacted: String
    /// `provider`: who issued the credential (`openai`, `aws`, `github`, …).
    public var provider: String
    /// `kind`: what kind of credential it is at that provider (`project-key`, `access-key`, …).
    public var kind: String
    /// The rule that found it; nil for a provider-listed key that no scanned source contains.
    public var rule: String?
    /// `identity`: the provider-side identity it unlocks.
    public var identity: Identity
    /// `owner`: who answers for it, and how that was established.
    public var owner: Owner
    /// `exposure`: where and since when it is exposed, summed over `locations`.
    public var exposure: Exposure
    /// `locations`: every place it was found (empty for a key only a provider lists).
    public var locations: [LocationRecord]
    /// `created`: when the provider created the key, `YYYY-MM-DD`; null when unknown.
    public var created: String?
    /// `age_days`: days from `created` (else first exposure) to `as_of`.
    public var ageDays: Int?
    /// `last_used`: the provider's last use of the key, `YYYY-MM-DD`; null when unknown.
    public var lastUsed: String?
    /// `usage`: metered spend, tokens and requests, from the cost ledger.
    public var usage: Usage
    /// `privilege`: what the credential can do at the provider.
    public var privilege: Privilege
    /// `risk`: score, severity and the factors behind them.
    public var risk: Risk
    /// `controls`: control ids the factors map to (`OWASP-NHI:NHI2`, `NIST-CSF-2.0:PR.AA-01`).
    public var controls: [String]
    /// `treatment`: what to do, most urgent first, each with its due date.
    public var treatment: [Treatment]
    /// `status`: `open` (counts against the run), `allowed` (every location carries a reason) or `suppressed` (baseline).
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
    /// Extension: what the credential's own provider said when asked, read-only, whether it works (`scan --validate`):
    /// `status` (`active` | `revoked` | `unknown` | `error`), `checked_at` (timestamp), `detail` (never the secret) and
    /// `cached: true` when an earlier run's answer was reused; absent when the run did not validate or no validator
    /// covers the provider.
    public var validation: CredentialValidation? = nil

    enum CodingKeys: String, CodingKey {
        case id, fingerprint, redacted, provider, kind, rule, identity, owner, exposure, locations, confidence
        case created, usage, privilege, risk, controls, treatment, status, notes
        case ageDays = "age_days"
        case lastUsed = "last_used"
        case providerStatus = "provider_status"
        case expires, validation
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
        try c.encodeIfPresent(validation, forKey: .validation)
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
        validation = try c.decodeIfPresent(CredentialValidation.self, forKey: .validation)
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

/// `validation`: the answer of the credential's own provider to a read-only call (`scan --validate`).
public struct CredentialValidation: Codable, Sendable, Equatable {
    /// `status`: `active` (the call succeeded), `revoked` (401/403), `unknown` (no answer that says either), `error`.
    public var status: ValidationStatus
    /// `checked_at`: when the provider was asked (ISO 8601 timestamp).
    public var checkedAt: String
    /// `detail`: what the answer said (HTTP status, identity, scopes); never the secret.
    public var detail: String
    /// Extension: `true` when this run did not ask but reused the answer the history store kept from an earlier run
    /// (`checked_at` says when it was given; `keyledger.yml` `validation: cache_for:`); absent when asked this run.
    public var cached: Bool?

    enum CodingKeys: String, CodingKey {
        case status, detail, cached
        case checkedAt = "checked_at"
    }

    public init(status: ValidationStatus, checkedAt: String, detail: String, cached: Bool? = nil) {
        self.status = status; self.checkedAt = checkedAt; self.detail = detail; self.cached = cached
    }
}
