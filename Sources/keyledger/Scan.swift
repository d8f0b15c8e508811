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
    var format: OutputFormat = .table

    @Option(name: .customLong("fail-on"), help: "Exit 1 only when an open credential is at or above this severity (critical, high, medium, low).")
    var failOn: String?

    @Option(help: "Write the output to FILE instead of standard output.")
    var output: String?

    @Option(name: .customLong("as-of"), help: "Treat DATE (YYYY-MM-DD) as today, for reproducible ages and windows.")
    var asOf: String?

    @Option(name: .customLong("exports"), parsing: .upToNextOption,
            help: "Provider exports (files or folders; each file's format is detected from its content).")
    var exports: [String] = []

    @Option(help: "keyledger.yml with owners, prices and policy (default: ./keyledger.yml when present).")
    var config: String?

    @Option(help: "Record this scan in the history store FILE (SQLite), for `keyledger report` and `keyledger register`.")
    var db: String?

    @Option(name: .customLong("rules"), help: "Extra rules: a folder of rule YAML files or gitleaks TOML configs, or one such file (repeatable).")
    var ruleDirectories: [String] = []

    @Option(name: .customLong("max-file-size"), help: "Skip files and blobs larger than this many MiB (default 25).")
    var maxFileSizeMiB: Int = 25

    @Option(help: "Worker threads for blob scanning (default: all cores).")
    var jobs: Int?

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json, csv, md, sarif, html }

    func validate() throws {
        if let asOf, ISODate.parse(asOf) == nil { throw ValidationError("--as-of must be a date like 2026-11-20 (got '\(asOf)')") }
        if maxFileSizeMiB <= 0 { throw ValidationError("--max-file-size must be positive") }
        if let jobs, jobs <= 0 { throw ValidationError("--jobs must be positive") }
        if staged, since != nil { throw ValidationError("--staged and --since cannot be combined") }
        if let failOn, !RiskPolicy.severities.contains(failOn) {
            throw ValidationError("--fail-on must be one of critical, high, medium, low (got '\(failOn)')")
        }
    }

    func run() throws {
        let asOfDate = asOf.flatMap(ISODate.parse) ?? Date()
        if paths.isEmpty, !exports.isEmpty {
            // `--exports` takes every value up to the next option: paths written after it are read as exports.
            FileHandle.standardError.write(Data("keyledger: scanning the current directory; put the paths to scan before --exports\n".utf8))
        }
        var accepted: Baseline?
        if let baseline {
            do { accepted = try Baseline.load(path: baseline) } catch { throw fail("\(error)") }
        }
        let matcher: RuleMatcher
        do { matcher = try RuleMatcher(rules: loadRules(extra: ruleDirectories)) } catch {
            throw fail("\(error)")
        }
        if !ruleDirectories.isEmpty {
            // Users' rules prove themselves as the built-in ones do; a failing example is worth knowing before trusting a scan.
            let builtinIDs = Set((try? RuleLoader.builtin())?.map(\.id) ?? [])
            let userRules = matcher.rules.filter { !builtinIDs.contains($0.id) }
            for failure in RuleTester.run(userRules, matcher: matcher).prefix(10) {
                FileHandle.standardError.write(Data("keyledger: warning: \(failure) (see `keyledger rules test`)\n".utf8))
            }
        }
        let interactive = isatty(STDERR_FILENO) == 1
        let scanner = Scanner(matcher: matcher, progress: interactive ? { @Sendable message in
            FileHandle.standardError.write(Data("\u{1B}[2K\r\(message)…".utf8))
        } : nil)
        var limits = ScanLimits(maxFileSize: maxFileSizeMiB << 20)
        if let jobs { limits.workers = jobs }
        let request = ScanRequest(paths: paths, history: !noHistory, since: since, staged: staged, limits: limits)
        let result: ScanResult
        do { result = try scanner.run(request) } catch let error as InputError {
            if interactive { FileHandle.standardError.write(Data("\u{1B}[2K\r".utf8)) }
            throw fail(error.description)
        }
        if interactive { FileHandle.standardError.write(Data("\u{1B}[2K\r".utf8)) }
        var configuration = KeyLedgerConfig()
        let configPath = config ?? (FileManager.default.fileExists(atPath: "keyledger.yml") ? "keyledger.yml" : nil)
        if let configPath {
            do { configuration = try KeyLedgerConfig.load(path: configPath) } catch { throw fail("\(error)") }
        }
        let bundle = ExportLoader.load(paths: exports)
        for problem in bundle.problems {
            FileHandle.standardError.write(Data("keyledger: skipped export \(problem.path): \(problem.reason)\n".utf8))
        }
        let linker = Linker(bundle: bundle, config: configuration, codeOwners: result.codeOwners, asOf: asOfDate)
        let linked = linker.link(Inventory.build(result.findings))
        var register = RegisterBuilder.build(result: result, linked: linked, exports: bundle, policy: configuration.policy, asOf: asOfDate)
        accepted?.apply(to: &register, asOf: asOfDate)
        if let db {
            do { try HistoryStore.open(path: db).record(register) } catch { throw fail("\(error)") }
        }
        let text: String
        switch format {
        case .json: text = try JSONReporter.render(register)
        case .table: text = TableReporter.render(register, color: output == nil && isatty(STDOUT_FILENO) == 1)
        case .csv: text = CSVReporter.render(register)
        case .md: text = MarkdownReporter.render(register)
        case .sarif: text = try SARIFReporter.render(register, rules: matcher.rules, baseline: accepted)
        case .html:
            // The report page for this one scan (no earlier scan to compare with; `keyledger report` does that).
            text = WeeklyReportHTML.render(WeeklyReport.build(current: register, previous: nil, asOf: register.asOf,
                                                              budgets: configuration.policy.budgets))
        }
        if staged, format == .table, output == nil {
            // The pre-commit hook: silent when the commit may go on, a short message on stderr when it may not.
            if ExitPolicy.shouldFail(register, failOn: failOn) {
                FileHandle.standardError.write(Data(PreCommitReporter.render(register).utf8))
            }
        } else if let output {
            do { try OutputWriter.write(text, to: output) } catch { throw fail("\(error)") }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        // Skipped inputs reach the log in CI too; binary files are counted but not listed (they are expected).
        let notable = result.tally.problems.filter { !$0.reason.hasPrefix("binary") }
        for problem in notable.prefix(20) {
            FileHandle.standardError.write(Data("keyledger: skipped \(problem.path): \(problem.reason)\n".utf8))
        }
        if notable.count > 20 {
            FileHandle.standardError.write(Data("keyledger: … and \(notable.count - 20) more skipped inputs (scan.problems in --format json)\n".utf8))
        }
        if ExitPolicy.shouldFail(register, failOn: failOn) { throw Exit.findings }
    }
}
