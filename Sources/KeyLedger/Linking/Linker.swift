import Foundation

/// A credential after linking: what the scan found plus what the providers know about it.
public struct LinkedCredential: Sendable {
    /// The scanned credential; nil for a key a provider lists that no scanned source contains.
    public var entry: InventoryEntry?
    public var providerKey: ProviderKey?
    public var provider: String
    public var kind: String
    public var rule: String?
    public var identity: Identity
    public var identityLink: IdentityLink?
    public var created: Date?
    public var lastUsed: Date?
    /// The provider key's expiry when its listing states one (or states that it never expires).
    public var expiry: KeyExpiry?
    public var providerStatus: String?
    public var privilege: Privilege
    public var owner: Owner
    /// Spend, tokens and requests from the cost ledger, in the register's own shape.
    public var usage: Usage
    public var notes: [String] = []
    /// What CloudTrail says this access key did (`CloudTrailLink`).
    public var keyActivity: CloudTrailKeyActivity?
    /// The models the key's own usage rows name, by day (the model-mix signal); nil without key-level usage rows.
    public var modelUsage: ModelUsage?
    /// What the provider said when asked whether the key works (`ScanOptions.validate`); nil when not asked.
    public var validation: CredentialValidation?

    /// Stable id: from the fingerprint when the secret was seen, else from the provider key id.
    public var id: String {
        if let entry { return entry.id }
        let keyId = providerKey.map { "\($0.provider):\($0.keyId)" } ?? "unknown"
        return "kl_" + String(SHA256.hex(keyId).prefix(16))
    }
}

/// Ties each scanned credential to provider inventories, usage and cost, privileges and owners.
public struct Linker: Sendable {
    public var bundle: ExportBundle
    public var config: KeyLedgerConfig
    public var codeOwners: [String: CodeOwners]
    public var prices: PriceTable
    public var asOf: Date

    public init(bundle: ExportBundle, config: KeyLedgerConfig = KeyLedgerConfig(), codeOwners: [String: String] = [:], asOf: Date) {
        self.bundle = bundle
        self.config = config
        self.codeOwners = codeOwners.mapValues { CodeOwners(text: $0) }
        self.prices = PriceTable(overrides: config.prices)
        self.asOf = asOf
    }

    /// Providers whose rule names differ from the inventory's name for the same platform.
    static func sameProvider(_ ruleProvider: String, _ keyProvider: String) -> Bool {
        if ruleProvider == keyProvider { return true }
        let families: [Set<String>] = [["google", "gcp"], ["aws", "bedrock"]]
        return families.contains { $0.contains(ruleProvider) && $0.contains(keyProvider) }
    }

    static func recognises(_ key: ProviderKey, _ entry: InventoryEntry) -> Bool {
        switch key.recognition {
        case .sha256(let hash):
            return entry.secret.sha256Hex == hash.lowercased()
        case .keyId(let id):
            return sameProvider(entry.rule.provider, key.provider) && !id.isEmpty && entry.identity.keyId == id
        case .hint(let prefix, let suffix, let length):
            guard sameProvider(entry.rule.provider, key.provider), !prefix.isEmpty || !suffix.isEmpty else { return false }
            if let length, entry.secret.length != length { return false }
            return entry.secret.hasPrefix(prefix) && entry.secret.hasSuffix(suffix)
        }
    }

    public func link(_ entries: [InventoryEntry]) -> [LinkedCredential] {
        linkEstate(entries).credentials
    }

    /// Links the credentials and keeps what the cost ledger could not put on any of them (the summary's
    /// reconciliation line).
    public func linkEstate(_ entries: [InventoryEntry]) -> LinkedEstate {
        // Candidate keys per credential and credentials per key: a link is made only when both sides are unique.
        var keysOf: [[Int]] = Array(repeating: [], count: entries.count)
        var entriesOf: [[Int]] = Array(repeating: [], count: bundle.keys.count)
        // Exact recognitions (hash, key id) by dictionary; only redaction hints need a pairwise comparison.
        var bySecretHash: [String: [Int]] = [:]
        var byKeyId: [String: [Int]] = [:]
        for (e, entry) in entries.enumerated() {
            bySecretHash[entry.secret.sha256Hex, default: []].append(e)
            if let id = entry.identity.keyId { byKeyId[id, default: []].append(e) }
        }
        for (k, key) in bundle.keys.enumerated() {
            let candidates: [Int]
            switch key.recognition {
            case .sha256(let hash): candidates = bySecretHash[hash.lowercased()] ?? []
            case .keyId(let id): candidates = byKeyId[id] ?? []
            case .hint: candidates = Array(entries.indices)
            }
            for e in candidates where Self.recognises(key, entries[e]) {
                keysOf[e].append(k)
                entriesOf[k].append(e)
            }
        }
        var linked: [LinkedCredential] = []
        var usedKeys = Set<Int>()
        for (e, entry) in entries.enumerated() {
            var credential = LinkedCredential(
                entry: entry, providerKey: nil, provider: entry.rule.provider, kind: entry.rule.kind, rule: entry.rule.id,
                identity: entry.identity, identityLink: nil, created: nil, lastUsed: nil, providerStatus: nil,
                privilege: Privilege(level: PrivilegeLevel(text: entry.identity.privilegeHint ?? entry.rule.privilege)), owner: Owner(), usage: .none)
            credential.expiry = entry.identity.expiresHint.map { .on($0) }
            let candidates = keysOf[e]
            if candidates.count == 1, entriesOf[candidates[0]].count == 1 {
                let key = bundle.keys[candidates[0]]
                usedKeys.insert(candidates[0])
                apply(key, to: &credential)
            } else if candidates.count > 1 {
                let ids = candidates.map { bundle.keys[$0].keyId }.sorted()
                credential.identityLink = IdentityLink(method: .ambiguous, confidence: .none,
                                                   detail: "matches \(ids.count) provider keys (\(ids.joined(separator: ", "))); not chosen")
                credential.notes.append("ambiguous link: \(ids.joined(separator: ", "))")
                candidates.forEach { usedKeys.insert($0) }
            } else if candidates.count == 1 {
                let key = bundle.keys[candidates[0]]
                let others = entriesOf[candidates[0]].count
                credential.identityLink = IdentityLink(method: .ambiguous, confidence: .none,
                                                   detail: "provider key \(key.keyId) matches \(others) scanned credentials; not chosen")
                credential.notes.append("ambiguous link: \(key.keyId) also matches other credentials")
                usedKeys.insert(candidates[0])
            }
            linked.append(credential)
        }
        // Keys a provider lists that no scanned source contains: the inventory is complete, not only the leaked part.
        for (k, key) in bundle.keys.enumerated() where !usedKeys.contains(k) {
            var credential = LinkedCredential(
                entry: nil, providerKey: nil, provider: key.provider, kind: Self.kind(of: key), rule: nil,
                identity: Identity(), identityLink: nil, created: nil, lastUsed: nil, providerStatus: nil,
                privilege: Privilege(level: PrivilegeLevel(text: key.privilege)), owner: Owner(), usage: .none)
            apply(key, to: &credential)
            credential.identityLink = IdentityLink(method: .inventory, confidence: .exact, detail: "listed in \(key.source); not found in any scanned source")
            linked.append(credential)
        }
        for i in linked.indices {
            applyPrivilegeGrants(to: &linked[i])
            linked[i].owner = owner(of: linked[i])
        }
        let spend = attributeUsage(&linked)
        CloudTrailLink.attach(bundle.keyActivity, to: &linked)
        return LinkedEstate(credentials: linked, spend: spend)
    }

    static func kind(of key: ProviderKey) -> String {
        if key.privilege == "admin" { return "admin-key" }
        if case .hint(let prefix, _, _) = key.recognition {
            // The visible prefix names the kind the way the rules do.
            for (marker, kind) in [("sk-proj-", "project-key"), ("sk-svcac", "service-account-key"), ("sk-admin", "admin-key"),
                                   ("sk-ant-admin", "admin-key"), ("sk-ant-api", "api-key")] where prefix.hasPrefix(marker) {
                return kind
            }
        }
        switch key.provider {
        case "aws": return "access-key"
        case "gcp": return "service-account-key"
        case "litellm": return "virtual-key"
        default: return "api-key"
        }
    }

    private func apply(_ key: ProviderKey, to credential: inout LinkedCredential) {
        credential.providerKey = key
        credential.identity.keyId = key.keyId
        credential.identity.name = key.name ?? credential.identity.name
        credential.identity.principal = key.principal ?? credential.identity.principal
        if credential.identity.account == nil, let project = key.project { credential.identity.account = project }
        credential.created = key.created
        credential.lastUsed = key.lastUsed
        credential.expiry = key.expiry
        // AWS listings carry no last use; the credential report's slot for this key does.
        if key.provider == "aws", let activity = CredentialActivity.slot(for: key, in: bundle.activities) {
            credential.lastUsed = credential.lastUsed ?? activity.lastUsed
            if !activity.active { credential.providerStatus = "inactive" }
        }
        credential.providerStatus = key.status
        if let level = key.privilege { credential.privilege = Privilege(level: PrivilegeLevel(text: level), scopes: key.scopes) }
        else if !key.scopes.isEmpty { credential.privilege.scopes = key.scopes }
        switch key.recognition {
        case .sha256:
            credential.identityLink = IdentityLink(method: .sha256, confidence: .exact, detail: "SHA-256 of the secret equals the hash in \(key.source)")
        case .keyId(let id):
            credential.identityLink = IdentityLink(method: .keyId, confidence: .exact, detail: "key id \(id) in \(key.source)")
        case .hint(let prefix, let suffix, let length):
            credential.identityLink = IdentityLink(method: .redactionHint, confidence: .high,
                                               detail: "prefix \(prefix), last \(suffix.count) \(suffix)\(length.map { ", length \($0)" } ?? "") in \(key.source)")
        }
    }

    /// Privilege from IAM exports: the grant for the credential's principal (user ARN, user name, SA e-mail).
    private func applyPrivilegeGrants(to credential: inout LinkedCredential) {
        let names = [credential.identity.principal, credential.identity.name, credential.providerKey?.owner].compactMap { $0 }
        guard !names.isEmpty else { return }
        let grants = bundle.grants.filter { grant in
            names.contains { name in grant.principal == name || grant.principal.hasSuffix("/" + name) || name.hasSuffix("/" + grant.principal) }
        }
        guard let strongest = grants.map({ PrivilegeLevel(text: $0.level) }).max(by: { $0.strength < $1.strength }) else { return }
        let scopes = Array(Set(grants.flatMap(\.scopes))).sorted()
        if strongest.strength >= credential.privilege.level.strength || credential.privilege.level == .unknown {
            credential.privilege = Privilege(level: strongest, scopes: scopes)
        }
    }

    // MARK: owners

    private func owner(of credential: LinkedCredential) -> Owner {
        let key = credential.providerKey
        // 1. keyledger.yml: key id and provider project first, then each location's repository/path.
        if let key, let team = config.owners.first(where: { $0.keyIds.contains(key.keyId) || (key.project.map($0.projects.contains) ?? false) }) {
            return Owner(team: team.team, contact: team.contact, source: .ownersFile, costCentre: team.costCentre, teams: [team.team])
        }
        let locations = credential.entry?.locations ?? []
        let fileTeams: [KeyLedgerConfig.Team] = locations.compactMap { location in
            config.owners.first { team in
                let repoOK = team.repositories.isEmpty || team.repositories.contains { Glob($0, anySegments: true)?.matches(location.repository ?? "") ?? false }
                let pathOK = team.paths.isEmpty || team.paths.contains { Glob($0)?.matches(location.path) ?? false }
                return (!team.repositories.isEmpty || !team.paths.isEmpty) && repoOK && pathOK
            }
        }
        let distinctFileTeams = Array(Set(fileTeams.map(\.team))).sorted()
        if let first = fileTeams.first {
            return Owner(team: first.team, contact: first.contact, source: .ownersFile, costCentre: first.costCentre,
                             pooled: distinctFileTeams.count > 1, teams: distinctFileTeams)
        }
        // 2. CODEOWNERS of the repository where each location lives.
        let codeTeams: [String] = locations.compactMap { location in
            guard let repo = location.repository, let rules = codeOwners[repo] else { return nil }
            return rules.owners(of: location.path).first
        }
        if let first = codeTeams.first {
            let distinct = Array(Set(codeTeams)).sorted()
            return Owner(team: first, contact: first, source: .codeowners, pooled: distinct.count > 1, teams: distinct)
        }
        // 3. The provider-side owner (a user or service account, not a team).
        if let owner = key?.owner {
            return Owner(team: nil, contact: owner, source: .provider)
        }
        // 4. Whoever committed it first.
        if let author = locations.filter({ $0.kind == .git }).min(by: { ($0.firstSeen ?? .max) < ($1.firstSeen ?? .max) })?.author {
            return Owner(team: nil, contact: author, source: .gitAuthor)
        }
        return Owner()
    }

    // MARK: usage

    /// Where a usage row's scope points: key ids, secret hashes and principals must name exactly one credential.
    func target(_ scope: UsageScope, byKeyId: [String: [Int]], bySecretHash: [String: Int], byPrincipal: [String: [Int]],
                byProject: [String: [Int]]) -> LedgerTarget {
        switch scope {
        case .key(let id):
            guard let targets = byKeyId[id] else { return .unresolved(id, reason: "key id \(id) is in no key listing") }
            guard targets.count == 1 else { return .unresolved(id, reason: "key id \(id) names \(targets.count) credentials") }
            return .credential(targets[0], how: "api key id")
        case .secretHash(let h):
            guard let t = bySecretHash[h.lowercased()] else {
                return .unresolved(String(h.prefix(12)), reason: "key hash \(h.prefix(12))… is in no key listing and no scanned source")
            }
            return .credential(t, how: "secret hash")
        case .principal(let p):
            let name = p.split(separator: "/").last.map(String.init)
            let targets = byPrincipal[p] ?? name.flatMap { byPrincipal[$0] } ?? []
            guard targets.count == 1 else {
                return .unresolved(p, reason: targets.isEmpty ? "no credential of principal \(p) was listed or found"
                                                              : "principal \(p) has \(targets.count) credentials")
            }
            return .credential(targets[0], how: "IAM principal")
        case .project(let p):
            // Project and account ids do not collide across providers, so the id alone decides.
            return .group(p, members: byProject[p] ?? [])
        case .organization:
            return .organization
        }
    }

    /// Runs the cost ledger over every usage row and writes each credential's `usage`; returns what no credential carries.
    private func attributeUsage(_ linked: inout [LinkedCredential]) -> LedgerSpend {
        var byKeyId: [String: [Int]] = [:]
        var bySecretHash: [String: Int] = [:]
        var byPrincipal: [String: [Int]] = [:]
        var byProject: [String: [Int]] = [:]
        for (i, c) in linked.enumerated() {
            if let id = c.providerKey?.keyId ?? c.identity.keyId { byKeyId[id, default: []].append(i) }
            if let entry = c.entry { bySecretHash[entry.secret.sha256Hex] = i }
            if case .sha256(let h)? = c.providerKey?.recognition { bySecretHash[h.lowercased()] = i }
            for p in [c.identity.principal, c.identity.name].compactMap({ $0 }) { byPrincipal[p, default: []].append(i) }
            for p in Set([c.providerKey?.project, c.identity.account].compactMap { $0 }) { byProject[p, default: []].append(i) }
            // An Azure OpenAI key carries its resource through the endpoint host found next to it (`identity.name`):
            // the resource's cost rows (`AzureCostDetailsImporter`, FOCUS `ResourceId`) are its.
            if c.entry?.rule.provider == "azure", let resource = c.identity.name {
                byProject[AzureCostDetailsImporter.resourceScope(resource), default: []].append(i)
            }
        }
        let ledger = CostLedger(records: bundle.usage, credentials: linked.count,
                                resolve: { target($0, byKeyId: byKeyId, bySecretHash: bySecretHash, byPrincipal: byPrincipal, byProject: byProject) },
                                prices: prices, rates: config.currencyRates)
        for i in linked.indices {
            let (usage, notes) = usageRecord(ledger, i)
            linked[i].usage = usage
            linked[i].notes += notes
            if ledger.modelDays[i] != nil || ledger.unnamedModelFormats[i] != nil {
                linked[i].modelUsage = ModelUsage(byModel: ledger.modelDays[i] ?? [:], unnamedFormats: (ledger.unnamedModelFormats[i] ?? []).sorted())
            }
        }
        return LedgerSpend(unattributed: ledger.unattributed,
                           unpriced: (ledger.unpriced[nil] ?? [:]).merging(ledger.unpriced.filter { $0.key != nil }.values.reduce(into: [:]) { all, m in
                               all.merge(m, uniquingKeysWith: +) }, uniquingKeysWith: +),
                           duplicateBuckets: ledger.duplicateBuckets, hasUsage: !bundle.usage.isEmpty)
    }

    /// The register's `usage` of credential `i`: daily figures, 7/30-day windows ending at as-of, the sources that made
    /// them, and unpriced tokens; plus notes for a reviewer.
    func usageRecord(_ ledger: CostLedger, _ i: Int) -> (Usage, [String]) {
        let days = ledger.days[i]
        var notes: [String] = []
        let unpriced = (ledger.unpriced[i] ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            .map { "\($0.value) tokens of \($0.key)" }
        guard !days.isEmpty || !unpriced.isEmpty else { return (.none, notes) }
        // Amounts are never added across currencies: the credential's currency is the one most of its cost is in (USD when
        // only tokens are known); figures in other currencies are left out and noted.
        var byCurrency: [String: Double] = [:]
        for f in days.values { for (c, v) in f.costs { byCurrency[c, default: 0] += abs(v) } }
        let currency = byCurrency.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? "USD"
        let others = byCurrency.keys.filter { $0 != currency }.sorted()
        let today = ISODate.day(asOf)
        let day30 = ISODate.day(asOf.addingTimeInterval(-30 * 86_400))
        let day7 = ISODate.day(asOf.addingTimeInterval(-7 * 86_400))
        var usage = Usage.none
        usage.currency = currency
        var daily: [DailyUsageRecord] = []
        struct SourceSum { var spend = 0.0; var days = 0; var files: Set<String> = []; var details: Set<String> = [] }
        var sources: [CostBasis: SourceSum] = [:]
        for (day, f) in days.sorted(by: { $0.key < $1.key }) {
            let cost = f.costs[currency] ?? 0
            daily.append(DailyUsageRecord(date: day, cost: (cost * 100).rounded() / 100, tokens: f.tokens, requests: f.requests))
            let inWindow = day <= today && day > day30
            if let basis = f.basis {
                var s = sources[basis] ?? SourceSum()
                s.days += 1
                if inWindow { s.spend += cost }
                s.files.formUnion(f.files)
                if let d = f.detail { s.details.insert(d) }
                sources[basis] = s
            }
            guard inWindow else { continue }
            usage.spend30d += cost; usage.tokens30d += f.tokens; usage.requests30d += f.requests
            if day > day7 { usage.spend7d += cost }
        }
        usage.spend30d = (usage.spend30d * 100).rounded() / 100
        usage.spend7d = (usage.spend7d * 100).rounded() / 100
        usage.daily = daily.isEmpty ? nil : daily
        usage.estimated = sources[.priceTable] != nil ? true : nil
        usage.sources = sources.isEmpty ? nil : sources.sorted { $0.key < $1.key }.map { basis, s in
            UsageSource(basis: basis, spend30d: (s.spend * 100).rounded() / 100, days: s.days, files: s.files.sorted(),
                        detail: s.details.isEmpty ? nil : s.details.sorted().joined(separator: "; "),
                        coveredFrom: s.files.compactMap { ledger.firstDayOfFile[$0] }.min())
        }
        usage.unpriced = unpriced.isEmpty ? nil : unpriced
        // The link says how the rows were tied to the key, then what is approximate or estimated.
        var parts: [String] = []
        if !ledger.exactHow[i].isEmpty { parts.append("exact: " + ledger.exactHow[i].sorted().joined(separator: ", ")) }
        for basis in [CostBasis.providerCostApportioned, .accountApproximation] {
            if let s = sources[basis] { parts.append("approximate: " + s.details.sorted().joined(separator: "; ")) }
        }
        var link = parts.joined(separator: "; ")
        if sources[.priceTable] != nil { link += "; cost estimated from tokens with the price table" }
        usage.link = link.isEmpty ? nil : link
        if !unpriced.isEmpty {
            notes.append("unpriced: \(unpriced.joined(separator: ", ")) (no price in the table: add the model to keyledger.yml prices: or --prices)")
        }
        if let units = ledger.derivedUnits[i], !units.isEmpty {
            notes.append("token counts from rows priced per \(units.sorted().joined(separator: ", ")) are derived (usage amount × unit): "
                + "AWS does not document Bedrock's CUR usage unit")
        }
        if let superseded = ledger.supersededFormats[i] {
            notes.append("one source per day: rows of \(superseded.sorted().joined(separator: ", ")) covering the same days as another format of the provider were left out")
        }
        if !others.isEmpty {
            notes.append("cost rows in \(others.joined(separator: ", ")) are not added to the \(currency) spend (no currency_rates for them)")
        }
        return (usage, notes)
    }
}

/// A linked estate: the credentials, and the spend the ledger could not put on any of them.
public struct LinkedEstate: Sendable {
    public var credentials: [LinkedCredential]
    public var spend: LedgerSpend
}

/// What the cost ledger kept outside the credentials: the summary's reconciliation line.
public struct LedgerSpend: Sendable, Equatable {
    /// Per provider, scope and day.
    public var unattributed: [UnattributedDay]
    /// Tokens of models the price table does not know, model → tokens, over every row.
    public var unpriced: [String: Int]
    /// Buckets read from more than one file and counted once.
    public var duplicateBuckets: Int
    /// Whether any export had usage or cost rows.
    public var hasUsage: Bool

    public init(unattributed: [UnattributedDay] = [], unpriced: [String: Int] = [:], duplicateBuckets: Int = 0, hasUsage: Bool = false) {
        self.unattributed = unattributed; self.unpriced = unpriced; self.duplicateBuckets = duplicateBuckets; self.hasUsage = hasUsage
    }

    init(unattributed: [CostLedger.Unattributed], unpriced: [String: Int], duplicateBuckets: Int, hasUsage: Bool) {
        self.init(unattributed: unattributed.map {
            UnattributedDay(provider: $0.provider, scope: $0.scope, day: $0.day, amount: $0.amount, currency: $0.currency,
                            reason: $0.reason, estimated: $0.estimated)
        }, unpriced: unpriced, duplicateBuckets: duplicateBuckets, hasUsage: hasUsage)
    }
}

/// One day of spend no credential carries.
public struct UnattributedDay: Sendable, Equatable {
    public var provider: String
    public var scope: String
    public var day: String
    public var amount: Double
    public var currency: String
    public var reason: String
    public var estimated: Bool
}
