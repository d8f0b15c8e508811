import Foundation

extension ExportLoader {
    /// Importers for AI providers' admin APIs (OpenAI, Anthropic). Each claims a file only by content
    /// discriminators no other importer shares (see each type's `recognises`).
    static let aiProviderImporters: [any ExportImporter.Type] = [
        OpenAIProjectKeysImporter.self,
        OpenAIAdminKeysImporter.self,
        OpenAIUsageImporter.self,
        OpenAICostsImporter.self,
        AnthropicKeysImporter.self,
        AnthropicUsageImporter.self,
        AnthropicCostReportImporter.self,
        OpenRouterActivityImporter.self,
        // Last: it claims only what the importers above leave (listings that name no key and no spend).
        AdminListingImporter.self,
    ]
}

// MARK: - Shared reading helpers for the AI-provider importers

/// A JSON value together with where it sits in the document (`data[2].results[0].input_tokens`), so that
/// errors say where and what. Values are quoted in errors only when short, so a misplaced secret never is.
struct AIExportNode {
    let value: Any?
    let path: String

    init(_ value: Any?, path: String) { self.value = value; self.path = path }

    var object: [String: Any]? { value as? [String: Any] }
    var array: [Any]? { value as? [Any] }
    /// Absent or JSON null.
    var isNull: Bool { value == nil || value is NSNull }

    /// Where, for messages: the path, or "top level" for the document itself.
    var location: String { path.isEmpty ? "top level" : path }

    subscript(key: String) -> AIExportNode {
        AIExportNode(object?[key], path: path.isEmpty ? key : "\(path).\(key)")
    }

    func has(_ key: String) -> Bool { object?[key] != nil }

    func error(_ what: String) -> ExportError { ExportError("\(location): \(what)") }

    /// The child `key`, which must be present and not null.
    func required(_ key: String) throws -> AIExportNode {
        let child = self[key]
        if child.isNull { throw error("missing \"\(key)\"") }
        return child
    }

    /// The elements of an array (absent or null is an error).
    func elements() throws -> [AIExportNode] {
        guard let items = array else { throw error("expected an array, got \(AIExportNode.describe(value))") }
        return items.enumerated().map { AIExportNode($1, path: "\(path)[\($0)]") }
    }

    /// A non-empty string (ids, hints).
    func string() throws -> String {
        guard let s = value as? String else { throw error("expected a string, got \(AIExportNode.describe(value))") }
        if s.trimmingCharacters(in: .whitespaces).isEmpty { throw error("expected a non-empty string, got an empty string") }
        return s
    }

    /// A string when there is one; numbers as their text; nil for absent, null, empty or structured values.
    var optionalString: String? {
        switch value {
        case let s as String: return s.isEmpty ? nil : s
        case let n as NSNumber: return n.stringValue
        default: return nil
        }
    }

    /// A finite number (JSON number or numeric string); nil for absent or null.
    func optionalNumber() throws -> Double? {
        if isNull { return nil }
        if let s = value as? String, s.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        guard let n = ExportValue.number(value), n.isFinite else {
            throw error("expected a number, got \(AIExportNode.describe(value))")
        }
        return n
    }

    /// A money amount (see `ExportLimits`): finite, within ±1e9 per row, not negative unless `allowNegative`; nil for
    /// absent or null. `scale` converts the exported unit first (Anthropic cents → dollars: 0.01).
    func optionalAmount(scale: Double = 1, allowNegative: Bool = false) throws -> Double? {
        if let s = value as? String, let v = Double(s.trimmingCharacters(in: .whitespaces)), !v.isFinite {
            throw ExportLimits.rowError(location, ExportLimits.outOfRange)
        }
        guard let n = try optionalNumber() else { return nil }
        return try ExportLimits.amount(n * scale, at: location, allowNegative: allowNegative)
    }

    /// The `YYYY-MM-DD` of a bucket's start, which must be a usage day (2000–2099, see `ExportLimits`).
    func usageDay() throws -> String {
        try ExportLimits.usageDay(try date(), at: location)
    }

    /// A non-negative whole count (tokens, requests); 0 for absent or null.
    func count() throws -> Int {
        guard let n = try optionalNumber() else { return 0 }
        guard n >= 0, n < 9.0e15 else { throw error("expected a count, got \(AIExportNode.describe(value))") }
        return Int(n.rounded())
    }

    /// A date (Unix seconds or ISO 8601) between 1970 and 9999; nil for absent, null, 0 and `n/a`-like text.
    func optionalDate() throws -> Date? {
        switch value {
        case nil, is NSNull: return nil
        case let n as NSNumber where n.doubleValue <= 0: return nil
        case let s as String where ["", "n/a", "null", "none", "never", "-", "0", "no_information", "not_supported"]
            .contains(s.trimmingCharacters(in: .whitespaces).lowercased()): return nil
        case is NSNumber, is String:
            guard let date = ExportValue.date(value) else { throw error("expected a date, got \(AIExportNode.describe(value))") }
            guard date.timeIntervalSince1970 > 0, date.timeIntervalSince1970 < 253_402_300_800 else {
                throw error("expected a date, got \(AIExportNode.describe(value)) (out of range)")
            }
            return date
        default:
            throw error("expected a date, got \(AIExportNode.describe(value))")
        }
    }

    /// A date that must be present.
    func date() throws -> Date {
        if isNull { throw error("expected a date, got \(AIExportNode.describe(value))") }
        guard let d = try optionalDate() else { throw error("expected a date, got \(AIExportNode.describe(value))") }
        return d
    }

    /// A short description of a value for error messages; strings longer than 16 characters are not quoted.
    static func describe(_ value: Any?) -> String {
        switch value {
        case nil: return "nothing"
        case is NSNull: return "null"
        case let s as String:
            if s.isEmpty { return "an empty string" }
            return s.count <= 16 ? "string \(s.debugDescription)" : "a string of \(s.count) characters"
        case let n as NSNumber: return "number \(n)"
        case is [String: Any]: return "an object"
        case is [Any]: return "an array"
        default: return "\(type(of: value!))"
        }
    }
}

/// How the AI-provider exports lay out their entries: a response `{"data": [...]}`, a bare array of entries,
/// JSON Lines of entries, an array (or JSON Lines) of saved response pages, or a single entry.
enum AIExportEntries {
    /// The entries of `root` with their paths, plus the page (top-level object) each came from.
    /// `isEntry` says whether an object is itself an entry (as opposed to a response page holding `data`).
    static func entries(_ root: Any, isEntry: ([String: Any]) -> Bool) -> [(entry: AIExportNode, page: AIExportNode)] {
        let top = AIExportNode(root, path: "")
        if let object = top.object {
            if isEntry(object) { return [(top, top)] }
            guard let data = top["data"].array else { return [] }
            return data.enumerated().map { (AIExportNode($1, path: "data[\($0)]"), top) }
        }
        guard let items = top.array else { return [] }
        var out: [(AIExportNode, AIExportNode)] = []
        for (i, item) in items.enumerated() {
            let node = AIExportNode(item, path: "[\(i)]")
            if let object = node.object, !isEntry(object), let data = node["data"].array {
                out += data.enumerated().map { (AIExportNode($1, path: "[\(i)].data[\($0)]"), node) }
            } else {
                out.append((node, top))
            }
        }
        return out
    }

    /// The response pages of `root`: the object itself, or each object of an array / JSON Lines.
    static func pages(_ root: Any) -> [AIExportNode] {
        if root is [String: Any] { return [AIExportNode(root, path: "")] }
        guard let items = root as? [Any] else { return [] }
        return items.enumerated().map { AIExportNode($1, path: "[\($0)]") }
    }

    /// Up to `limit` entries, for detection (which must stay cheap on large files).
    static func sample(_ root: Any, limit: Int = 20, isEntry: ([String: Any]) -> Bool) -> [[String: Any]] {
        if let object = root as? [String: Any] {
            if isEntry(object) { return [object] }
            return ((object["data"] as? [Any]) ?? []).prefix(limit).compactMap { $0 as? [String: Any] }
        }
        guard let items = root as? [Any] else { return [] }
        var out: [[String: Any]] = []
        for item in items.prefix(limit) {
            guard let object = item as? [String: Any] else { continue }
            if !isEntry(object), let data = object["data"] as? [Any] {
                out += data.prefix(limit).compactMap { $0 as? [String: Any] }
            } else {
                out.append(object)
            }
            if out.count >= limit { break }
        }
        return out
    }
}

/// Turns a provider's redaction hint into a `KeyRecognition.hint`.
enum RedactionHint {
    /// `sk-abc...def` (or `…`) → prefix and suffix, length unknown; `sk-proj-****…****abcd` → prefix before the
    /// first `*`, suffix after the last, length of the whole string. Nil when neither form is present (the value
    /// may then be a whole key, so callers must not echo it) or when no characters are visible.
    static func parse(_ text: String) -> KeyRecognition? {
        let value = text.trimmingCharacters(in: .whitespaces)
        for ellipsis in ["...", "…"] {
            if let range = value.range(of: ellipsis) {
                let prefix = String(value[..<range.lowerBound]).trimmingCharacters(in: CharacterSet(charactersIn: "*."))
                let suffix = String(value[range.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "*."))
                guard !prefix.isEmpty || !suffix.isEmpty else { return nil }
                return .hint(prefix: prefix, suffix: suffix, length: nil)
            }
        }
        guard let first = value.firstIndex(of: "*"), let last = value.lastIndex(of: "*") else { return nil }
        let prefix = String(value[..<first])
        let suffix = String(value[value.index(after: last)...])
        guard !prefix.isEmpty || !suffix.isEmpty else { return nil }
        return .hint(prefix: prefix, suffix: suffix, length: value.count)
    }

    /// Reads `field` of `entry` as a redaction hint, or throws naming the field without echoing its value.
    static func read(_ entry: AIExportNode, field: String) throws -> KeyRecognition {
        let node = try entry.required(field)
        let text = try node.string()
        guard let hint = parse(text) else {
            throw node.error("not a redaction hint (expected \"prefix...suffix\" or \"*\" masking; value not shown)")
        }
        return hint
    }
}
