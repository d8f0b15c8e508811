/// A credential's secret value. It never leaves the process in clear:
/// printing, interpolating or dumping it shows the redacted form.
public struct Secret: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The plaintext. Only matchers, validators and decoders read it.
    let value: String
    /// How many leading characters are the format's fixed prefix (`sk-proj-` = 8), known when a rule found it;
    /// redaction shows that prefix and two more characters. Not part of the secret's identity.
    let visiblePrefix: Int?

    public init(_ value: String, visiblePrefix: Int? = nil) {
        self.value = value
        self.visiblePrefix = visiblePrefix
    }

    public static func == (a: Secret, b: Secret) -> Bool { a.value == b.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    /// `sha256:` + hex SHA-256 of the secret: the credential's identity everywhere outside the process.
    public var fingerprint: String { "sha256:" + SHA256.hex(value) }

    /// Plain hex SHA-256, the form gateways such as LiteLLM store for their virtual keys.
    public var sha256Hex: String { SHA256.hex(value) }

    /// A few leading characters, `…`, the last four; shorter secrets show less.
    public var redacted: String { Secret.redact(value, visiblePrefix: visiblePrefix) }

    public var description: String { redacted }
    public var debugDescription: String { "Secret(\(redacted))" }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted]) }

    /// Length in characters (safe to show).
    public var length: Int { value.count }

    /// Whether the secret starts with `prefix` (for matching provider hints without revealing the value).
    public func hasPrefix(_ prefix: String) -> Bool { value.hasPrefix(prefix) }
    /// Whether the secret ends with `suffix`.
    public func hasSuffix(_ suffix: String) -> Bool { value.hasSuffix(suffix) }

    static func redact(_ value: String, visiblePrefix: Int? = nil) -> String {
        if value.hasPrefix("-----BEGIN"), let headerEnd = value.dropFirst(10).range(of: "-----") {
            // PEM: the header says what it is; the last four body characters identify it.
            let header = value[..<headerEnd.upperBound]
            let body = value[headerEnd.upperBound...].split(separator: "-").first.map(String.init) ?? ""
            return header + "…" + String(body.suffix(4))
        }
        let chars = Array(value)
        if chars.count < 12 { return String(repeating: "*", count: min(chars.count, 8)) }
        // Show the provider prefix plus two body characters; without a prefix, four characters. A prefix is a run of
        // word-like segments within the first 16 characters, each ending in `-` or `_`: starting with a lower-case
        // letter, at most 10 characters, at most two digits (`sk-proj-`, `sk-ant-api03-`, `ghp_`, `sk-or-v1-`,
        // `github_pat_`). A random body that happens to hold a `-` (a UUID, a URL-safe key) is not a prefix.
        if let visiblePrefix {
            let lead = min(visiblePrefix + 2, max(4, chars.count / 3), chars.count - 4)
            return String(chars.prefix(lead)) + "…" + String(chars.suffix(4))
        }
        let prefix = providerPrefixLength(chars)
        var lead = prefix > 0 ? prefix + 2 : 4
        lead = min(lead, chars.count / 3)
        return String(chars.prefix(lead)) + "…" + String(chars.suffix(4))
    }

    /// Length of the provider prefix at the start of `chars` (`sk-proj-` = 8, none = 0): a run of word-like segments
    /// within the first 16 characters, each ending in `-` or `_`.
    static func providerPrefixLength(_ chars: [Character]) -> Int {
        var prefix = 0
        var i = 0
        let limit = min(chars.count, 16)
        while i < limit {
            var j = i
            var letters = 0, digits = 0
            while j < limit, let ascii = chars[j].asciiValue, (ascii >= 0x61 && ascii <= 0x7A) || (ascii >= 0x30 && ascii <= 0x39) {
                if ascii >= 0x61 { letters += 1 } else { digits += 1 }
                j += 1
            }
            guard j < limit, chars[j] == "-" || chars[j] == "_", j > i, chars[i].isLetter, letters >= 1, digits <= 2,
                  j - i <= 10 else { break }
            prefix = j + 1
            i = j + 1
        }
        return prefix
    }

    /// A provider's own redaction hint (`sk-proj-abc…wxyz`, an export's `redacted_value` or `partial_key_hint`) in
    /// keyledger's form: at most the provider prefix plus four characters, and the last four. An export that shows
    /// (almost) the whole key shows no more than a key keyledger redacted itself.
    public static func redactHint(prefix: String, suffix: String) -> String {
        let chars = Array(prefix)
        let lead = min(chars.count, providerPrefixLength(chars) + 4)
        return String(chars.prefix(lead)) + "…" + String(suffix.suffix(4))
    }
}
