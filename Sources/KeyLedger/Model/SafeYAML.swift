import Foundation
import Yams

/// YAML parsing that cannot trap on input.
///
/// Yams' `load` builds `[AnyHashable: Any]` from mappings and force-unwraps when a key is itself a mapping or a
/// sequence — which is exactly what a Helm template value (`password: {{ .Values.password }}`) parses to, and it
/// took the whole process down. Here documents are composed into nodes (libyaml's parser, which reports errors
/// instead of trapping) and converted by hand: mapping keys must be scalars, nesting and node counts are bounded
/// (aliases can expand a small file into billions of nodes), and anything else is a `SafeYAML.Failure`.
public enum SafeYAML {
    /// Why a document could not be read; `line` is 1-based when known.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var line: Int?
        public var message: String
        public var description: String { line.map { "line \($0): \(message)" } ?? message }
    }

    /// Bounds on what one document may expand to.
    public struct Limits: Sendable {
        public var depth = 128
        public var nodes = 2_000_000
        public static let standard = Limits()
    }

    /// The first document of `text` as `[String: Any]` / `[Any]` / scalars (`String`, `Int`, `Double`, `Bool`,
    /// `NSNull`), or nil for an empty document.
    public static func load(_ text: String, limits: Limits = .standard) throws -> Any? {
        try prescreen(text, limits: limits)
        let node: Node?
        do { node = try Yams.compose(yaml: text, .basic) } catch { throw failure(from: error) }
        guard let node else { return nil }
        var budget = limits.nodes
        return try convert(node, depth: 0, limits: limits, budget: &budget)
    }

    /// Every document of a multi-document stream (`---` separated).
    public static func loadAll(_ text: String, limits: Limits = .standard) throws -> [Any] {
        try prescreen(text, limits: limits)
        var out: [Any] = []
        var budget = limits.nodes
        do {
            for node in try Yams.compose_all(yaml: text, .basic) {
                out.append(try convert(node, depth: 0, limits: limits, budget: &budget))
            }
        } catch let f as Failure { throw f } catch { throw failure(from: error) }
        return out
    }

    /// Rejects flow nesting deeper than the limit before the (recursive) composer sees it: a line of ten thousand
    /// `[` would otherwise exhaust a scanning thread's stack.
    static func prescreen(_ text: String, limits: Limits) throws {
        var depth = 0
        var line = 1
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limits.depth { throw Failure(line: line, message: "nested deeper than \(limits.depth) levels") }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            case UInt8(ascii: "\n"):
                line += 1
                // Flow collections rarely span lines in config; quoted brackets in plain text must not accumulate.
                if depth > 0 && depth < 4 { depth = 0 }
            default:
                break
            }
        }
    }

    private static func convert(_ node: Node, depth: Int, limits: Limits, budget: inout Int) throws -> Any {
        budget -= 1
        guard budget >= 0 else { throw Failure(line: node.mark.map { $0.line }, message: "more than \(limits.nodes) nodes (alias expansion?)") }
        guard depth <= limits.depth else { throw Failure(line: node.mark.map { $0.line }, message: "nested deeper than \(limits.depth) levels") }
        switch node {
        case .scalar(let scalar):
            // Tags are resolved here, not by Yams' resolver, which runs several regexes on every scalar (a third of
            // loading the built-in rules): quoted and block scalars are strings; plain ones may be null, a boolean
            // or a number (YAML 1.2 core schema spellings).
            guard scalar.style == .plain || scalar.style == .any else { return scalar.string }
            let text = scalar.string
            switch text {
            case "", "~", "null", "Null", "NULL": return NSNull()
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
            if let first = text.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || (first >= 0x30 && first <= 0x39) || first == UInt8(ascii: ".") {
                if let i = Int(text) { return i }
                if text.contains("."), let d = Double(text), d.isFinite { return d }
            }
            if text == ".inf" || text == ".nan" { return text }
            return text
        case .sequence(let sequence):
            var out: [Any] = []
            out.reserveCapacity(sequence.count)
            for item in sequence { out.append(try convert(item, depth: depth + 1, limits: limits, budget: &budget)) }
            return out
        case .mapping(let mapping):
            var out: [String: Any] = [:]
            for (key, value) in mapping {
                guard case .scalar = key, let name = key.string else {
                    // `{{ .Values.x }}` parses as a mapping whose key is a mapping: a template, not data.
                    throw Failure(line: key.mark.map { $0.line }, message: "a mapping key that is not a plain value (a template such as {{ … }}?)")
                }
                out[name] = try convert(value, depth: depth + 1, limits: limits, budget: &budget)
            }
            return out
        case .alias:
            throw Failure(line: node.mark.map { $0.line }, message: "unresolved alias")
        }
    }

    /// libyaml's short problem text ("mapping values are not allowed in this context") and line; never the
    /// offending line itself, which may hold a secret.
    private static func failure(from error: Error) -> Failure {
        switch error as? YamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return Failure(line: mark.line, message: "not valid YAML (\(problem))")
        case .duplicatedKeysInMapping:
            return Failure(line: nil, message: "not valid YAML (a key is repeated in one mapping)")
        default:
            return Failure(line: nil, message: "not valid YAML")
        }
    }
}
