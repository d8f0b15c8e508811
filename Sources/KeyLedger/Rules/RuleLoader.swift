import Foundation
import Synchronization

/// A rule file or rule that cannot be used, with the file and the reason.
public struct RuleError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}

/// Something in a rule source keyledger cannot use as written: a rule it skips, or a part of a rule it does not apply.
/// Names the file, line and rule; never quotes scanned content.
public struct RuleWarning: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    /// The rule's id as its source spells it (a gitleaks id), when the warning is about one rule.
    public var rule: String?
    public var message: String
    /// The rule was not imported at all.
    public var skipped: Bool

    public var description: String {
        [file, line.map { "line \($0)" }, rule].compactMap { $0 }.joined(separator: ": ") + ": " + message
    }
}

/// Rules read from one or more sources, with what the sources ask of the built-in rules.
public struct RuleSet: Sendable {
    /// A built-in rule a config asks to switch off (gitleaks `[extend] disabledRules`).
    public struct Disabled: Sendable, Equatable {
        public var id: String
        public var file: String
        public var line: Int?
    }

    public var rules: [Rule] = []
    public var warnings: [RuleWarning] = []
    /// A config said `[extend] useDefault = true`: it builds on the built-in rules.
    public var extendsBuiltins = false
    public var disabledBuiltins: [Disabled] = []
    /// Global allowlists of a config that extends the built-in rules reach them too.
    public var builtinAllow: [RuleAllow] = []
    public var builtinStopwords: [String] = []

    /// Adds what `other` holds: its rules and warnings, and what it asks of the built-in rules.
    mutating func merge(_ other: RuleSet) {
        rules += other.rules
        warnings += other.warnings
        disabledBuiltins += other.disabledBuiltins
        builtinAllow += other.builtinAllow
        builtinStopwords += other.builtinStopwords
        extendsBuiltins = extendsBuiltins || other.extendsBuiltins
    }

    public init() {}
}

/// Reads rule YAML (one provider per file) and gitleaks / betterleaks TOML configs into `Rule` values.
public enum RuleLoader {
    /// The rules compiled into the binary.
    public static func builtin() throws -> [Rule] {
        // Parsed on all cores, in file order: ~230 files are a measurable part of a pre-commit run.
        let files = BuiltinRules.files
        let parsed = Mutex<[Int: Result<[Rule], Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let result = Result { try parse(yaml: files[i].text, source: "builtin:\(files[i].name)") }
            parsed.withLock { $0[i] = result }
        }
        let results = parsed.withLock { $0 }
        var rules: [Rule] = []
        for i in files.indices { rules += try results[i]?.get() ?? [] }
        return rules
    }

    /// The rules in `directory` (see `load(path:)`); warnings about imported TOML rules are dropped.
    public static func load(directory: String) throws -> [Rule] {
        try load(path: directory).rules
    }

    /// Rules from a file or a folder: `*.yml` / `*.yaml` keyledger rule files and `*.toml` gitleaks / betterleaks
    /// configs (`.gitleaks.toml` included), read in name order.
    public static func load(path: String) throws -> RuleSet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RuleError(file: path, message: "no such file or folder")
        }
        var set = RuleSet()
        if !isDirectory.boolValue {
            guard let kind = SourceKind(name: path) else {
                throw RuleError(file: path, message: "not a rules file (expected *.yml, *.yaml or a gitleaks *.toml)")
            }
            try read(path, kind: kind, into: &set)
            if set.rules.isEmpty, set.disabledBuiltins.isEmpty, !set.extendsBuiltins {
                throw RuleError(file: path, message: "no rules found")
            }
            return set
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw RuleError(file: path, message: "cannot read the rules folder (\(error.localizedDescription))")
        }
        let url = URL(fileURLWithPath: path)
        for name in names.sorted() {
            guard let kind = SourceKind(name: name) else { continue }
            try read(url.appendingPathComponent(name).path, kind: kind, into: &set)
        }
        if set.rules.isEmpty, set.disabledBuiltins.isEmpty, !set.extendsBuiltins {
            throw RuleError(file: path, message: "no rules found (expected *.yml files with a `rules:` list or gitleaks *.toml configs)")
        }
        return set
    }

    /// The built-in rules plus those of every path in `extra`, with what the extra sources ask of the built-ins
    /// applied: `disabledRules` naming a built-in id removes it, global allowlists of a config that extends the
    /// defaults reach the built-ins. Built-in rules are always loaded, as with YAML `--rules`.
    public static func loadWithBuiltins(extra: [String]) throws -> RuleSet {
        var combined = RuleSet()
        var builtins = try builtin()
        for path in extra {
            combined.merge(try load(path: path))
        }
        let builtinIDs = Set(builtins.map(\.id))
        for disabled in combined.disabledBuiltins where !builtinIDs.contains(disabled.id) {
            combined.warnings.append(RuleWarning(
                file: disabled.file, line: disabled.line, rule: nil,
                message: "[extend] disabledRules: \(disabled.id) is no keyledger built-in rule (gitleaks' own catalogue is not shipped); ignored",
                skipped: false))
        }
        // A rule of a user's with a built-in rule's id replaces it (a team's stricter or wider version).
        let off = Set(combined.disabledBuiltins.map(\.id)).union(combined.rules.map(\.id))
        builtins.removeAll { off.contains($0.id) }
        for i in builtins.indices {
            builtins[i].allow += combined.builtinAllow
            builtins[i].stopwords += combined.builtinStopwords
        }
        combined.rules = builtins + combined.rules
        return combined
    }

    /// The kinds of rule files, told apart by name.
    enum SourceKind {
        case yaml, toml
        init?(name: String) {
            if name.hasSuffix(".yml") || name.hasSuffix(".yaml") { self = .yaml } else if name.hasSuffix(".toml") { self = .toml } else { return nil }
        }
    }

    static func read(_ path: String, kind: SourceKind, into set: inout RuleSet) throws {
        switch kind {
        case .toml:
            set.merge(try GitleaksRuleImporter.load(path: path))
        case .yaml:
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw RuleError(file: path, message: "cannot read the file as UTF-8 text")
            }
            set.rules += try parse(yaml: text, source: path)
        }
    }

    /// Parses one provider file.
    public static func parse(yaml: String, source: String) throws -> [Rule] {
        let document: Any?
        do {
            document = try SafeYAML.load(yaml)
        } catch {
            throw RuleError(file: source, message: "\(error)")
        }
        guard let root = document as? [String: Any] else {
            throw RuleError(file: source, message: "expected a mapping with `provider` and `rules`")
        }
        guard let provider = root["provider"] as? String else {
            throw RuleError(file: source, message: "missing `provider`")
        }
        guard let list = root["rules"] as? [[String: Any]] else {
            throw RuleError(file: source, message: "missing `rules` list")
        }
        return try list.enumerated().map { index, entry in
            try rule(from: entry, provider: provider, source: source, index: index)
        }
    }

    private static func rule(from entry: [String: Any], provider: String, source: String, index: Int) throws -> Rule {
        func string(_ key: String) -> String? {
            if let s = entry[key] as? String { return s.trimmingCharacters(in: .whitespacesAndNewlines) }
            return nil
        }
        let label = (entry["id"] as? String) ?? "rule #\(index + 1)"
        func fail(_ message: String) -> RuleError { RuleError(file: source, message: "\(label): \(message)") }
        guard let id = string("id"), !id.isEmpty else { throw fail("missing `id`") }
        let producedBy = string("produced_by")
        if let producedBy, !StructuredDecoders.producers.contains(producedBy) {
            throw fail("unknown `produced_by` (known: \(StructuredDecoders.producers.sorted().joined(separator: ", ")))")
        }
        let pattern = (entry["pattern"] as? String) ?? ""
        if pattern.isEmpty && producedBy == nil { throw fail("missing `pattern`") }
        var confidence = DetectionConfidence.high
        if let c = string("confidence") {
            guard let parsed = DetectionConfidence(rawValue: c) else { throw fail("confidence must be high, medium or low") }
            confidence = parsed
        }
        guard let kind = string("kind") else { throw fail("missing `kind`") }
        var context: RuleContext?
        if let c = entry["context"] as? [String: Any] {
            let any = (c["any"] as? [Any])?.compactMap { $0 as? String } ?? []
            if any.isEmpty { throw fail("`context.any` needs at least one regex") }
            context = RuleContext(any: any, within: (c["within"] as? Int) ?? 512)
        }
        let ident = entry["identity"] as? [String: Any] ?? [:]
        let identity = RuleIdentity(
            reveals: (ident["reveals"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "",
            keyId: ident["key_id"] as? String,
            principal: ident["principal"] as? String,
            name: ident["name"] as? String)
        let negatives: [NegativeExample] = try ((entry["negative_examples"] as? [Any]) ?? []).map { item in
            if let s = item as? String { return NegativeExample(text: s, why: "") }
            if let m = item as? [String: Any], let text = m["text"] as? String {
                return NegativeExample(text: text, why: (m["why"] as? String) ?? "")
            }
            throw fail("each negative example needs `text` and `why`")
        }
        let privilege = string("privilege") ?? "unknown"
        guard ["admin", "write", "restricted", "read", "unknown"].contains(privilege) else {
            throw fail("privilege must be admin, write, restricted, read or unknown (got \(privilege))")
        }
        var entropy: Double?
        if let e = entry["entropy"] as? Double { entropy = e } else if let e = entry["entropy"] as? Int { entropy = Double(e) }
        let allow: [RuleAllow] = try ((entry["allow"] as? [Any]) ?? []).map { item in
            if let regex = item as? String { return RuleAllow(regex: regex) }
            if let m = item as? [String: Any], let regex = m["regex"] as? String {
                let name = (m["target"] as? String) ?? "secret"
                guard let target = RuleAllow.Target(rawValue: name) else {
                    throw fail("allow target must be secret, match, line or path (got \(name))")
                }
                return RuleAllow(regex: regex, target: target)
            }
            throw fail("each `allow` entry is a regex, or a mapping with `regex` and optional `target`")
        }
        var rule = Rule(
            id: id,
            name: string("name") ?? id,
            provider: provider,
            kind: kind,
            description: string("description") ?? "",
            pattern: pattern,
            keywords: ((entry["keywords"] as? [Any]) ?? []).compactMap { ($0 as? String)?.lowercased() },
            entropy: entropy,
            validator: string("validator"),
            decoder: string("decoder"),
            normalize: string("normalize"),
            precedence: (entry["precedence"] as? Int) ?? 0,
            context: context,
            identity: identity,
            privilege: privilege,
            examples: ((entry["examples"] as? [Any]) ?? []).compactMap { $0 as? String },
            negativeExamples: negatives,
            source: source,
            paths: ((entry["paths"] as? [Any]) ?? []).compactMap { $0 as? String },
            confidence: confidence,
            producedBy: producedBy,
            examplePath: string("example_path"))
        rule.allow = allow
        rule.stopwords = ((entry["stopwords"] as? [Any]) ?? []).compactMap { ($0 as? String)?.lowercased() }
        rule.pathPatterns = ((entry["path_patterns"] as? [Any]) ?? []).compactMap { $0 as? String }
        rule.allowRepeats = (entry["allow_repeats"] as? Bool) ?? false
        if let v = entry["validation"] { rule.validation = try RuleValidation.parse(v, fail: fail) }
        return rule
    }
}
