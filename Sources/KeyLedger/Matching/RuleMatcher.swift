import CMemmem
import Foundation
import Synchronization

/// A secret found in one buffer by one rule, before it is tied to a location.
public struct Match: Sendable {
    public var ruleIndex: Int
    public var secret: Secret
    /// Byte offset of the secret in the scanned buffer.
    public var offset: Int
    public var length: Int
    public var identity: Identity
}

/// All rules compiled into one Vectorscan database; finds, validates and resolves matches in a buffer.
public final class RuleMatcher: Sendable {
    public let rules: [Rule]
    private let compiled: [CompiledRule]
    private let database: VectorscanDatabase

    struct CompiledRule: Sendable {
        let rule: Rule
        /// Index of the rule in `rules` (the database only holds rules with a pattern).
        let ruleIndex: Int
        let capture: SharedRegex
        let context: [SharedRegex]
        let keyId: SharedRegex?
        let principal: SharedRegex?
        let name: SharedRegex?
        let allow: [(regex: SharedRegex, target: RuleAllow.Target)]
        let pathPatterns: [SharedRegex]
        /// Bytes examined before the first and after the last database hit of a run.
        let lookBack: Int
        let lookAhead: Int
        let specificity: Int
        /// Length of the literal text the capture starts with (`sk-proj-` = 8): what redaction may show.
        let literalPrefix: Int
        /// The keywords as bytes when all are ASCII lowercase (searched byte-wise, ASCII case folded), else nil.
        let asciiKeywords: [[UInt8]]?
        /// Per context regex, its longest match when `ContextMemo` may answer from earlier windows, else nil;
        /// worked out on the first hit (Vectorscan's expression analysis costs start-up time a pre-commit run feels).
        let contextWidths: ContextMemo.Widths
    }

    /// Leads shorter than this (`float`, `azure`, `line`) occur so often in code that trying the rule's regex at
    /// each one costs more than scanning with the whole pattern: measured on crewAI's history with 968 rules, leads
    /// of ≥ 4 bytes took scans from 5.5 s to 9.3 s, ≥ 7 to 7.6 s, ≥ 9 to 5.7 s, while cutting the cold compile from
    /// 9.5 s to 3.1, 4.2 and 6.5 s.
    static let minimumLead = 9

    /// The leading part of `pattern` that every match starts with, when it is a small non-capturing group (an
    /// optional boundary group, then `(?i:coinlayer)` or `(?i:(?:close|chec)[_.-]?(?:api|key))`): the database then
    /// holds only that lead, and the rule's regex runs forward from each lead hit. Hundreds of keyword rules share a
    /// long assignment fragment after their keyword; as whole patterns they took Vectorscan ~70 ms each to compile.
    static func lead(of pattern: String) -> String? {
        let chars = Array(pattern)
        /// End index (exclusive) of the group or class starting at `start`, or nil.
        func elementEnd(_ start: Int) -> Int? {
            guard start < chars.count else { return nil }
            if chars[start] == "\\" { return start + 2 <= chars.count ? start + 2 : nil }
            if chars[start] != "(" { return nil }
            var depth = 0
            var i = start
            var inClass = false
            while i < chars.count {
                let c = chars[i]
                if c == "\\" { i += 2; continue }
                if inClass {
                    if c == "]" { inClass = false }
                } else if c == "[" {
                    inClass = true
                    if i + 1 < chars.count, chars[i + 1] == "]" { i += 1 }
                    if i + 1 < chars.count, chars[i + 1] == "^", i + 2 < chars.count, chars[i + 2] == "]" { i += 2 }
                } else if c == "(" {
                    depth += 1
                } else if c == ")" {
                    depth -= 1
                    if depth == 0 { return i + 1 }
                }
                i += 1
            }
            return nil
        }
        func isCapturing(_ text: String) -> Bool {
            // Any "(" not followed by "?" (and not escaped or in a class) opens a capture.
            let t = Array(text)
            var i = 0
            var inClass = false
            while i < t.count {
                if t[i] == "\\" { i += 2; continue }
                if inClass { if t[i] == "]" { inClass = false } } else if t[i] == "[" { inClass = true } else if t[i] == "(" {
                    if i + 1 >= t.count || t[i + 1] != "?" { return true }
                }
                i += 1
            }
            return false
        }
        var start = 0
        var prefix = ""
        // An optional leading boundary: `\b` or `(?:^|[^…])`.
        if pattern.hasPrefix("\\b") {
            prefix = "\\b"
            start = 2
        } else if pattern.hasPrefix("(?:^|"), let end = elementEnd(0) {
            prefix = String(chars[0..<end])
            start = end
        }
        guard start < chars.count, chars[start] == "(", start + 1 < chars.count, chars[start + 1] == "?",
              let end = elementEnd(start) else { return nil }
        let group = String(chars[start..<end])
        guard !isCapturing(group), !isCapturing(prefix) else { return nil }
        // A quantifier right after the group would make it optional or repeated: not a lead.
        if end < chars.count, "?*+{".contains(chars[end]) { return nil }
        return prefix + group
    }

    /// Compiles `rules`; a pattern that either engine rejects is a `RuleError` naming the rule and file.
    /// The Vectorscan database is kept in the user's cache folder (`VectorscanCache`), so the next run loads it.
    public convenience init(rules: [Rule]) throws {
        try self.init(rules: rules, cache: VectorscanCache.defaultDirectory.map(VectorscanCache.init(directory:)))
    }

    /// - Parameter lazyBuiltins: false compiles every regex now (the test that proves the built-in rules compile).
    init(rules: [Rule], cache: VectorscanCache?, lazyBuiltins: Bool = true) throws {
        var seen = Set<String>()
        for rule in rules {
            if !seen.insert(rule.id).inserted {
                throw RuleError(file: rule.source, message: "\(rule.id): duplicate rule id")
            }
        }
        // Rules a decoder produces (no pattern) are listed, not compiled.
        let patterned = rules.indices.filter { rules[$0].producedBy == nil }
        // Rules whose every match starts with a long keyword group enter the database as that lead (when the whole
        // pattern is valid for Vectorscan, its longest match is bounded and every lead match is `minimumLead` bytes
        // or longer); the others as their whole pattern.
        // Vectorscan's expression analysis of ~1,000 patterns is a visible part of start-up: spread over the cores.
        let analysed = Mutex<[Int: (pattern: String, width: Int, leadWidth: Int)]>([:])
        DispatchQueue.concurrentPerform(iterations: patterned.count) { k in
            let pattern = rules[patterned[k]].pattern
            guard let lead = Self.lead(of: pattern), lead.count < pattern.count,
                  let width = VectorscanDatabase.maxWidth(of: pattern), width <= 4096,
                  let leadWidths = VectorscanDatabase.widths(of: lead), leadWidths.min >= Self.minimumLead, leadWidths.max <= 128 else { return }
            analysed.withLock { $0[k] = (lead, width, leadWidths.max) }
        }
        let found = analysed.withLock { $0 }
        let anchors: [(pattern: String, width: Int, leadWidth: Int)?] = patterned.indices.map { found[$0] }
        do {
            database = try VectorscanDatabase(patterns: patterned.indices.map { anchors[$0]?.pattern ?? rules[patterned[$0]].pattern },
                                              leftmost: Set(patterned.indices.filter { anchors[$0] != nil }),
                                              widthCap: 8192, cache: cache)
        } catch let failure as VectorscanDatabase.CompileFailure {
            if failure.index >= 0 && failure.index < patterned.count {
                let rule = rules[patterned[failure.index]]
                throw RuleError(file: rule.source, message: "\(rule.id): Vectorscan cannot compile the pattern: \(failure.message)")
            }
            throw RuleError(file: "rules", message: "Vectorscan: \(failure.message)")
        }
        var compiled: [CompiledRule] = []
        // Imported configs repeat one global allowlist on every rule: each distinct regex is compiled once.
        var shared: [String: SharedRegex] = [:]
        for (i, ruleIndex) in patterned.enumerated() {
            let rule = rules[ruleIndex]
            // Built-in rules compile their regexes on first use (see SharedRegex); users' rules right here.
            let eager = !lazyBuiltins || !rule.source.hasPrefix("builtin:")
            func regex(_ pattern: String?, _ what: String, insensitive: Bool = false) throws -> SharedRegex? {
                guard let pattern else { return nil }
                do { return try SharedRegex(pattern, caseInsensitive: insensitive, eager: eager) } catch {
                    throw RuleError(file: rule.source, message: "\(rule.id): \(what) is not a valid regular expression: \(pattern)")
                }
            }
            func sharedRegex(_ pattern: String, _ what: String) throws -> SharedRegex {
                if let known = shared[pattern] { return known }
                guard let made = try regex(pattern, what) else { preconditionFailure("regex(_:) returns nil only for nil") }
                shared[pattern] = made
                return made
            }
            let capture = try regex(rule.pattern, "pattern")!
            if eager, capture.captureCount != 1 {
                throw RuleError(file: rule.source, message: "\(rule.id): pattern must have exactly one capture group (has \(capture.captureCount)); use (?:…) for the others")
            }
            let context = try (rule.context?.any ?? []).map { try regex($0, "context regex", insensitive: true)! }
            compiled.append(CompiledRule(
                rule: rule, ruleIndex: ruleIndex, capture: capture, context: context,
                keyId: try regex(rule.identity.keyId, "identity.key_id"),
                principal: try regex(rule.identity.principal, "identity.principal"),
                name: try regex(rule.identity.name, "identity.name"),
                allow: try rule.allow.map { (try sharedRegex($0.regex, "allow regex"), $0.target) },
                pathPatterns: try rule.pathPatterns.map { try sharedRegex($0, "path_patterns regex") },
                lookBack: anchors[i].map { $0.leadWidth + 16 } ?? database.maxWidths[i] + 64,
                lookAhead: anchors[i].map { $0.width + 64 } ?? 64,
                specificity: rule.specificity,
                literalPrefix: Rule.literalPrefixLength(of: rule.pattern),
                asciiKeywords: Self.asciiKeywords(rule.keywords),
                contextWidths: ContextMemo.Widths(rule.context?.any ?? [])))
        }
        self.rules = rules
        self.compiled = compiled
        self.specificities = rules.map(\.specificity)
        self.indexById = Dictionary(rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    private let specificities: [Int]
    private let indexById: [String: Int]

    /// The key the compiled database is cached under (tests of the cache).
    var databaseKey: [String] { database.cacheKey }

    /// Index in `rules` of the rule with `id`.
    public func ruleIndex(of id: String) -> Int? { indexById[id] }

    /// Per-thread matching state (Vectorscan scratch and hit buffers). Not shareable between threads.
    public final class Workspace: @unchecked Sendable {
        let scratch: VectorscanDatabase.Scratch
        let hits = VectorscanDatabase.Hits()
        init(scratch: VectorscanDatabase.Scratch) { self.scratch = scratch }
    }

    public func makeWorkspace() -> Workspace { Workspace(scratch: database.makeScratch()) }

    /// Every credential in `bytes`, validated, placeholders removed, overlaps resolved to the most specific rule.
    /// - Parameter path: the buffer's path relative to the scanned root: rules with `paths` globs apply only when it
    ///   matches them (and not without a path); `path_patterns` and path allowlists apply only with a path.
    public func matches(in bytes: UnsafeRawBufferPointer, workspace: Workspace, path: String? = nil) -> [Match] {
        database.scan(bytes, scratch: workspace.scratch, into: workspace.hits)
        let hits = workspace.hits
        guard !hits.ids.isEmpty || !hits.starts.isEmpty else { return [] }
        var found: [Match] = []
        // Leads: the rule's regex is tried once, anchored, at each distinct start its lead reported.
        if !hits.starts.isEmpty {
            var startsByRule: [Int: [Int]] = [:]
            for i in hits.starts.indices { startsByRule[Int(hits.startIds[i]), default: []].append(hits.starts[i]) }
            for (databaseIndex, starts) in startsByRule.sorted(by: { $0.key < $1.key }) {
                let compiledRule = compiled[databaseIndex]
                guard Self.applies(compiledRule, toPath: path) else { continue }
                found += anchoredMatches(of: compiledRule, at: Array(Set(starts)).sorted(), in: bytes, memo: ContextMemo(compiledRule))
            }
        }
        // Group end offsets per rule, then merge nearby ends into windows so each region is examined once.
        var byRule: [Int: [(first: Int, last: Int)]] = [:]
        for i in hits.ids.indices { byRule[Int(hits.ids[i]), default: []].append((hits.firstEnds[i], hits.lastEnds[i])) }
        for (databaseIndex, ends) in byRule.sorted(by: { $0.key < $1.key }) {
            let compiledRule = compiled[databaseIndex]
            guard Self.applies(compiledRule, toPath: path) else { continue }
            var windows: [Range<Int>] = []
            for run in ends.sorted(by: { $0.first < $1.first }) {
                let start = max(0, run.first - compiledRule.lookBack)
                let stop = min(bytes.count, run.last + compiledRule.lookAhead)
                if let last = windows.last, start <= last.upperBound {
                    windows[windows.count - 1] = last.lowerBound..<max(last.upperBound, stop)
                } else {
                    windows.append(start..<stop)
                }
            }
            var seenOffsets = Set<Int>()
            let memo = ContextMemo(compiledRule)
            for window in windows {
                let view = ByteWindow(bytes, range: window)
                compiledRule.capture.regex.enumerateMatches(in: view.string as String, options: [], range: view.fullRange) { result, _, _ in
                    guard let result, let capture = Self.capture(of: result), seenOffsets.insert(view.base + capture.location).inserted,
                          let match = self.finding(result, capture: capture, in: view, rule: compiledRule, bytes: bytes, memo: memo) else { return }
                    found.append(match)
                }
            }
        }
        return Self.resolveOverlaps(found, specificities: specificities)
    }

    /// The rule's matches that start exactly at one of `starts` (sorted, distinct). Each start gets its own small
    /// window (the rule's longest match): NSRegularExpression converts its whole input to UTF-16 on every call, so a
    /// shared region would cost its full length once per start.
    private func anchoredMatches(of compiledRule: CompiledRule, at starts: [Int], in bytes: UnsafeRawBufferPointer,
                                 memo: ContextMemo) -> [Match] {
        var found: [Match] = []
        var coveredUntil = -1
        for start in starts {
            // A finding from an earlier start already covers this one (a keyword inside the previous match).
            if start < coveredUntil { continue }
            let view = ByteWindow(bytes, range: start..<min(bytes.count, start + compiledRule.lookAhead))
            let text = view.string as String
            guard let result = compiledRule.capture.regex.firstMatch(
                    in: text, options: [.anchored, .withTransparentBounds, .withoutAnchoringBounds], range: view.fullRange),
                  let capture = Self.capture(of: result),
                  let match = finding(result, capture: capture, in: view, rule: compiledRule, bytes: bytes, memo: memo) else { continue }
            found.append(match)
            coveredUntil = start + result.range(at: 0).location + result.range(at: 0).length
        }
        return found
    }

    /// The secret's range in a regex result: its one capture group, when it took part and is not empty.
    private static func capture(of result: NSTextCheckingResult) -> NSRange? {
        guard result.numberOfRanges > 1 else { return nil }
        let r = result.range(at: 1)
        return r.location != NSNotFound && r.length > 0 ? r : nil
    }

    /// The finding a regex match in `view` makes, unless the rule's allowlist or stopwords excuse it or `accept` rejects it.
    private func finding(_ result: NSTextCheckingResult, capture: NSRange, in view: ByteWindow, rule compiledRule: CompiledRule,
                         bytes: UnsafeRawBufferPointer, memo: ContextMemo) -> Match? {
        let secret = view.string.substring(with: capture)
        if !compiledRule.allow.isEmpty || !compiledRule.rule.stopwords.isEmpty,
           Self.allowed(secret, whole: result.range(at: 0), in: view, bytes: bytes, rule: compiledRule) {
            return nil
        }
        return accept(secret, offset: view.base + capture.location, length: capture.length, rule: compiledRule,
                      ruleIndex: compiledRule.ruleIndex, bytes: bytes, memo: memo)
    }

    /// Whether a rule reports in the file at `path`: its `paths` globs (when it has any) match it, and — when the path
    /// is known — its `path_patterns` (when it has any) include it and no path allowlist excludes it.
    static func applies(_ rule: CompiledRule, toPath path: String?) -> Bool {
        guard rule.rule.applies(toPath: path) else { return false }
        guard let path else { return true }
        func found(_ regex: SharedRegex) -> Bool {
            regex.regex.firstMatch(in: path, options: [], range: NSRange(path.startIndex..., in: path)) != nil
        }
        if !rule.pathPatterns.isEmpty, !rule.pathPatterns.contains(where: found) { return false }
        return !rule.allow.contains { $0.target == .path && found($0.regex) }
    }

    /// Whether a stopword or an allow regex (over the secret, the whole match or its line) excuses this hit.
    static func allowed(_ secret: String, whole: NSRange, in view: ByteWindow, bytes: UnsafeRawBufferPointer,
                        rule: CompiledRule) -> Bool {
        let lower = secret.lowercased()
        if rule.rule.stopwords.contains(where: { lower.contains($0) }) { return true }
        for entry in rule.allow where entry.target != .path {
            let text: String
            switch entry.target {
            case .secret: text = secret
            case .match: text = view.string.substring(with: whole)
            case .line:
                // The whole line from the buffer (the window may cut it), at most 4 KiB either side like allow markers.
                let at = view.base + whole.location
                var start = at
                while start > max(0, at - 4096), bytes[start - 1] != 0x0A { start -= 1 }
                var end = at
                while end < min(bytes.count, at + 4096), bytes[end] != 0x0A { end += 1 }
                text = ByteWindow(bytes, range: start..<end).string as String
            case .path: continue
            }
            if entry.regex.regex.firstMatch(in: text, options: [], range: NSRange(text.startIndex..., in: text)) != nil { return true }
        }
        return false
    }

    /// Applies keywords, placeholder, entropy, context and validator checks; extracts identity.
    private func accept(_ text: String, offset: Int, length: Int, rule c: CompiledRule, ruleIndex: Int,
                        bytes: UnsafeRawBufferPointer, memo: ContextMemo) -> Match? {
        let rule = c.rule
        var value = text
        if rule.normalize == "pem" {
            value = CredentialDecoders.normalizePEM(text)
            if value.contains("xxxx") || value.contains("...") || value.contains("…") { return nil }
        } else if PlaceholderFilter.reason(value, checkRuns: !rule.allowRepeats) != nil {
            return nil
        }
        if let floor = rule.entropy, PlaceholderFilter.entropy(value) < floor { return nil }
        if PublicExampleKeys.contains(value) { return nil }
        if !rule.keywords.isEmpty {
            let near = max(0, offset - 256)..<min(bytes.count, offset + length + 256)
            if let asciiKeywords = c.asciiKeywords {
                // Byte search, ASCII case folded: the same answer as lowercasing the Latin-1 text (no Latin-1
                // letter lowercases to ASCII), without building three strings per hit.
                if !Self.containsAny(asciiKeywords, in: bytes, range: near) { return nil }
            } else {
                let lower = (ByteWindow(bytes, range: near).string as String).lowercased()
                if !rule.keywords.contains(where: { lower.contains($0) }) { return nil }
            }
        }
        if let context = rule.context {
            let near = max(0, offset - context.within)..<min(bytes.count, offset + length + context.within)
            if !memo.satisfied(near, in: bytes) { return nil }
        }
        var identity = Identity()
        if let validator = rule.validator, !CredentialDecoders.validate(value, with: validator) { return nil }
        if let decoder = rule.decoder {
            guard let decoded = CredentialDecoders.decode(value, with: decoder) else { return nil }
            identity = decoded
        }
        if c.keyId != nil || c.principal != nil || c.name != nil {
            let radius = max(rule.context?.within ?? 0, 2048)
            let near = ByteWindow(bytes, range: max(0, offset - radius)..<min(bytes.count, offset + length + radius))
            let center = offset - near.base
            func nearest(_ regex: SharedRegex?) -> String? {
                guard let regex else { return nil }
                var best: (distance: Int, value: String)?
                regex.regex.enumerateMatches(in: near.string as String, options: [], range: near.fullRange) { result, _, _ in
                    guard let result, result.numberOfRanges > 1, result.range(at: 1).location != NSNotFound else { return }
                    let r = result.range(at: 1)
                    let distance = abs(r.location - center)
                    if best == nil || distance < best!.distance { best = (distance, near.string.substring(with: r)) }
                }
                return best?.value
            }
            if let keyId = nearest(c.keyId) {
                identity.keyId = keyId
                if identity.account == nil, keyId.count == 20, let account = CredentialDecoders.awsAccount(fromKeyId: keyId) {
                    identity.account = account
                }
            }
            if let principal = nearest(c.principal) { identity.principal = identity.principal ?? principal }
            if let name = nearest(c.name) { identity.name = identity.name ?? name }
            if identity.source == nil, identity.keyId != nil || identity.principal != nil { identity.source = "text next to the key" }
        }
        return Match(ruleIndex: ruleIndex, secret: Secret(value, visiblePrefix: min(c.literalPrefix, value.count)), offset: offset,
                     length: length, identity: identity)
    }

    static func asciiKeywords(_ keywords: [String]) -> [[UInt8]]? {
        let bytes = keywords.map { Array($0.utf8) }
        guard bytes.allSatisfy({ $0.allSatisfy { $0 < 0x80 && !($0 >= 0x41 && $0 <= 0x5A) } && !$0.isEmpty }) else { return nil }
        return bytes
    }

    /// Whether any of `needles` (ASCII, lowercase) occurs in `bytes[range]` with ASCII letters compared case-folded.
    static func containsAny(_ needles: [[UInt8]], in bytes: UnsafeRawBufferPointer, range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return false }
        var lowered = [UInt8](repeating: 0, count: range.count)
        for i in range {
            let b = bytes[i]
            lowered[i - range.lowerBound] = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
        }
        return lowered.withUnsafeBytes { hay in
            needles.contains { needle in
                needle.count <= hay.count && needle.withUnsafeBytes { memmem(hay.baseAddress!, hay.count, $0.baseAddress!, $0.count) != nil }
            }
        }
    }

    /// When two rules claim overlapping text, the more specific one keeps it.
    static func resolveOverlaps(_ matches: [Match], specificities: [Int]) -> [Match] {
        guard matches.count > 1 else { return matches }
        // Ties (same start, same specificity) go to the rule listed first, whatever order the matches were found in.
        let sorted = matches.sorted {
            ($0.offset, -specificities[$0.ruleIndex], $0.ruleIndex) < ($1.offset, -specificities[$1.ruleIndex], $1.ruleIndex)
        }
        var kept: [Match] = []
        // `kept` stays sorted by offset: looking back from its end, once a kept match starts more than the longest
        // kept length before this one, no earlier one can reach it either. (Looking at every kept match made a file
        // of 50,000 keys quadratic: 90 s.)
        var longest = 0
        for match in sorted {
            var dominated = false
            var i = kept.count - 1
            while i >= 0 {
                let other = kept[i]
                if other.offset + longest <= match.offset { break }
                defer { i -= 1 }
                guard other.offset + other.length > match.offset else { continue }
                let overlaps = match.offset < other.offset + other.length && other.offset < match.offset + match.length
                guard overlaps || other.secret == match.secret else { continue }
                if specificities[match.ruleIndex] > specificities[other.ruleIndex] {
                    kept.remove(at: i)
                } else {
                    dominated = true
                }
                break
            }
            if !dominated {
                kept.append(match)
                longest = max(longest, match.length)
            }
        }
        return kept
    }

    /// Line number (1-based) of `offset` in `bytes`.
    public static func line(of offset: Int, in bytes: UnsafeRawBufferPointer) -> Int {
        var line = 1
        let end = min(offset, bytes.count)
        var i = 0
        while i < end {
            if bytes[i] == 0x0A { line += 1 }
            i += 1
        }
        return line
    }
}
