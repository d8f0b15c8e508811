import Foundation

/// The short message a pre-commit hook prints when it stops a commit: each credential's file, line, provider and
/// kind, its redacted form, and what to do. Never the secret.
public enum PreCommitReporter {
    /// Credentials that stop the commit: open ones found in a scanned source. Baselined (`suppressed`) and
    /// `allowed` ones do not, and neither do keys only a provider export lists.
    public static func blocking(_ register: Register) -> [CredentialRecord] {
        register.credentials.filter { $0.status == .open && !$0.locations.isEmpty }
    }

    /// The message for `register`, or an empty string when nothing stops the commit.
    public static func render(_ register: Register) -> String {
        let stopping = blocking(register)
        guard !stopping.isEmpty else { return "" }
        // In file order, as the developer will walk through them.
        let places = stopping.flatMap { record in record.locations.map { (record: record, location: $0) } }
            .sorted { ($0.location.path, $0.location.line ?? 0) < ($1.location.path, $1.location.line ?? 0) }
        let rows = places.map { record, location in
            (place: location.line.map { "\(location.path):\($0)" } ?? location.path,
             what: "\(record.provider) \(record.kind)",
             redacted: record.redacted,
             remark: "(\(record.risk.severity))" + (location.note?.contains(AllowMarker.missingReasonNote) == true
                 ? "  keyledger:allow on this line has no reason, so it does not count" : ""))
        }
        let placeWidth = rows.map(\.place.count).max() ?? 0
        let whatWidth = rows.map(\.what.count).max() ?? 0
        let count = stopping.count == 1 ? "a credential" : "\(stopping.count) credentials"
        var out = "keyledger: commit stopped: \(count) in the staged changes\n\n"
        for row in rows {
            out += "  " + row.place.padding(toLength: placeWidth, withPad: " ", startingAt: 0)
                + "  " + row.what.padding(toLength: whatWidth, withPad: " ", startingAt: 0)
                + "  " + row.redacted + "  " + row.remark + "\n"
        }
        out += """

            For each one:
              - remove it from the file, load it from the environment or a secret manager, and stage the file again;
              - rotate it at the provider if it was ever pushed, shared or pasted anywhere else;
              - or, for a test value or an accepted risk, add `keyledger:allow <reason>` on its line (the reason is required).

            """
        let passing = register.credentials.count { $0.status != .open && !$0.locations.isEmpty }
        if passing > 0 {
            out += "(\(passing) allowed or baselined \(passing == 1 ? "credential does" : "credentials do") not stop the commit.)\n"
        }
        return out
    }
}
