import Foundation
import TOMLKit

/// Reads a gitleaks / betterleaks TOML config (`.gitleaks.toml`) into keyledger rules.
///
/// Each `[[rules]]` entry becomes a `Rule` with id `gitleaks.<id>`, kind `<id>`, provider from the id's first word
/// (`openai-api-key` → `openai`). The Go RE2 regex is rewritten by `RE2PatternTranslator` (one capture: gitleaks'
/// `secretGroup`, else its first group, else the whole match) and must then compile in both Vectorscan and ICU;
/// `keywords`, `entropy` and `path` carry over; `[[rules.allowlists]]` (and the older `[rules.allowlist]`) and the
/// config's global `[allowlist]` / `[[allowlists]]` become the rule's `allow` regexes and `stopwords`.
/// A rule keyledger cannot express is skipped and named in `warnings` with the reason; a part of a rule that cannot
/// be applied (an allowlist over commits, a betterleaks `filter`) is named too, and the rule is kept — it then
/// reports more, never less.
public enum GitleaksRuleImporter {
    /// Prefix of every imported rule's id.
    public static let idPrefix = "gitleaks."
    /// How deep `[extend] path` may chain (gitleaks' own limit).
    static let maxExtendDepth = 2

    /// Imports the config file at `path`.
    public static func load(path: String) throws -> RuleSet {
        try load(path: path, depth: 0)
    }

    static func load(path: String, depth: Int) throws -> RuleSet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuleError(file: path, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RuleError(file: path, message: "cannot read the file as UTF-8 text")
        }
        return try parse(toml: text, source: path, baseDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                         depth: depth)
    }

    /// Imports config text; `source` names it in messages, `baseDirectory` resolves `[extend] path`.
    public static func parse(toml: String, source: String, baseDirectory: String? = nil) throws -> RuleSet {
        try parse(toml: toml, source: source, baseDirectory: baseDirectory, depth: 0)
    }

    static func parse(toml: String, source: String, baseDirectory: String?, depth: Int) throws -> RuleSet {
        // toml++ asserts (aborts the process) on some malformed keys that hold bytes TOML never allows; such text is
        // refused before it reaches the parser (found by fuzzing, Tests/Fuzz/regressions).
        var line = 1
        for scalar in toml.unicodeScalars {
            if scalar == "\n" { line += 1; continue }
            if (scalar.value < 0x20 && scalar != "\t" && scalar != "\r") || scalar.value == 0x7F || scalar == "\u{FFFD}" {
                throw RuleError(file: source, message: "line \(line): not valid TOML (a control character or invalid UTF-8)")
            }
        }
        do { try TOMLPrecheck.validate(toml) } catch let failure as TOMLPrecheck.Failure {
            throw RuleError(file: source, message: failure.description)
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: toml) } catch let error as TOMLParseError {
            throw RuleError(file: source, message: "line \(error.source.begin.line): not valid TOML: \(error.description)")
        }
        let root = plain(table) as? [String: Any] ?? [:]
        var set = RuleSet()
        func warn(_ line: Int?, _ rule: String?, _ message: String, skipped: Bool = false) {
            set.warnings.append(RuleWarning(file: source, line: line, rule: rule, message: message, skipped: skipped))
        }
        let ruleLines = headerLines(in: toml, header: "[[rules]]")

        // Global allowlists: `[allowlist]` (gitleaks < 8.25) and `[[allowlists]]`, optionally limited by `targetRules`.
        var globals: [(allowlist: ImportedAllowlist, targets: Set<String>?)] = []
        var globalEntries: [[String: Any]] = []
        if let single = root["allowlist"] as? [String: Any] { globalEntries.append(single) }
        globalEntries += (root["allowlists"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
        for (n, entry) in globalEntries.enumerated() {
            let imported = allowlist(entry)
            for note in imported.notes { warn(nil, nil, "global allowlist \(n + 1): \(note)") }
            let targets = (entry["targetRules"] as? [Any]).map { Set($0.compactMap { $0 as? String }) }
            globals.append((imported, targets))
        }
        if root["prefilter"] != nil || root["filter"] != nil {
            warn(nil, nil, "betterleaks `prefilter`/`filter` expressions are not applied (keyledger does not evaluate Expr); rules may report more")
        }

        for (index, value) in (root["rules"] as? [Any] ?? []).enumerated() {
            let line = index < ruleLines.count ? ruleLines[index] : nil
            guard let entry = value as? [String: Any] else {
                warn(line, nil, "not a table; skipped", skipped: true)
                continue
            }
            guard let id = entry["id"] as? String, !id.isEmpty else {
                warn(line, nil, "rule #\(index + 1) has no `id`; skipped", skipped: true)
                continue
            }
            do {
                var (rule, notes) = try translate(entry, id: id, source: line.map { "\(source): line \($0)" } ?? source)
                for (allowlist, targets) in globals where targets?.contains(id) ?? true {
                    rule.allow += allowlist.allow
                    rule.stopwords += allowlist.stopwords
                }
                for note in notes { warn(line, id, note) }
                set.rules.append(rule)
            } catch let unsupported as RE2PatternTranslator.Unsupported {
                warn(line, id, "not imported: \(unsupported.reason)", skipped: true)
            }
        }

        if let extend = root["extend"] as? [String: Any] {
            let line = headerLines(in: toml, header: "[extend]").first
            if extend["useDefault"] as? Bool == true {
                set.extendsBuiltins = true
                for (allowlist, targets) in globals where targets == nil {
                    set.builtinAllow += allowlist.allow
                    set.builtinStopwords += allowlist.stopwords
                }
                warn(line, nil, "[extend] useDefault: gitleaks' default catalogue is not shipped with keyledger; "
                     + "keyledger's built-in rules stand in for it")
            }
            for disabled in (extend["disabledRules"] as? [Any] ?? []).compactMap({ $0 as? String }) {
                set.disabledBuiltins.append(RuleSet.Disabled(id: disabled, file: source, line: line))
            }
            if let path = extend["path"] as? String {
                guard depth < maxExtendDepth else {
                    throw RuleError(file: source, message: "[extend] path \(path): configs may extend at most \(maxExtendDepth) levels deep")
                }
                let resolved = path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory ?? ".").appendingPathComponent(path).path
                let base = try load(path: resolved, depth: depth + 1)
                // The extending config's rules win over the base's rules with the same id.
                let own = Set(set.rules.map(\.id))
                set.rules = base.rules.filter { !own.contains($0.id) } + set.rules
                set.warnings = base.warnings + set.warnings
                set.disabledBuiltins += base.disabledBuiltins
                set.builtinAllow += base.builtinAllow
                set.builtinStopwords += base.builtinStopwords
                set.extendsBuiltins = set.extendsBuiltins || base.extendsBuiltins
            }
        }
        return set
    }

    /// One `[[rules]]` entry as a keyledger rule, with notes on what of it is not applied.
    static func translate(_ entry: [String: Any], id: String, source: String) throws -> (Rule, [String]) {
        var notes: [String] = []
        if entry["required"] != nil {
            throw RE2PatternTranslator.Unsupported(reason: "composite rule ([[rules.required]]): keyledger has no rules that need other rules' hits")
        }
        if entry["skipReport"] as? Bool == true {
            throw RE2PatternTranslator.Unsupported(reason: "skipReport: only a part of composite rules")
        }
        guard let regex = entry["regex"] as? String, !regex.isEmpty else {
            if entry["path"] != nil {
                throw RE2PatternTranslator.Unsupported(reason: "file-name rule (only `path`): keyledger reports secrets in content, not file names")
            }
            throw RE2PatternTranslator.Unsupported(reason: "no `regex`")
        }
        var group = RE2PatternTranslator.SecretGroup.automatic
        if let n = entry["secretGroup"] as? Int, n > 0 { group = .number(n) }
        let pattern = try RE2PatternTranslator.translate(regex, secretGroup: group)
        // The translation must stand in both engines: Vectorscan finds, ICU extracts the one capture.
        if let rejection = VectorscanDatabase.rejection(of: pattern) {
            throw RE2PatternTranslator.Unsupported(reason: "Vectorscan rejects the translated regex: \(rejection)")
        }
        guard let icu = try? NSRegularExpression(pattern: pattern) else {
            throw RE2PatternTranslator.Unsupported(reason: "ICU rejects the translated regex")
        }
        guard icu.numberOfCaptureGroups == 1 else {
            throw RE2PatternTranslator.Unsupported(reason: "the translated regex has \(icu.numberOfCaptureGroups) capture groups, not 1")
        }
        var paths: [String] = []
        if let path = entry["path"] as? String {
            do { paths = [try icuRegex(path)] } catch let unsupported as RE2PatternTranslator.Unsupported {
                throw RE2PatternTranslator.Unsupported(reason: "`path` regex: \(unsupported.reason)")
            }
        }
        var allow: [RuleAllow] = []
        var stopwords: [String] = []
        var lists: [[String: Any]] = []
        if let single = entry["allowlist"] as? [String: Any] { lists.append(single) }
        lists += (entry["allowlists"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
        for (n, list) in lists.enumerated() {
            let imported = allowlist(list)
            allow += imported.allow
            stopwords += imported.stopwords
            notes += imported.notes.map { "allowlist \(n + 1): \($0)" }
        }
        if entry["filter"] != nil { notes.append("betterleaks `filter` expression not applied (the rule may report more)") }
        var entropy: Double?
        if let e = entry["entropy"] as? Double, e > 0 { entropy = e } else if let e = entry["entropy"] as? Int, e > 0 { entropy = Double(e) }
        var rule = Rule(
            id: idPrefix + id,
            name: id,
            provider: provider(of: id),
            kind: id,
            description: (entry["description"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "",
            pattern: pattern,
            keywords: (entry["keywords"] as? [Any] ?? []).compactMap { ($0 as? String)?.lowercased() }.filter { !$0.isEmpty },
            entropy: entropy,
            validator: nil, decoder: nil, normalize: nil, precedence: 0, context: nil,
            identity: RuleIdentity(reveals: "", keyId: nil, principal: nil, name: nil),
            privilege: "unknown", examples: [], negativeExamples: [], source: source)
        rule.allow = allow
        rule.stopwords = stopwords
        rule.pathPatterns = paths
        rule.origin = .gitleaks
        return (rule, notes)
    }

    /// The provider a gitleaks rule id names: its first word (`openai-api-key` → `openai`), else `gitleaks`.
    static func provider(of id: String) -> String {
        let first = id.split(separator: "-").first.map(String.init) ?? ""
        return id.contains("-") && first.contains(where: \.isLetter) ? first.lowercased() : "gitleaks"
    }

    /// What one allowlist contributes, and notes on what of it cannot be applied.
    struct ImportedAllowlist {
        var allow: [RuleAllow] = []
        var stopwords: [String] = []
        var notes: [String] = []
    }

    /// Translates one allowlist: `regexes` (on `regexTarget`: secret, match or line), `paths`, `stopwords`.
    /// keyledger ORs allow entries, so an `AND` allowlist over several kinds of criteria is not applied at all
    /// (applying part of it would hide more than gitleaks hides).
    static func allowlist(_ entry: [String: Any]) -> ImportedAllowlist {
        var result = ImportedAllowlist()
        let strings = { (key: String) in (entry[key] as? [Any] ?? []).compactMap { $0 as? String } }
        let regexes = strings("regexes"), paths = strings("paths"), stopwords = strings("stopwords"), commits = strings("commits")
        let kinds = [("commits", commits), ("paths", paths), ("regexes", regexes), ("stopwords", stopwords)]
            .filter { !$0.1.isEmpty }.map(\.0)
        let and = (entry["condition"] as? String)?.uppercased() == "AND"
        if and, kinds.count > 1 {
            result.notes.append("condition = AND over \(kinds.joined(separator: ", ")) not applied "
                                + "(keyledger allow entries are alternatives; the rule may report more)")
            return result
        }
        if !commits.isEmpty { result.notes.append("`commits` not applied (keyledger allows by content, not commit)") }
        let targetName = (entry["regexTarget"] as? String)?.lowercased() ?? "secret"
        guard let target = RuleAllow.Target(rawValue: targetName), target != .path else {
            result.notes.append("regexTarget \(targetName) unknown; its regexes are not applied")
            return result
        }
        for (n, regex) in regexes.enumerated() {
            do { result.allow.append(RuleAllow(regex: try icuRegex(regex), target: target)) } catch {
                result.notes.append("regex \(n + 1) not applied: \(error)")
            }
        }
        for (n, path) in paths.enumerated() {
            do { result.allow.append(RuleAllow(regex: try icuRegex(path), target: .path)) } catch {
                result.notes.append("path \(n + 1) not applied: \(error)")
            }
        }
        result.stopwords = stopwords.map { $0.lowercased() }.filter { !$0.isEmpty }
        return result
    }

    /// An RE2 regex used only by ICU (allowlists, paths): translated without captures and compile-checked.
    static func icuRegex(_ regex: String) throws -> String {
        let translated = try RE2PatternTranslator.translate(regex, secretGroup: .none)
        guard (try? NSRegularExpression(pattern: translated)) != nil else {
            throw RE2PatternTranslator.Unsupported(reason: "ICU rejects the translated regex")
        }
        return translated
    }

    /// 1-based line numbers of each `header` line (`[[rules]]`), in order: TOMLKit keeps no positions, and a
    /// warning should say where the rule is.
    static func headerLines(in text: String, header: String) -> [Int] {
        var lines: [Int] = []
        var number = 0
        text.enumerateLines { line, _ in
            number += 1
            if line.trimmingCharacters(in: .whitespaces).hasPrefix(header) { lines.append(number) }
        }
        return lines
    }

    /// A TOML value as Foundation values: tables → `[String: Any]`, arrays → `[Any]`, scalars as themselves.
    static func plain(_ value: TOMLValueConvertible) -> Any? {
        switch value.type {
        case .table:
            guard let table = value.table else { return nil }
            var out: [String: Any] = [:]
            for key in table.keys { if let v = table[key], let p = plain(v) { out[key] = p } }
            return out
        case .array:
            guard let array = value.array else { return nil }
            return array.compactMap { plain($0) }
        case .string: return value.string
        case .int: return value.int
        case .double: return value.double
        case .bool: return value.bool
        default: return nil
        }
    }
}
