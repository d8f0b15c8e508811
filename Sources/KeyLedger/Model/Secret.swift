/// A credential's secret value. It never leaves the process in clear:
/// printing, interpolating or dumping it shows the redacted form.
public struct Secret: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The plaintext. Only matchers, validators and decoders read it.
    let value: String

    public init(_ value: String) { self.value = value }

    /// `sha256:` + hex SHA-256 of the secret: the credential's identity everywhere outside the process.
    public var fingerprint: String { "sha256:" + SHA256.hex(value) }

    /// Plain hex SHA-256, the form gateways such as LiteLLM store for their virtual keys.
    public var sha256Hex: String { SHA256.hex(value) }

    /// A few leading characters, `…`, the last four; shorter secrets show less.
    public var redacted: String { Secret.redact(value) }

    public var description: String { redacted }
    public var debugDescription: String { "Secret(\(redacted))" }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted]) }

    /// Length in characters (safe to show).
    public var length: Int { value.count }

    /// Whether the secret starts with `prefix` (for matching provider hints without revealing the value).
    public func hasPrefix(_ prefix: String) -> Bool { value.hasPrefix(prefix) }
    /// Whether the secret ends with `suffix`.
    public func hasSuffix(_ suffix: String) -> Bool { value.hasSuffix(suffix) }

    static func redact(_ value: String) -> String {
        if value.hasPrefix("-----BEGIN"), let headerEnd = value.dropFirst(10).range(of: "-----") {
            // PEM: the header says what it is; the last four body characters identify it.
            let header = value[..<headerEnd.upperBound]
            let body = value[headerEnd.upperBound...].split(separator: "-").first.map(String.init) ?? ""
            return header + "…" + String(body.suffix(4))
        }
        let chars = Array(value)
        if chars.count < 12 { return String(repeating: "*", count: min(chars.count, 8)) }
        // Show the provider prefix (`sk-proj-`, `sk-ant-api03-`, `ghp_`: lower-case segments ending in `-` or `_`
        // within the first 16 characters) plus two body characters; without a prefix, four characters.
        var prefix = 0
        for (i, c) in chars.prefix(16).enumerated() {
            if c == "-" || c == "_" { prefix = i + 1; continue }
            if !(c.isLowercase || c.isNumber) { break }
        }
        var lead = prefix > 0 ? prefix + 2 : 4
        lead = min(lead, chars.count / 3)
        return String(chars.prefix(lead)) + "…" + String(chars.suffix(4))
    }
}
