import Foundation

/// Path globs as CODEOWNERS and `keyledger.yml` write them: `*` within a segment, `**` across segments,
/// `?` one character; gitignore anchoring rules for CODEOWNERS.
struct Glob: @unchecked Sendable {
    private let regex: NSRegularExpression
    let pattern: String

    /// A plain glob matched against the whole string (`app/**`). With `anySegments`, `*` also crosses `/`
    /// (repository names and URLs: `*payments*` matches `https://git.example.org/acme/payments-api.git`).
    init?(_ pattern: String, anySegments: Bool = false) {
        self.pattern = pattern
        var body = Glob.translate(pattern)
        if anySegments { body = body.replacingOccurrences(of: "[^/]*", with: ".*") }
        guard let r = try? NSRegularExpression(pattern: "^" + body + "$", options: anySegments ? [.caseInsensitive] : []) else { return nil }
        regex = r
    }

    /// A CODEOWNERS / gitignore pattern: unanchored without an inner slash, a trailing slash means a folder,
    /// and a pattern naming a folder also matches everything inside it.
    init?(codeowners pattern: String) {
        self.pattern = pattern
        var p = pattern
        var directoryOnly = false
        if p.hasSuffix("/") { p.removeLast(); directoryOnly = true }
        let anchored = p.hasPrefix("/") || p.dropFirst().contains("/")
        if p.hasPrefix("/") { p.removeFirst() }
        var body = Glob.translate(p)
        if !anchored { body = "(?:.*/)?" + body }
        // GitHub: `docs/*` owns the files directly in docs/, not deeper ones; other patterns also own a folder's contents.
        if directoryOnly { body += "/.*" } else if !p.hasSuffix("/*") { body += "(?:/.*)?" }
        guard let r = try? NSRegularExpression(pattern: "^" + body + "$") else { return nil }
        regex = r
    }

    func matches(_ path: String) -> Bool {
        regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
    }

    private static func translate(_ glob: String) -> String {
        var out = ""
        let chars = Array(glob)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "*" {
                if i + 1 < chars.count, chars[i + 1] == "*" {
                    // `**/` matches zero or more folders; a trailing `**` everything below.
                    if i + 2 < chars.count, chars[i + 2] == "/" { out += "(?:.*/)?"; i += 3; continue }
                    out += ".*"; i += 2; continue
                }
                out += "[^/]*"
            } else if c == "?" {
                out += "[^/]"
            } else {
                out += NSRegularExpression.escapedPattern(for: String(c))
            }
            i += 1
        }
        return out
    }
}

/// A repository's CODEOWNERS rules (GitHub semantics: the last matching pattern wins).
public struct CodeOwners: Sendable {
    struct Entry: Sendable { let glob: Glob; let owners: [String] }
    let entries: [Entry]

    /// Parses CODEOWNERS text; comments and blank lines are ignored, unparsable patterns skipped.
    public init(text: String) {
        entries = text.split(whereSeparator: \.isNewline).compactMap { raw in
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let pattern = parts.first, let glob = Glob(codeowners: pattern) else { return nil }
            return Entry(glob: glob, owners: Array(parts.dropFirst()))
        }
    }

    /// Owners of `path` (relative to the repository root); empty when no rule matches or the last match has no owners.
    public func owners(of path: String) -> [String] {
        entries.last { $0.glob.matches(path) }?.owners ?? []
    }

    /// Where GitHub looks for the file, in order.
    public static let locations = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]
}
