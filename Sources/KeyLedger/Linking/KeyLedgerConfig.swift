import Foundation
import Yams

/// `keyledger.yml`: owners (teams with contact and cost centre, matched by repository/path globs, provider
/// project/workspace and key id) and price overrides. Errors name the file and line.
public struct KeyLedgerConfig: Sendable {
    public struct Team: Sendable, Equatable {
        public var team: String
        public var contact: String?
        public var costCentre: String?
        public var repositories: [String]
        public var paths: [String]
        public var projects: [String]
        public var keyIds: [String]
    }

    public var owners: [Team] = []
    public var prices: [ModelPrice] = []
    public var policy = RiskPolicy()
    /// Where the file came from, for messages.
    public var source: String = "(defaults)"

    public init() {}

    public struct ConfigError: Error, CustomStringConvertible, Sendable {
        public var file: String
        public var line: Int?
        public var message: String
        public var description: String { "\(file)\(line.map { ": line \($0)" } ?? ""): \(message)" }
    }

    public static func load(path: String) throws -> KeyLedgerConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, message: "cannot read the file")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String) throws -> KeyLedgerConfig {
        var config = KeyLedgerConfig()
        config.source = source
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw ConfigError(file: source, line: nil, message: "not valid YAML: \(error)")
        }
        guard let root else { return config }
        func fail(_ node: Node, _ message: String) -> ConfigError {
            ConfigError(file: source, line: node.mark.map { $0.line }, message: message)
        }
        guard let top = root.mapping else { throw fail(root, "expected a mapping with `owners`, `prices`, `policy`") }
        for (key, value) in top {
            switch key.string {
            case "owners":
                guard let list = value.sequence else { throw fail(value, "`owners` must be a list of teams") }
                for item in list {
                    guard let m = item.mapping else { throw fail(item, "each owner needs `team` and match rules") }
                    func strings(_ name: String) throws -> [String] {
                        guard let v = m[name] else { return [] }
                        if let s = v.string { return [s] }
                        guard let seq = v.sequence else { throw fail(v, "`\(name)` must be a string or a list of strings") }
                        return try seq.map { n in
                            guard let s = n.string else { throw fail(n, "`\(name)` entries must be strings") }
                            return s
                        }
                    }
                    guard let team = m["team"]?.string, !team.isEmpty else { throw fail(item, "owner entry is missing `team`") }
                    for k in m.keys.compactMap(\.string) where !["team", "contact", "cost_centre", "cost_center", "repositories",
                                                               "paths", "projects", "key_ids"].contains(k) {
                        throw fail(item, "unknown owner field `\(k)` (expected team, contact, cost_centre, repositories, paths, projects, key_ids)")
                    }
                    let entry = Team(team: team, contact: m["contact"]?.string, costCentre: (m["cost_centre"] ?? m["cost_center"])?.string,
                                     repositories: try strings("repositories"), paths: try strings("paths"),
                                     projects: try strings("projects"), keyIds: try strings("key_ids"))
                    for glob in entry.repositories + entry.paths where Glob(glob) == nil {
                        throw fail(item, "`\(glob)` is not a valid glob")
                    }
                    config.owners.append(entry)
                }
            case "prices":
                guard let list = value.sequence else { throw fail(value, "`prices` must be a list of models") }
                for item in list {
                    guard let m = item.mapping, let model = m["model"]?.string else { throw fail(item, "each price needs `model`") }
                    guard let input = m["input"].flatMap({ $0.float ?? $0.int.map(Double.init) }),
                          let output = m["output"].flatMap({ $0.float ?? $0.int.map(Double.init) }) else {
                        throw fail(item, "price for \(model) needs numeric `input` and `output` (USD per 1M tokens)")
                    }
                    config.prices.append(ModelPrice(model: model, provider: m["provider"]?.string, input: input, output: output,
                                                    checked: m["checked"]?.string ?? "keyledger.yml"))
                }
            case "policy":
                config.policy = try RiskPolicy.parse(value, source: source)
            default:
                throw fail(key, "unknown section `\(key.string ?? "?")` (expected owners, prices, policy)")
            }
        }
        return config
    }
}
