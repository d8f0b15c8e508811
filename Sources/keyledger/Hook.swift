import ArgumentParser
import Foundation
import KeyLedger

struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install the git pre-commit hook that runs `keyledger scan --staged`.",
        subcommands: [Install.self])

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write .git/hooks/pre-commit so every commit is checked for credentials first.",
            discussion: """
            A pre-commit hook keyledger did not write is left alone unless --force is given; then it is kept as \
            .git/hooks/\(PreCommitHook.backupName). Installing again updates keyledger's own hook in place.
            """)

        @Argument(help: "The repository (default: the current directory, or the repository above it).")
        var path: String = "."

        @Flag(help: "Replace a pre-commit hook that keyledger did not write.")
        var force = false

        func run() throws {
            // The hook runs this very binary (or the one on PATH once this one is gone).
            let executable = Bundle.main.executablePath ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
            let outcome: PreCommitHook.Outcome
            do { outcome = try PreCommitHook.install(in: path, executable: executable, force: force) } catch {
                throw fail("\(error)")
            }
            switch outcome {
            case .installed(let hook): Console.print("installed \(hook)")
            case .updated(let hook): Console.print("updated \(hook)")
            case .unchanged(let hook): Console.print("already installed: \(hook)")
            case .replaced(let hook, let backup): Console.print("installed \(hook); the previous hook is kept as \(backup)")
            }
        }
    }
}
