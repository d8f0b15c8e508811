import Foundation

/// The fingerprints of a `.gitleaksignore` at a scanned root, honoured as allowed locations.
///
/// gitleaks fingerprints are `commit:file:rule-id:line` (history) or `file:rule-id:line` (files). keyledger's rule
/// ids differ from gitleaks', so an entry allows whatever keyledger finds at that file and line — and in that commit
/// when the entry names one — whichever rule found it. The location's reason says where the allowance came from.
public struct GitleaksIgnore: Sendable, Equatable {
    /// One fingerprint line.
    public struct Entry: Sendable, Equatable, Hashable {
        public var commit: String?
        public var file: String
        /// gitleaks' rule id: kept for reading the file back, not used for matching.
        public var ruleID: String
        public var line: Int
    }

    public static let fileName = ".gitleaksignore"
    /// The allow reason a listed location gets in the register.
    public static let reason = "listed in .gitleaksignore"

    public var entries: [Entry]

    /// The `.gitleaksignore` in folder `root`, or nil when there is none (or it is not readable text).
    public static func load(root: String) -> GitleaksIgnore? {
        let path = URL(fileURLWithPath: root).appendingPathComponent(fileName).path
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { return nil }
        return parse(text)
    }

    /// Reads fingerprint lines; blank lines, `#` comments and lines that are no fingerprint are skipped.
    public static func parse(_ text: String) -> GitleaksIgnore {
        var entries: [Entry] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            var parts = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 3, let number = Int(parts.removeLast()), number >= 1 else { continue }
            let rule = parts.removeLast()
            var commit: String?
            if parts.count >= 2, isCommit(parts[0]) { commit = parts.removeFirst().lowercased() }
            // A file name may itself hold colons (a Windows drive letter): the rest is the file.
            var file = parts.joined(separator: ":")
            while file.hasPrefix("./") { file.removeFirst(2) }
            guard !file.isEmpty else { continue }
            entries.append(Entry(commit: commit, file: file, ruleID: rule, line: number))
        }
        return GitleaksIgnore(entries: entries)
    }

    static func isCommit(_ text: String) -> Bool {
        (7...64).contains(text.count) && text.allSatisfy(\.isHexDigit)
    }

    /// Whether an entry names this location: same file and line, and same commit when the entry names one.
    public func lists(_ location: FoundLocation) -> Bool {
        guard let line = location.line else { return false }
        return entries.contains { entry in
            guard entry.line == line, entry.file == location.path else { return false }
            guard let commit = entry.commit else { return true }
            guard let at = location.commit?.lowercased() else { return false }
            return at.hasPrefix(commit) || commit.hasPrefix(at)
        }
    }

    /// Marks every listed, not otherwise allowed location of `findings` as allowed.
    public func apply(to findings: [Finding]) -> [Finding] {
        guard !entries.isEmpty else { return findings }
        return findings.map { finding in
            guard finding.location.allowReason == nil, lists(finding.location) else { return finding }
            var allowed = finding
            allowed.location.allowReason = Self.reason
            return allowed
        }
    }
}
