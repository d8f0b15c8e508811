import ArgumentParser
import Foundation
import KeyLedger

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan git repositories (history + work tree), folders and files for credentials.",
        discussion: """
        Exit status: 0 when nothing is found (or nothing at or above --fail-on), 1 when credentials are found \
        (at or above --fail-on when given), 2 on a usage or input error.
        """)

    @Argument(help: "Repositories, folders or files to scan (default: the current directory).")
    var paths: [String] = []

    @Flag(name: .customLong("no-history"), help: "Scan only the work tree of git repositories, not their history.")
    var noHistory = false

    @Option(help: "Only report what commits after REV introduced (REV..HEAD), for pull requests.")
    var since: String?

    @Flag(help: "Scan only what is staged for the next commit (the pre-commit hook): the index, not the work tree.")
    var staged = false

    @Option(help: "Baseline file from `keyledger baseline`: its credentials are reported as suppressed and do not fail the run.")
    var baseline: String?

    @Option(help: "Output format: table, json, csv, md, sarif or html (one self-contained page).")
    var format: RegisterFormat = .table

    @Option(name: .customLong("fail-on"), help: "Exit 1 only when an open credential is at or above this severity (critical, high, medium, low).")
    var failOn: Severity?

    @OptionGroup var outputOption: OutputOption
    var output: String? { outputOption.output }

    @OptionGroup var asOfOption: AsOfOption
    var asOf: String? { asOfOption.asOf }

    @Option(name: .customLong("exports"), parsing: .upToNextOption,
            help: "Provider exports (files or folders; each file's format is detected from its content).")
    var exports: [String] = []

    @OptionGroup var configOption: ConfigOption
    var config: String? { configOption.config }

    @Option(name: .customLong("prices"), help: ArgumentHelp(
        "Model prices overriding the built-in table: keyledger's prices YAML or LiteLLM's model_prices_and_context_window.json "
            + "(keyledger.yml prices: still win).", valueName: "FILE"))
    var prices: String?

    @Option(help: "Record this scan in the history store FILE (SQLite), for `keyledger report` and `keyledger register`.")
    var db: String?

    @Option(name: .customLong("rules"), help: "Extra rules: a folder of rule YAML files or gitleaks TOML configs, or one such file (repeatable).")
    var ruleDirectories: [String] = []

    @Option(name: .customLong("max-file-size"), parsing: .unconditional, help: "Skip files and blobs larger than this many MiB.")
    var maxFileSizeMiB: Int = 25

    @Option(help: "Worker threads for blob scanning (default: all cores).")
    var jobs: Int?

    @Flag(name: .customLong("validate"), help: ArgumentHelp(
        "Ask each found credential's own provider, read-only, whether it still works (OpenAI, Anthropic, GitHub, Hugging Face); "
            + "secrets go only to the official host or keyledger.yml endpoints:. Never with --staged."))
    var validateKeys = false

    @Option(name: .customLong("validate-timeout"), help: ArgumentHelp("Seconds each validation call may take (default 5).", valueName: "SECONDS"))
    var validateTimeout: String?

    @Option(name: .customLong("validate-cache"), help: ArgumentHelp(
        "Reuse an answer the history store (--db) kept from an earlier --validate run for this long instead of asking the "
            + "provider again: 12h, 1d, 7d, 2w, or 0 to always ask (default: keyledger.yml validation: cache_for:, else 1d). "
            + "Only active and revoked answers are kept; a refusal is reused for revoked_cache_for (default 30d).", valueName: "DURATION"))
    var validateCache: String?

    /// `--validate-timeout` in seconds (`5` or `5s`), when valid.
    var validateTimeoutSeconds: TimeInterval? {
        guard let text = validateTimeout else { return 5 }
        guard let t = Double(text.hasSuffix("s") ? String(text.dropLast()) : text), t.isFinite, t > 0, t <= 300 else { return nil }
        return t
    }

    @Flag(help: "Report inputs that could not be read but exit by the findings (0 or 1) instead of 2.")
    var lenient = false

    func validate() throws {
        if maxFileSizeMiB <= 0 { throw ValidationError("--max-file-size must be a positive number of MiB") }
        if let jobs, jobs <= 0 { throw ValidationError("--jobs must be positive") }
        if staged, since != nil { throw ValidationError("--staged and --since cannot be combined") }
        if staged, validateKeys { throw ValidationError("--validate is never part of --staged (the pre-commit path stays offline)") }
        if validateTimeout != nil, !validateKeys { throw ValidationError("--validate-timeout needs --validate") }
        if validateTimeoutSeconds == nil { throw ValidationError("--validate-timeout must be a number of seconds from 0 to 300") }
        if let validateCache {
            if !validateKeys { throw ValidationError("--validate-cache needs --validate") }
            if db == nil { throw ValidationError("--validate-cache needs --db (the answers are kept in the history store)") }
            // The value is not echoed: whatever was typed there may be anything.
            if ValidationCachePolicy.duration(validateCache) == nil {
                throw ValidationError("--validate-cache must be \(ValidationCachePolicy.durationHelp)")
            }
        }
        // `--exports` takes every value up to the next option: a repository written after it was meant to be scanned.
        if paths.isEmpty, let repository = exports.first(where: { FileManager.default.fileExists(atPath: $0 + "/.git") }) {
            throw ValidationError("\(repository) is a git repository, not a provider export: put the paths to scan before --exports")
        }
    }

    func run() throws {
        let outcome = try runPipeline()
        let register = outcome.register
        if staged, format == .table, output == nil {
            // The pre-commit hook: silent when the commit may go on, a short message on stderr when it may not.
            if ExitPolicy.shouldFail(register, failOn: failOn) { Console.errorBlock(PreCommitReporter.render(register)) }
        } else {
            let context = RenderContext(rules: outcome.rules, baseline: outcome.baseline,
                                        budgets: outcome.configuration.policy.budgets,
                                        color: output == nil && isatty(STDOUT_FILENO) == 1,
                                        // A table written to a file is not cut to the terminal that ran the command.
                                        width: output == nil ? nil : 160)
            let text: String
            do { text = try Reporters.render(register, as: format, context: context) } catch { throw fail("\(error)") }
            try Console.write(text, to: output)
        }
        try exit(outcome)
    }

    /// The library pipeline with this command's options; diagnostics go to stderr, and from here on every message
    /// passes the run's sanitiser.
    func runPipeline() throws -> ScanOutcome {
        let interactive = isatty(STDERR_FILENO) == 1
        if paths.isEmpty, !exports.isEmpty {
            // `--exports` takes every value up to the next option: paths written after it are read as exports.
            Console.error("scanning the current directory; put the paths to scan before --exports")
        }
        // Saturates: a size beyond what fits in bytes means "no limit", never an overflow that makes every file too big.
        var limits = ScanLimits(maxFileSizeMiB: maxFileSizeMiB)
        if let jobs { limits.workers = jobs }
        var options = ScanOptions(request: ScanRequest(paths: paths, history: !noHistory, since: since, staged: staged, limits: limits))
        options.ruleSources = ruleDirectories
        options.configPath = config
        options.pricesPath = prices
        options.exports = exports
        options.baselinePath = baseline
        options.storePath = db
        options.validate = validateKeys
        options.validateTimeout = validateTimeoutSeconds ?? 5
        options.validationCacheWindow = validateCache.flatMap(ValidationCachePolicy.duration)
        options.asOf = asOf.flatMap(ISODate.parse) ?? Date()
        if interactive { options.progress = { @Sendable message in Console.status(message) } }
        let outcome: ScanOutcome
        do {
            outcome = try ScanPipeline.run(options)
        } catch {
            if interactive { Console.clearStatus() }
            throw fail("\(error)")
        }
        if interactive { Console.clearStatus() }
        Console.sanitizer = outcome.sanitizer
        for diagnostic in outcome.diagnostics { Console.error(diagnostic.message) }
        return outcome
    }

    /// Exit 2 when something asked for could not be read (unless --lenient), else 1 when the findings fail the run.
    func exit(_ outcome: ScanOutcome) throws {
        if reportUnread(outcome, lenient: lenient), !lenient { throw Exit.inputError }
        if ExitPolicy.shouldFail(outcome.register, failOn: failOn) { throw Exit.findings }
    }
}

/// Names on stderr what a run could not read; true when there was anything (the scan is incomplete: exit 2).
func reportUnread(_ outcome: ScanOutcome, lenient: Bool = false) -> Bool {
    guard outcome.unreadCount > 0 else { return false }
    for input in outcome.unread { Console.error("could not read \(input.path): \(input.detail)") }
    if outcome.unreadCount > outcome.unread.count {
        Console.error("… and \(outcome.unreadCount - outcome.unread.count) more that could not be read")
    }
    Console.error("the scan is incomplete: \(outcome.unreadCount) input(s) could not be read"
                  + (lenient ? " (--lenient: exit by the findings)" : " (exit 2; --lenient exits by the findings)"))
    return true
}

extension RegisterFormat: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}
