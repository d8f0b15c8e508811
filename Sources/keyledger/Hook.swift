import ArgumentParser
import Foundation
import KeyLedger

struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install the git pre-commit hook, or check the files a hook manager passes.",
        subcommands: [Install.self, Check.self])

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

extension Hook {
    /// What the pre-commit framework's file hooks run: the files being committed are scanned exactly as
    /// `keyledger scan FILE…` would, and a commit they would stop gets the native hook's guidance on stderr
    /// (file:line, provider, kind, redacted form, what to do) instead of the register table.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the files about to be committed (the pre-commit framework's `keyledger` hook).",
            discussion: """
            Scans FILE… as `keyledger scan FILE…` does (keyledger.yml, --baseline, --rules, --fail-on and the other scan \
            options apply) and prints nothing when the commit may go on. When it may not, it prints the same message \
            as the hook `keyledger hook install` writes and exits 1. Without files there is nothing to check: exit 0.
            """)

        @Argument(parsing: .captureForPassthrough, help: "The files being committed, and any `keyledger scan` options.")
        var arguments: [String] = []

        func run() throws {
            let scan = try Scan.parse(arguments)
            guard !scan.paths.isEmpty else { return }
            let conflicting = [("--format", scan.format != .table), ("--output", scan.output != nil), ("--db", scan.db != nil),
                               ("--staged", scan.staged), ("--since", scan.since != nil)]
            if let (option, _) = conflicting.first(where: \.1) {
                throw fail("\(option) cannot be used with `keyledger hook check`: it answers as the pre-commit hook does")
            }
            let outcome = try scan.runPipeline()
            if ExitPolicy.shouldFail(outcome.register, failOn: scan.failOn) {
                Console.errorBlock(PreCommitReporter.render(outcome.register))
            }
            try scan.exit(outcome)
        }
    }
}
