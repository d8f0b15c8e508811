import Foundation

/// The provider-side identity a credential unlocks.
public struct Identity: Codable, Sendable, Equatable {
    /// `key_id`: the provider-side key id (AWS access key id, OpenAI `key_…`, GCP `private_key_id`).
    public var keyId: String?
    /// `name`: the key's name at the provider.
    public var name: String?
    /// `principal`: the user, role or service account the key acts as.
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
    /// `method`: how the link was made.
    public var method: LinkMethod
    /// `confidence`: how sure the link is.
    public var confidence: LinkConfidence
    /// `detail`: one sentence naming the export and what matched.
    public var detail: String
    public init(method: LinkMethod, confidence: LinkConfidence, detail: String) {
        self.method = method; self.confidence = confidence; self.detail = detail
    }
}

public struct Owner: Codable, Sendable, Equatable {
    /// `team`: the owning team.
    public var team: String?
    /// `contact`: who to reach (an address or a handle).
    public var contact: String?
    /// `source`: where the owner came from, most authoritative first.
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
