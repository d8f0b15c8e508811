/// keyledger's own version: what `keyledger --version` prints and SARIF's `tool.driver.version` says.
///
/// One constant for every output that names the version. A release tag is `v` + this value
/// (docs/releasing.md); the release workflow refuses a tag that disagrees with it.
public enum KeyLedgerVersion {
    /// Semantic version of this build, without the tag's `v`.
    public static let current = "0.1.0"
}
