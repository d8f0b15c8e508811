import Foundation

/// The one gate every outgoing string passes: register fields, store rows, baseline entries, reports, SARIF, error
/// messages and log lines. Whatever reached keyledger — scanned content, provider exports, configuration, command-line
/// arguments, file names, git authors, error text — is cleaned here before it can leave the process.
///
/// Three nets, each catching what the previous may miss:
/// 1. **Known secrets** — every secret this run found, replaced wherever it appears (also inside longer text).
/// 2. **Rules** — anything any detection rule matches in the string (a second key nobody scanned for, written in an
///    allow-marker reason, a `--since` argument or an export's `name`).
/// 3. **Shape** — long tokens that look random (mixed case and digits, high entropy), the last resort for keys of
///    formats no rule knows. Lower-case hex (commit ids, fingerprints) and UUIDs are left alone: those are keyledger's
///    own identifiers, and hex secrets are caught by nets 1 and 2.
///
/// Each replacement is the redacted form (`sk-proj-Ab…wxyz`): a reviewer can still tell which key is meant.
/// Control characters (terminal escapes, bidi overrides) are escaped in the same pass, so no file name or export field
/// can drive a terminal or reorder a line.
public final class Sanitizer: @unchecked Sendable {
    private let matcher: RuleMatcher?
    private var workspace: RuleMatcher.Workspace?
    private let lock = NSLock()
    /// Known secrets indexed by their first eight UTF-8 bytes.
    private var known: [UInt64: [(bytes: [UInt8], secret: Secret)]] = [:]
    private var knownCount = 0

    /// Shortest secret worth indexing for exact replacement: shorter ones are redacted where they were found.
    static let minimumKnownLength = 8
    /// Shortest token the shape net looks at.
    static let minimumTokenLength = 24

    public init(matcher: RuleMatcher? = nil, secrets: some Sequence<Secret> = [Secret]()) {
        self.matcher = matcher
        remember(secrets)
    }

    /// Adds secrets found later (a second scan, an export's plaintext).
    public func remember(_ secrets: some Sequence<Secret>) {
        lock.lock(); defer { lock.unlock() }
        for secret in secrets {
            let bytes = Array(secret.value.utf8)
            guard bytes.count >= Self.minimumKnownLength else { continue }
            let key = Self.key(bytes, at: 0)
            if known[key]?.contains(where: { $0.bytes == bytes }) == true { continue }
            known[key, default: []].append((bytes, secret))
            knownCount += 1
        }
    }

    /// `text` with every secret redacted and control characters escaped; `multiline` keeps line breaks and tabs
    /// (messages), otherwise they are escaped too (one-line fields such as a path or a reason).
    public func clean(_ text: String, multiline: Bool = false) -> String {
        Self.escapeControls(redact(text), multiline: multiline)
    }

    /// `clean` for a value keyledger redacted itself (`ABSKQmVkcm9ja0FQSUtleS0…Tg==` keeps a rule's long fixed
    /// prefix): known secrets and rule matches only, not the shape net.
    func cleanRedactedForm(_ text: String) -> String {
        Self.escapeControls(redact(text, shapes: false))
    }

    /// `text` with every secret redacted by all three nets, nothing else changed.
    public func redact(_ text: String) -> String { redact(text, shapes: true) }

    /// The last pass over a whole rendered output — a report, a SARIF log, a baseline file: known secrets and rule
    /// matches, nothing else changed (a table's colours and a page's markup stay; its fields were cleaned, shape net
    /// included, when the register was, and keyledger's own redacted forms must stay as they are).
    public func redactOutput(_ text: String) -> String { redact(text, shapes: false) }

    func redact(_ text: String, shapes: Bool) -> String {
        if text.isEmpty { return text }
        var replacements: [(range: Range<Int>, with: String)] = []
        let bytes = Array(text.utf8)
        lock.lock()
        replacements += knownSecrets(in: bytes)
        replacements += ruleMatches(in: bytes)
        lock.unlock()
        if shapes { replacements += randomTokens(in: bytes) }
        return Self.apply(replacements, to: bytes) ?? text
    }

    /// Whether `clean` would change `text` (tests and assertions).
    public func holdsSecret(_ text: String) -> Bool { redact(text) != text }

    // MARK: - The three nets

    private func knownSecrets(in bytes: [UInt8]) -> [(range: Range<Int>, with: String)] {
        guard knownCount > 0, bytes.count >= Self.minimumKnownLength else { return [] }
        var found: [(range: Range<Int>, with: String)] = []
        var i = 0
        while i + Self.minimumKnownLength <= bytes.count {
            if let candidates = known[Self.key(bytes, at: i)],
               let hit = candidates.filter({ i + $0.bytes.count <= bytes.count && bytes[i..<(i + $0.bytes.count)].elementsEqual($0.bytes) })
                .max(by: { $0.bytes.count < $1.bytes.count }) {
                found.append((i..<(i + hit.bytes.count), hit.secret.redacted))
                i += hit.bytes.count
                continue
            }
            i += 1
        }
        return found
    }

    private func ruleMatches(in bytes: [UInt8]) -> [(range: Range<Int>, with: String)] {
        guard let matcher else { return [] }
        if workspace == nil { workspace = matcher.makeWorkspace() }
        guard let workspace else { return [] }
        return bytes.withUnsafeBytes { buffer in
            matcher.matches(in: buffer, workspace: workspace)
                .filter { !matcher.rules[$0.ruleIndex].isIdentifier }
                .map { match in (match.offset..<(match.offset + match.length), match.secret.redacted) }
        }
    }

    /// Tokens of base64/base62-like characters that look random.
    private func randomTokens(in bytes: [UInt8]) -> [(range: Range<Int>, with: String)] {
        var found: [(range: Range<Int>, with: String)] = []
        var i = 0
        while i < bytes.count {
            guard Self.isTokenByte(bytes[i]) else { i += 1; continue }
            var j = i
            while j < bytes.count, Self.isTokenByte(bytes[j]) { j += 1 }
            if j - i >= Self.minimumTokenLength {
                let token = bytes[i..<j]
                if !token.contains(0x2F) {
                    if Self.looksRandom(token), !Self.isProviderObjectId(token) { found.append((i..<j, Secret.redact(String(decoding: token, as: UTF8.self)))) }
                } else {
                    // A path-like run (`a/b/c`): judge each segment on its own.
                    var start = i
                    for k in i...j where k == j || bytes[k] == 0x2F {
                        if k - start >= Self.minimumTokenLength, Self.looksRandom(bytes[start..<k]) {
                            found.append((start..<k, Secret.redact(String(decoding: bytes[start..<k], as: UTF8.self))))
                        }
                        start = k + 1
                    }
                }
            }
            i = j
        }
        return found
    }

    /// Documented provider-side object ids: a fixed prefix, then 16–32 letters and digits. They name a key, project,
    /// workspace or user and are what a register must show (`identity.key_id`): Anthropic's `apikey_01…`, `wrkspc_01…`,
    /// `user_01…`; OpenAI's `proj_…`, `org-…`, `user-…`, `svc_acct_…`. Only the shape net spares them — a known secret
    /// or a rule match in the same text is still replaced — and nothing else may follow the id in the token (a
    /// `proj_…=value` run is judged whole).
    static let objectIdPrefixes: [[UInt8]] = ["apikey_01", "wrkspc_01", "user_01", "proj_", "org-", "user-", "svc_acct_"].map { Array($0.utf8) }

    static func isProviderObjectId(_ token: ArraySlice<UInt8>) -> Bool {
        for prefix in objectIdPrefixes where token.starts(with: prefix) {
            let rest = token.dropFirst(prefix.count)
            return (16...32).contains(rest.count) && rest.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
        }
        return false
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == 0x2B || b == 0x2F || b == 0x3D || b == 0x5F || b == 0x2D
    }

    /// Whether a token looks like a random key rather than a name. Entropy alone cannot tell them apart at these
    /// lengths (`getUserByIdAndOrgV2Handler` has as much as a random string); words can: a name is mostly made of
    /// pronounceable pieces (`get`, `User`, `Handler`), a random string of fragments (`Qm`, `Vkcm`, `9ja0`). Mixed
    /// case and a digit are required; then less than half of the letters may sit in word-like pieces.
    /// Measured on 5,000 random base62/base64 tokens each: 24 characters 4.9 % missed, 32 characters 2.4 %,
    /// 40 characters 1.0 %; model names (`Coder-32B-Instruct-AWQ`), CVE ids, CamelCase identifiers and file names are
    /// not flagged. (Rules and known secrets catch what this last net misses.)
    static func looksRandom(_ token: ArraySlice<UInt8>) -> Bool {
        var upper = 0, lower = 0, digit = 0
        for b in token {
            if b >= 0x61 && b <= 0x7A { lower += 1 } else if b >= 0x41 && b <= 0x5A { upper += 1 } else if b >= 0x30 && b <= 0x39 { digit += 1 }
        }
        guard upper >= 2, lower >= 2, digit >= 1 else { return false }
        let letters = upper + lower
        var wordLetters = 0
        let t = Array(token)
        func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
        func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
        var i = 0
        while i < t.count {
            let start = i
            if isUpper(t[i]) {
                if i + 1 < t.count, isLower(t[i + 1]) {
                    // A capitalised word: `Handler`.
                    i += 1
                    while i < t.count, isLower(t[i]) { i += 1 }
                } else {
                    // An upper-case run; its last letter starts the next word when a lower-case one follows.
                    while i < t.count, isUpper(t[i]), !(i + 1 < t.count && isLower(t[i + 1]) && i > start) { i += 1 }
                    continue
                }
            } else if isLower(t[i]) {
                while i < t.count, isLower(t[i]) { i += 1 }
            } else {
                i += 1
                continue
            }
            if isWordLike(t[start..<i]) { wordLetters += i - start }
        }
        return wordLetters * 2 < letters
    }

    /// A piece that could be part of a word or name: a vowel, no run of five consonants (`Instruct` has four); three-letter pieces only
    /// in the shapes of a syllable (`Key`, `get`).
    static func isWordLike(_ piece: ArraySlice<UInt8>) -> Bool {
        let p = Array(piece)
        func vowel(_ b: UInt8) -> Bool { "aeiouyAEIOUY".utf8.contains(b) }
        if p.count < 3 { return false }
        if p.count == 3 {
            let capitalised = p[0] >= 0x41 && p[0] <= 0x5A
            return vowel(p[1]) && (capitalised || (!vowel(p[0]) && !vowel(p[2])))
        }
        guard p.contains(where: vowel) else { return false }
        var run = 0
        for b in p {
            run = vowel(b) ? 0 : run + 1
            if run >= 5 { return false }
        }
        return true
    }

    // MARK: - Helpers

    static func key(_ bytes: [UInt8], at i: Int) -> UInt64 {
        var k: UInt64 = 0
        for j in 0..<8 { k = k << 8 | UInt64(bytes[i + j]) }
        return k
    }

    /// Applies non-overlapping replacements (the earliest, then the longest, wins); nil when there is nothing to do.
    static func apply(_ replacements: [(range: Range<Int>, with: String)], to bytes: [UInt8]) -> String? {
        guard !replacements.isEmpty else { return nil }
        let ordered = replacements.sorted { ($0.range.lowerBound, -$0.range.count) < ($1.range.lowerBound, -$1.range.count) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var at = 0
        for r in ordered {
            if r.range.lowerBound < at {
                // Overlaps the previous replacement: extend over it when it reaches further.
                if r.range.upperBound > at { at = r.range.upperBound }
                continue
            }
            out += bytes[at..<r.range.lowerBound]
            out += Array(r.with.utf8)
            at = r.range.upperBound
        }
        out += bytes[at...]
        return String(decoding: out, as: UTF8.self)
    }

    /// C0 and C1 control characters, DEL, and bidirectional overrides as `\u{…}` (`\n`, `\t` stay when `multiline`).
    public static func escapeControls(_ text: String, multiline: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, multiline: multiline) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, multiline: multiline) {
                switch scalar {
                case "\n": out.append(contentsOf: "\\n".unicodeScalars)
                case "\t": out.append(contentsOf: "\\t".unicodeScalars)
                case "\r": out.append(contentsOf: "\\r".unicodeScalars)
                default: out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
                }
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    static func needsEscape(_ s: Unicode.Scalar, multiline: Bool) -> Bool {
        let v = s.value
        if multiline && (v == 0x0A || v == 0x09) { return false }
        return v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || (0x202A...0x202E).contains(v)
            || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F
    }
}

extension Sanitizer {
    /// Every string of the register — values and keys, whatever field they sit in — cleaned. The register is walked
    /// through its own encoding, so a field added later is covered without anyone remembering to add it here.
    public func clean(_ register: Register) throws -> Register {
        // Non-finite numbers (a ratio from nothing) travel as strings through the walk and come back as numbers.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            let tree = try JSONSerialization.jsonObject(with: try encoder.encode(register), options: [.fragmentsAllowed])
            let cleaned = try JSONSerialization.data(withJSONObject: walk(tree, key: nil), options: [.fragmentsAllowed])
            return try decoder.decode(Register.self, from: cleaned)
        } catch {
            // Never a register that went out uncleaned, and never a silently emptied one: the run fails, naming why.
            throw CleaningError(message: "the register could not be checked for secrets before output (\(type(of: error)))")
        }
    }

    /// The register could not be walked (it did not encode): nothing of it may leave the process.
    public struct CleaningError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    private func walk(_ node: Any, key: String?) -> Any {
        switch node {
        case let s as String: return key == "redacted" ? cleanRedactedForm(s) : clean(s)
        case let array as [Any]: return array.map { walk($0, key: key) }
        case let object as [String: Any]:
            var out: [String: Any] = [:]
            for (k, v) in object { out[clean(k)] = walk(v, key: k) }
            return out
        default: return node
        }
    }

    /// A sanitiser with the built-in rules and no known secrets: for messages and outputs of runs that scanned
    /// nothing (`report`, `register`, argument errors). Built once, on first use.
    public static var standard: Sanitizer { standardInstance.value }

    /// `standard.clean(text, multiline: true)`.
    public static func standardClean(_ text: String) -> String { standard.clean(text, multiline: true) }

    private static let standardInstance = LazyBox {
        Sanitizer(matcher: (try? RuleLoader.builtin()).flatMap { try? RuleMatcher(rules: $0) })
    }
}

/// A value computed once, on first use, from any thread.
final class LazyBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?
    private let make: () -> Value
    init(_ make: @escaping () -> Value) { self.make = make }
    var value: Value {
        lock.lock(); defer { lock.unlock() }
        if let stored { return stored }
        let v = make()
        stored = v
        return v
    }
}
