import Foundation

/// One detection rule, loaded from a provider's YAML file in `rules/`.
public struct Rule: Sendable, Equatable {
    /// Namespaced id, `<provider>.<kind>` (`openai.project-key`).
    public var id: String
    public var name: String
    public var provider: String
    public var kind: String
    /// What an attacker can do with the credential.
    public var description: String
    /// Common subset of Vectorscan and ICU syntax with exactly one capture: the secret.
    public var pattern: String
    /// Lower-case literals, at least one of which must occur near a hit.
    public var keywords: [String]
    /// Minimum Shannon entropy (bits per character) of the secret.
    public var entropy: Double?
    public var validator: String?
    public var decoder: String?
    public var normalize: String?
    public var precedence: Int
    public var context: RuleContext?
    public var identity: RuleIdentity
    public var privilege: String
    public var examples: [String]
    public var negativeExamples: [NegativeExample]
    /// The file the rule came from, for error messages.
    public var source: String
    /// `fnmatch` globs on the file's path or name; the rule only applies to matching files (empty: every file).
    /// Generic assignment rules use it to stay in config files (`.env`, `*.properties`) and out of source code.
    public var paths: [String] = []
    /// How sure a finding of this rule is a credential: provider formats are `high`; generic assignments and typed
    /// values (a Kubernetes Secret entry no provider rule recognises) are `low`, so reports can tell them apart.
    public var confidence: DetectionConfidence = .high
    /// Set for rules whose findings a structured decoder produces (no pattern): `kubernetes-secret`.
    public var producedBy: String? = nil
    /// The path the rule's examples are scanned under (for rules with `paths` or `produced_by`).
    public var examplePath: String? = nil
    /// The format itself contains runs of one character (Azure DevOps' 84-character PATs, Fly.io macaroons), so the
    /// placeholder filter's filler-run check does not apply.
    public var allowRepeats: Bool = false

    /// Whether the rule applies to a file at `path` (relative); rules without `paths` apply everywhere.
    public func applies(toPath path: String?) -> Bool {
        guard !paths.isEmpty else { return true }
        guard let path, !path.isEmpty else { return false }
        let name = (path as NSString).lastPathComponent
        return paths.contains { fnmatch($0, path, 0) == 0 || fnmatch($0, name, 0) == 0 }
    }
    /// Hits this rule must not report: a regex over the secret, the whole match, its line or the file's path.
    public var allow: [RuleAllow] = []
    /// Lower-case words; a secret containing one (case-insensitive) is not reported.
    public var stopwords: [String] = []
    /// Regexes over the file's path (relative to the scanned root), as gitleaks' `path`; when given, the rule only
    /// reports in files whose path matches one. Buffers without a path (rule examples) are not restricted.
    public var pathPatterns: [String] = []
    /// Where the rule was written; imported rules carry no examples to prove them.
    public var origin: RuleOrigin = .yaml
    /// `validation:`: the read-only call `scan --validate` makes for this rule's keys when no validator in code covers
    /// them (`RuleValidation`).
    public var validation: RuleValidation? = nil

    /// Kinds whose match names an identity rather than unlocking one (an AWS access key id, an OAuth client id):
    /// shown in full as `identity.key_id`, not redacted by the output sanitiser.
    public static let identifierKinds: Set<String> = ["access-key-id", "client-id"]

    /// Whether what this rule finds is an identifier, not a secret (see `identifierKinds`).
    public var isIdentifier: Bool { Rule.identifierKinds.contains(kind) }

    /// How strongly this rule claims a secret when two rules match the same text:
    /// a checksum or structural validator beats a fixed prefix, a long prefix beats a short one,
    /// and a keyword-context rule loses to both.
    public var specificity: Int {
        var score = precedence
        if validator != nil { score += 40 }
        score += min(Rule.literalPrefixLength(of: pattern), 20) * 2
        if context != nil { score -= 10 }
        if confidence == .low { score -= 30 }
        return score
    }

    /// Length of the literal text the pattern's capture starts with (`sk-proj-` → 8).
    static func literalPrefixLength(of pattern: String) -> Int {
        guard let open = pattern.range(of: "(", options: [], range: pattern.startIndex..<pattern.endIndex) else { return 0 }
        var index = open.upperBound
        // Skip over non-capturing groups preceding the capture.
        var searchFrom = pattern.startIndex
        while let r = pattern.range(of: "(", range: searchFrom..<pattern.endIndex) {
            let next = pattern.index(after: r.lowerBound)
            if next < pattern.endIndex, pattern[next] == "?" { searchFrom = next; continue }
            if r.lowerBound > pattern.startIndex, pattern[pattern.index(before: r.lowerBound)] == "\\" { searchFrom = next; continue }
            index = next
            break
        }
        var count = 0
        let specials: Set<Character> = ["[", "(", ")", "{", "}", "*", "+", "?", "|", ".", "^", "$"]
        var i = index
        while i < pattern.endIndex {
            let c = pattern[i]
            if c == "\\" {
                let n = pattern.index(after: i)
                guard n < pattern.endIndex else { break }
                let escaped = pattern[n]
                if escaped.isLetter || escaped.isNumber { break }
                count += 1
                i = pattern.index(after: n)
                continue
            }
            if specials.contains(c) { break }
            count += 1
            i = pattern.index(after: i)
        }
        // A quantifier after the last literal makes it optional.
        if i < pattern.endIndex, ["*", "?", "{"].contains(pattern[i]), count > 0 { count -= 1 }
        return count
    }
}

/// How sure a finding is a credential (a closed set; raw values appear in the register).
public enum DetectionConfidence: String, Sendable, Codable, CaseIterable {
    case high, medium, low
}

/// Text that must occur near a hit for a prefix-less rule to count.
public struct RuleContext: Sendable, Equatable {
    public var any: [String]
    public var within: Int
}

/// What identity the credential reveals and where to find it near the hit.
public struct RuleIdentity: Sendable, Equatable {
    public var reveals: String
    public var keyId: String?
    public var principal: String?
    public var name: String?
}

/// Text a rule must not match, and why.
public struct NegativeExample: Sendable, Equatable {
    public var text: String
    public var why: String
}

/// A regular expression that, when it matches its target, turns a hit into no finding (gitleaks' allowlists).
public struct RuleAllow: Sendable, Equatable, Hashable {
    /// What the regex is matched against.
    public enum Target: String, Sendable, CaseIterable {
        /// The captured secret (the default).
        case secret
        /// The whole text the rule's pattern matched, context included.
        case match
        /// The line holding the secret.
        case line
        /// The path of the file, relative to the scanned root.
        case path
    }

    /// ICU syntax; matched anywhere in the target (not anchored), case-sensitive unless it says `(?i)`.
    public var regex: String
    public var target: Target

    public init(regex: String, target: Target = .secret) {
        self.regex = regex
        self.target = target
    }
}

/// Where a rule was written.
public enum RuleOrigin: String, Sendable {
    /// keyledger rule YAML (built in or `--rules`): must prove itself with examples.
    case yaml
    /// Imported from a gitleaks / betterleaks TOML config: carries no examples.
    case gitleaks
}
