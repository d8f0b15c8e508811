import Foundation

/// How every report names a credential to a person: by what it is — the provider-side identity — and where it was
/// found first, not only by the redacted fragment of its secret (`EW7u…ojxc` says nothing to an owner).
public enum CredentialNames {
    /// The identity the credential unlocks, in order of preference: the provider's key id, the principal (a user,
    /// role or service-account email), the key's name, the account; nil when the register knows none.
    public static func identity(_ c: CredentialRecord) -> String? {
        [c.identity.keyId, c.identity.principal, c.identity.name, c.identity.account]
            .lazy.compactMap { $0?.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
    }

    /// The first location as `repository:path:line` (`path:line` for a file), nil for a key only a provider lists.
    public static func firstLocation(_ c: CredentialRecord) -> String? {
        guard let first = c.locations.first else { return nil }
        let repo = first.repository.map { RepositoryName.short($0) + ":" } ?? ""
        return repo + first.path + (first.line.map { ":\($0)" } ?? "")
    }

    /// The first location with `(+N)` for the others and `[history]` when HEAD no longer holds the secret;
    /// `provider listing only` for a key found in no scanned source.
    public static func whereFound(_ c: CredentialRecord) -> String {
        guard let first = firstLocation(c) else { return "provider listing only" }
        return first + (c.locations.count > 1 ? " (+\(c.locations.count - 1))" : "") + (c.exposure.inHead ? "" : " [history]")
    }
}
