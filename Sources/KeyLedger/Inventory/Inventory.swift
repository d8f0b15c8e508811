import Foundation

/// One distinct credential with every place it was found.
public struct InventoryEntry: Sendable {
    public var secret: Secret
    /// The most specific rule among the findings.
    public var rule: Rule
    public var identity: Identity
    public var locations: [FoundLocation]

    public var fingerprint: String { secret.fingerprint }
    /// Stable id derived from the fingerprint (a location's id would add rule and path, never a line).
    public var id: String { "kl_" + String(fingerprint.dropFirst("sha256:".count).prefix(16)) }
}

/// Collapses findings with the same secret into one entry per credential.
public enum Inventory {
    public static func build(_ findings: [Finding]) -> [InventoryEntry] {
        var groups: [String: [Finding]] = [:]
        for finding in findings { groups[finding.secret.fingerprint, default: []].append(finding) }
        var entries: [InventoryEntry] = groups.values.map { group in
            let best = group.max { a, b in
                (a.rule.specificity, b.rule.id) < (b.rule.specificity, a.rule.id)
            }!
            var identity = best.identity
            for f in group {
                identity.keyId = identity.keyId ?? f.identity.keyId
                identity.name = identity.name ?? f.identity.name
                identity.principal = identity.principal ?? f.identity.principal
                identity.account = identity.account ?? f.identity.account
                identity.source = identity.source ?? f.identity.source
                identity.privilegeHint = identity.privilegeHint ?? f.identity.privilegeHint
                identity.expiresHint = identity.expiresHint ?? f.identity.expiresHint
            }
            return InventoryEntry(secret: best.secret, rule: best.rule, identity: identity, locations: mergeLocations(group.map(\.location)))
        }
        // A bare AWS key id is not a separate credential when its secret access key was found too.
        let pairedKeyIds = Set(entries.filter { $0.rule.kind != "access-key-id" }.compactMap(\.identity.keyId))
        entries.removeAll { $0.rule.kind == "access-key-id" && pairedKeyIds.contains($0.identity.keyId ?? "") }
        return entries.sorted { $0.fingerprint < $1.fingerprint }
    }

    /// One location per (kind, repository, path): the earliest appearance, the latest sighting, current if any is.
    static func mergeLocations(_ locations: [FoundLocation]) -> [FoundLocation] {
        struct Key: Hashable { let kind: FoundLocation.Kind; let repository: String?; let path: String }
        var merged: [Key: FoundLocation] = [:]
        for location in locations {
            let key = Key(kind: location.kind, repository: location.repository, path: location.path)
            guard var existing = merged[key] else { merged[key] = location; continue }
            if let t = location.firstSeen, t < (existing.firstSeen ?? Int64.max) {
                existing.firstSeen = t
                existing.commit = location.commit
                existing.author = location.author
                existing.line = location.line
            } else if existing.firstSeen == nil, (location.line ?? Int.max) < (existing.line ?? Int.max) {
                existing.line = location.line
            }
            if let t = location.lastSeen { existing.lastSeen = max(existing.lastSeen ?? t, t) }
            existing.current = existing.current || location.current
            existing.note = existing.note ?? location.note
            // An allow marker vouches for its own line only: one occurrence without it keeps the location open.
            if location.allowReason == nil { existing.allowReason = nil }
            merged[key] = existing
        }
        return merged.values.sorted {
            ($0.firstSeen ?? Int64.max, $0.repository ?? "", $0.path) < ($1.firstSeen ?? Int64.max, $1.repository ?? "", $1.path)
        }
    }
}
