import Foundation

/// A rule file or rule that cannot be used, with the file and the reason.
public struct RuleError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}

/// Reads rule YAML (one provider per file) into `Rule` values.
public enum RuleLoader {
    /// The rules compiled into the binary.
    public static func builtin() throws -> [Rule] {
        var rules: [Rule] = []
        for (name, text) in BuiltinRules.files {
            rules += try parse(yaml: text, source: "builtin:\(name)")
        }
        return rules
    }

    /// The built-in rules plus those in `directories`. A rule in a folder with a built-in rule's id replaces it (a
    /// team's stricter or wider version of `openai.project-key`); two folder rules with one id are an error.
    public static func builtin(with directories: [String]) throws -> [Rule] {
        var extra: [Rule] = []
        for directory in directories { extra += try load(directory: directory) }
        let replaced = Set(extra.map(\.id))
        return try builtin().filter { !replaced.contains($0.id) } + extra
    }

    /// Every `*.yml` / `*.yaml` file in `directory`, sorted by name.
    public static func load(directory: String) throws -> [Rule] {
        let url = URL(fileURLWithPath: directory)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw RuleError(file: directory, message: "cannot read the rules folder (\(error.localizedDescription))")
        }
        var rules: [Rule] = []
        for name in names.sorted() where name.hasSuffix(".yml") || name.hasSuffix(".yaml") {
            let path = url.appendingPathComponent(name).path
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw RuleError(file: path, message: "cannot read the file as UTF-8 text")
            }
            rules += try parse(yaml: text, source: path)
        }
        if rules.isEmpty { throw RuleError(file: directory, message: "no rules found (expected *.yml files with a `rules:` list)") }
        return rules
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
        return Rule(
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
    }
}
