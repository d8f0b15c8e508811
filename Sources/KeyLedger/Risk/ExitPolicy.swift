/// When a scan fails the build (exit 1).
public enum ExitPolicy {
    /// Without `failOn`: any open credential found in a scanned source (provider-listed keys alone are not findings).
    /// With `failOn`: any open credential — scanned or provider-listed — at or above that severity.
    public static func shouldFail(_ register: Register, failOn: Severity?) -> Bool {
        let open = register.credentials.filter { $0.status == .open }
        guard let failOn else { return open.contains { !$0.locations.isEmpty } }
        return open.contains { $0.risk.severity >= failOn }
    }
}
