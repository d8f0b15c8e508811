import ArgumentParser
import Foundation
import KeyLedger

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the rules, or prove rules against their examples.",
        subcommands: [List.self, Test.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List built-in rules (and those in --rules folders).")
        @Option(name: .customLong("rules"), help: "Extra rules: a folder of rule YAML files or gitleaks TOML configs, or one such file (repeatable).")
        var ruleDirectories: [String] = []

        func run() throws {
            let rules: [Rule]
            do { rules = try loadRules(extra: ruleDirectories) } catch { throw fail("\(error)") }
            let width = rules.map(\.id.count).max() ?? 10
            var out = ""
            for rule in rules.sorted(by: { $0.id < $1.id }) {
                out += rule.id.padding(toLength: width + 2, withPad: " ", startingAt: 0) + rule.name + "\n"
            }
            out += "\(rules.count) rules\n"
            try Console.write(out, to: nil)
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every rule's examples and negative examples; exit 1 when any fails.",
            discussion: """
                With DIR, tests the rules in that folder together with the built-in rules they compete with; a rule in \
                DIR with a built-in rule's id replaces it, so `keyledger rules test rules/` tests a working copy of the \
                built-in rules.
                """)
        @Argument(help: "Rules to test: a folder of rule YAML files or gitleaks TOML configs, or one such file (default: the built-in rules).")
        var directory: String?

        func run() throws {
            let builtin: [Rule]
            let tested: [Rule]
            do {
                builtin = try RuleLoader.builtin()
                if let directory {
                    let set = try RuleLoader.load(path: directory)
                    warn(set.warnings)
                    tested = set.rules
                } else {
                    tested = builtin
                }
            } catch { throw fail("\(error)") }
            let testedIDs = Set(tested.map(\.id))
            let all = directory == nil ? builtin : builtin.filter { !testedIDs.contains($0.id) } + tested
            let matcher: RuleMatcher
            do { matcher = try RuleMatcher(rules: all) } catch { throw fail("\(error)") }
            let failures = RuleTester.run(tested, matcher: matcher)
            for f in failures { Console.errorBlock("FAIL \(f)\n") }
            let examples = tested.reduce(0) { $0 + $1.examples.count + $1.negativeExamples.count }
            Console.print("\(tested.count) rules, \(examples) examples: \(failures.isEmpty ? "all pass" : "\(failures.count) failures")")
            if !failures.isEmpty { throw ExitCode(1) }
        }
    }
}
