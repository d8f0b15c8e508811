import ArgumentParser
import Foundation
import KeyLedger

@main
struct KeyLedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyledger",
        abstract: "Find machine credentials in git history and config stores and write a cost/identity risk register.",
        version: KeyLedgerVersion.current,
        subcommands: [Scan.self, Collect.self, Report.self, RegisterExport.self, Rules.self, BaselineCommand.self, Hook.self],
        defaultSubcommand: nil)

    /// Maps every outcome to the documented exit codes: 0 clean, 1 findings, 2 usage or input error.
    static func main() {
        if CommandLine.arguments.count == 1 {
            // No subcommand is a usage error: say what exists, exit 2.
            Console.errorBlock(helpMessage() + "\n")
            Foundation.exit(Exit.inputError.rawValue)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help, --version: print and leave cleanly.
                Console.print(fullMessage(for: error))
                Foundation.exit(0)
            }
            if let exit = error as? ExitCode, exit == Exit.findings || exit == Exit.inputError || exit == ExitCode(1) {
                Foundation.exit(exit.rawValue)
            }
            Console.error(fullMessage(for: error))
            Foundation.exit(Exit.inputError.rawValue)
        }
    }
}

/// Exit codes: 0 clean, 1 findings, 2 usage or input error.
enum Exit {
    static let findings = ExitCode(1)
    static let inputError = ExitCode(2)
}

func fail(_ message: String) -> ExitCode {
    Console.error(message)
    return Exit.inputError
}

/// Loads the built-in rules plus any from `--rules PATH` (rule YAML, gitleaks TOML; a rule with a built-in id
/// replaces it); says on stderr what of the
/// imported configs could not be used.
func loadRules(extra: [String]) throws -> [Rule] {
    let set = try RuleLoader.loadWithBuiltins(extra: extra)
    warn(set.warnings)
    return set.rules
}

/// Prints rule warnings (untranslatable gitleaks rules, parts not applied) on stderr.
func warn(_ warnings: [RuleWarning]) {
    for warning in warnings {
        Console.error("warning: \(warning)")
    }
}
