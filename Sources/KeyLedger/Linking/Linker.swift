import Foundation

/// One day of a credential's usage.
public struct DailyUsage: Sendable, Equatable {
    public var day: String
    public var cost: Double
    public var tokens: Int
    public var requests: Int
}

/// A credential's metered usage, attributed from the exports.
public struct UsageSummary: Sendable, Equatable {
    public var spend30d: Double = 0
    public var spend7d: Double = 0
    public var requests30d: Int = 0
    public var tokens30d: Int = 0
    public var currency: String = "USD"
    public var link: String?
    /// Part of the cost was estimated from tokens with the price table.
    public var estimated = false
    /// Daily series (all days the exports cover), oldest first — the risk model looks for spikes in it.
    public var daily: [DailyUsage] = []
    /// Currencies of cost rows left out because they differ from `currency` (amounts are never added across them).
    public var otherCurrencies: [String] = []
}

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
    public var usage: UsageSummary
    public var notes: [String] = []
    /// What CloudTrail says this access key did (`CloudTrailLink`).
    public var keyActivity: CloudTrailKeyActivity?

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
                privilege: Privilege(level: PrivilegeLevel(text: entry.identity.privilegeHint ?? entry.rule.privilege)), owner: Owner(), usage: UsageSummary())
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
                privilege: Privilege(level: PrivilegeLevel(text: key.privilege)), owner: Owner(), usage: UsageSummary())
            apply(key, to: &credential)
            credential.identityLink = IdentityLink(method: .inventory, confidence: .exact, detail: "listed in \(key.source); not found in any scanned source")
            linked.append(credential)
        }
        for i in linked.indices {
            applyPrivilegeGrants(to: &linked[i])
            linked[i].owner = owner(of: linked[i])
        }
        attributeUsage(&linked)
        CloudTrailLink.attach(bundle.keyActivity, to: &linked)
        return linked
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

    private func attributeUsage(_ linked: inout [LinkedCredential]) {
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
        }
        var exact: [[UsageRecord]] = Array(repeating: [], count: linked.count)
        var exactHow: [Set<String>] = Array(repeating: [], count: linked.count)
        var projectRows: [String: [UsageRecord]] = [:]
        for record in bundle.usage {
            switch record.scope {
            case .key(let id):
                if let targets = byKeyId[id], targets.count == 1 { exact[targets[0]].append(record); exactHow[targets[0]].insert("api key id") }
            case .secretHash(let h):
                if let t = bySecretHash[h.lowercased()] { exact[t].append(record); exactHow[t].insert("secret hash") }
            case .principal(let p):
                let name = p.split(separator: "/").last.map(String.init)
                let targets = byPrincipal[p] ?? name.flatMap { byPrincipal[$0] } ?? []
                if targets.count == 1 { exact[targets[0]].append(record); exactHow[targets[0]].insert("IAM principal") }
            case .project(let p):
                projectRows[p, default: []].append(record)
            }
        }
        // Project/account-level rows go, split evenly, to the credentials of that project without key-level usage.
        var approximate: [[(UsageRecord, Int)]] = Array(repeating: [], count: linked.count)
        var approximateHow: [String?] = Array(repeating: nil, count: linked.count)
        for (project, rows) in projectRows {
            // Project and account ids do not collide across providers, so the id alone decides.
            let targets = (byProject[project] ?? []).filter { exact[$0].isEmpty }
            guard !targets.isEmpty else { continue }
            for t in targets {
                approximate[t] += rows.map { ($0, targets.count) }
                approximateHow[t] = "approximate: \(project)-level spend" + (targets.count > 1 ? " split across \(targets.count) credentials" : "")
            }
        }
        for i in linked.indices {
            let records = exact[i] + approximate[i].map(\.0)
            guard !records.isEmpty else { continue }
            let shares = exact[i].map { _ in 1 } + approximate[i].map(\.1)
            var summary = summarise(records, shares: shares)
            if !exact[i].isEmpty {
                summary.link = "exact: " + exactHow[i].sorted().joined(separator: ", ")
            } else {
                summary.link = approximateHow[i]
            }
            if summary.estimated { summary.link! += "; cost estimated from tokens with the price table" }
            let derivedUnits = Set(records.compactMap(\.derivedTokenUnit)).sorted()
            if !derivedUnits.isEmpty {
                linked[i].notes.append("token counts from rows priced per \(derivedUnits.joined(separator: ", ")) are derived (usage amount × unit): "
                    + "AWS does not document Bedrock's CUR usage unit")
            }
            if !summary.otherCurrencies.isEmpty {
                linked[i].notes.append("cost rows in \(summary.otherCurrencies.joined(separator: ", ")) are not added to the \(summary.currency) spend")
            }
            linked[i].usage = summary
        }
    }

    /// Daily totals and 7/30-day windows ending at as-of. Billed cost rows win over token rows of the same day;
    /// days with only tokens are priced from the table.
    func summarise(_ records: [UsageRecord], shares: [Int]) -> UsageSummary {
        struct Day { var billed = 0.0; var hasBilled = false; var estimated = 0.0; var tokens = 0; var requests = 0 }
        var days: [String: Day] = [:]
        var estimatedAny = false
        // Amounts are never added across currencies: the credential's currency is the one most of its billed
        // cost is in (USD when only tokens are known); rows in other currencies are left out and noted.
        var billedByCurrency: [String: Double] = [:]
        for record in records where record.cost != nil { billedByCurrency[record.currency.uppercased(), default: 0] += abs(record.cost!) }
        let currency = billedByCurrency.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? "USD"
        var otherCurrencies = Set<String>()
        for (record, share) in zip(records, shares) {
            let f = 1.0 / Double(max(1, share))
            var d = days[record.day] ?? Day()
            if let cost = record.cost {
                guard record.currency.uppercased() == currency else { otherCurrencies.insert(record.currency.uppercased()); continue }
                d.billed += cost * f
                d.hasBilled = true
            } else if let est = prices.estimate(model: record.model, inputTokens: record.inputTokens, outputTokens: record.outputTokens) {
                d.estimated += est * f
            }
            d.tokens += Int((Double(record.inputTokens + record.outputTokens) * f).rounded())
            d.requests += Int((Double(record.requests) * f).rounded())
            days[record.day] = d
        }
        var summary = UsageSummary()
        summary.currency = currency
        let today = ISODate.day(asOf)
        let day30 = ISODate.day(asOf.addingTimeInterval(-30 * 86_400))
        let day7 = ISODate.day(asOf.addingTimeInterval(-7 * 86_400))
        for (day, d) in days.sorted(by: { $0.key < $1.key }) {
            let cost = d.hasBilled ? d.billed : d.estimated
            if !d.hasBilled && d.estimated > 0 { estimatedAny = true }
            summary.daily.append(DailyUsage(day: day, cost: (cost * 100).rounded() / 100, tokens: d.tokens, requests: d.requests))
            guard day <= today else { continue }
            if day > day30 { summary.spend30d += cost; summary.tokens30d += d.tokens; summary.requests30d += d.requests }
            if day > day7 { summary.spend7d += cost }
        }
        summary.spend30d = (summary.spend30d * 100).rounded() / 100
        summary.spend7d = (summary.spend7d * 100).rounded() / 100
        summary.estimated = estimatedAny
        summary.otherCurrencies = otherCurrencies.sorted()
        return summary
    }
}
