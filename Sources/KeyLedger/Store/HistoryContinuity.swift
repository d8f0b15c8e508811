import Foundation

/// What earlier scans in a store fix for later ones: a credential's id and its treatments' due dates.
public struct HistoryContinuity: Sendable, Equatable {
    /// Fingerprint → the id it was first recorded under.
    public var idByFingerprint: [String: String] = [:]
    /// `provider/key id` → the id a provider-listed key was first recorded under.
    public var idByProviderKey: [String: String] = [:]
    /// Credential id → action → the earliest due date recorded.
    public var firstDue: [String: [String: String]] = [:]

    public init() {}

    static func providerKey(_ provider: String, _ keyId: String) -> String { provider + "/" + keyId }

    /// The register with ids and due dates carried over from history:
    /// - a credential keeps the id it was first recorded under — by fingerprint, else by provider key id — so a key a
    ///   provider listed last week and that turns up in a repository this week is the same row, not "new" plus
    ///   "resolved";
    /// - a treatment keeps the earliest due date it was given: the risk model dates treatments from each scan's
    ///   as-of, and a date that slid a week every week would never be overdue.
    public func apply(to register: Register) -> Register {
        var out = register
        for i in out.credentials.indices {
            let c = out.credentials[i]
            if let fp = c.fingerprint, let id = idByFingerprint[fp] {
                out.credentials[i].id = id
            } else if let keyId = c.identity.keyId, let id = idByProviderKey[Self.providerKey(c.provider, keyId)] {
                out.credentials[i].id = id
            }
            guard let dues = firstDue[out.credentials[i].id] else { continue }
            for t in out.credentials[i].treatment.indices {
                let treatment = out.credentials[i].treatment[t]
                if let first = dues[treatment.action.rawValue], first < (treatment.due ?? "9999-12-31") {
                    out.credentials[i].treatment[t].due = first
                }
            }
        }
        return out
    }
}

extension HistoryStore {
    /// Ids and first due dates from every scan recorded on or before `asOf` (`YYYY-MM-DD`), earliest scan first.
    public func continuity(onOrBefore asOf: String) throws -> HistoryContinuity {
        var continuity = HistoryContinuity()
        let rows = try connection.query("""
            SELECT c.credential_id AS credential_id, c.fingerprint AS fingerprint, c.provider AS provider, c.key_id AS key_id
            FROM credentials c JOIN scans s ON s.id = c.scan_id
            WHERE s.as_of <= ?
            ORDER BY s.as_of, s.id, c.ordinal
            """, [.text(asOf)])
        for row in rows {
            guard let id = row.string("credential_id") else { continue }
            if let fp = row.string("fingerprint"), continuity.idByFingerprint[fp] == nil { continuity.idByFingerprint[fp] = id }
            if let provider = row.string("provider"), let keyId = row.string("key_id") {
                let key = HistoryContinuity.providerKey(provider, keyId)
                if continuity.idByProviderKey[key] == nil { continuity.idByProviderKey[key] = id }
            }
        }
        let dues = try connection.query("""
            SELECT c.credential_id AS credential_id, t.action AS action, MIN(t.due) AS due
            FROM treatments t JOIN credentials c ON c.row = t.credential_row JOIN scans s ON s.id = c.scan_id
            WHERE t.due IS NOT NULL AND s.as_of <= ?
            GROUP BY c.credential_id, t.action
            """, [.text(asOf)])
        for row in dues {
            guard let id = row.string("credential_id"), let action = row.string("action"), let due = row.string("due") else { continue }
            continuity.firstDue[id, default: [:]][action] = due
        }
        return continuity
    }
}
