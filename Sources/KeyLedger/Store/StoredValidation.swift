import Foundation

/// One credential's validation answer as the history store keeps it (`validations`, schema version 3): what its
/// provider said, when, and what the answer told about the identity behind the key. Keyed by the credential's
/// fingerprint (`sha256:` of the secret, as the register carries it); never the secret.
public struct StoredValidation: Sendable, Equatable {
    public var fingerprint: String
    /// The rule provider (`openai`, `github`).
    public var provider: String
    public var rule: String?
    /// `status` (only `active` or `revoked` are stored), `checked_at` (when the provider answered) and `detail`.
    public var validation: CredentialValidation
    /// Who the key acts as, when the answer said (a GitHub login).
    public var principal: String?
    /// The account or organisation, when the answer said (an OpenAI organisation).
    public var account: String?
    /// What the key may do, when the answer said (GitHub scopes, a Hugging Face role).
    public var privilege: Privilege?

    public init(fingerprint: String, provider: String, rule: String?, validation: CredentialValidation,
                principal: String? = nil, account: String? = nil, privilege: Privilege? = nil) {
        self.fingerprint = fingerprint; self.provider = provider; self.rule = rule; self.validation = validation
        self.principal = principal; self.account = account; self.privilege = privilege
    }

    /// Statuses worth keeping: a key that works or is refused stays so for a while. `unknown` (a timeout, a rate limit,
    /// a provider error) and `error` (no call possible, an unexpected answer) say nothing lasting and are asked again.
    public static func isKept(_ status: ValidationStatus) -> Bool {
        switch status {
        case .active, .revoked: return true
        case .unknown, .error: return false
        }
    }
}

extension HistoryStore {
    /// The stored answers for `fingerprints` (all of them when nil), by fingerprint.
    public func storedValidations(for fingerprints: Set<String>? = nil) throws -> [String: StoredValidation] {
        var out: [String: StoredValidation] = [:]
        // One row per validated key ever seen: a few thousand at most, read at once rather than one query per key.
        for row in try connection.query("SELECT * FROM validations") {
            guard let fingerprint = row.string("fingerprint"), fingerprints?.contains(fingerprint) ?? true,
                  let status = row.string("status").flatMap(ValidationStatus.init(rawValue:)), StoredValidation.isKept(status),
                  let checkedAt = row.string("checked_at") else { continue }
            let scopes = row.string("scopes").flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
            let privilege = row.string("privilege").map { Privilege(level: PrivilegeLevel(text: $0), scopes: scopes) }
            out[fingerprint] = StoredValidation(
                fingerprint: fingerprint, provider: row.string("provider") ?? "", rule: row.string("rule"),
                validation: CredentialValidation(status: status, checkedAt: checkedAt, detail: row.string("detail") ?? ""),
                principal: row.string("principal"), account: row.string("account"), privilege: privilege)
        }
        return out
    }

    /// Stores each answer over the one kept for its fingerprint, unless the kept one is newer (two scans recording at
    /// once keep the latest answer). Answers whose status is not kept (`unknown`, `error`) are skipped. Call inside a
    /// transaction (`record` does).
    func write(_ validations: [StoredValidation]) throws {
        for v in validations where StoredValidation.isKept(v.validation.status) {
            let scopes = v.privilege.flatMap { $0.scopes.isEmpty ? nil : try? JSONEncoder().encode($0.scopes) }
                .map { String(decoding: $0, as: UTF8.self) }
            try connection.run("""
                INSERT INTO validations (fingerprint, provider, rule, status, checked_at, detail, principal, account, privilege, scopes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (fingerprint) DO UPDATE SET provider = excluded.provider, rule = excluded.rule,
                    status = excluded.status, checked_at = excluded.checked_at, detail = excluded.detail,
                    principal = excluded.principal, account = excluded.account, privilege = excluded.privilege,
                    scopes = excluded.scopes
                WHERE excluded.checked_at >= validations.checked_at
                """, [.text(v.fingerprint), .text(v.provider), SQLValue(v.rule), .text(v.validation.status.rawValue),
                      .text(v.validation.checkedAt), .text(v.validation.detail), SQLValue(v.principal), SQLValue(v.account),
                      SQLValue(v.privilege?.level.rawValue), SQLValue(scopes)])
        }
    }
}
