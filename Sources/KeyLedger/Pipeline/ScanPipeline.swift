import Foundation

/// What one run of the pipeline should do: the scan request plus everything around it.
public struct ScanOptions: Sendable {
    public var request: ScanRequest
    /// Extra rule sources (`--rules`): rule YAML folders or files, gitleaks/betterleaks TOML.
    public var ruleSources: [String] = []
    /// keyledger.yml; nil reads `./keyledger.yml` when present.
    public var configPath: String?
    /// `--prices FILE`: a price list (keyledger's YAML or LiteLLM's JSON) over the built-in table, under keyledger.yml's.
    public var pricesPath: String?
    /// A configuration built in code (library users, tests); wins over `configPath`.
    public var configuration: KeyLedgerConfig?
    /// A matcher to reuse across runs (library users scanning many targets); built from the rules when nil.
    public var matcher: RuleMatcher?
    /// The register's `generated_at` (reproducible output); now when nil.
    public var generatedAt: Date?
    /// Provider export files or folders (`--exports`).
    public var exports: [String] = []
    /// A baseline file whose credentials are reported as suppressed.
    public var baselinePath: String?
    /// A history store to record the register into.
    public var storePath: String?
    /// Today, for reproducible ages and windows.
    public var asOf: Date = Date()
    /// Whether exports are linked (the `baseline` command records what the scan found, nothing else).
    public var linkExports = true
    /// `--validate`: ask each found credential's own provider, read-only, whether it works (never for `staged` scans).
    public var validate = false
    /// Seconds per validation call.
    public var validateTimeout: TimeInterval = 5
    /// `--validate-cache`: seconds an answer kept in the history store (`storePath`) is reused instead of asking the
    /// provider again (0 always asks); nil takes `keyledger.yml` `validation: cache_for:`, else one day. Refusals keep
    /// `revoked_cache_for` (`ValidationCachePolicy`).
    public var validationCacheWindow: TimeInterval?
    /// A short status line during long stages (a terminal's progress line).
    public var progress: (@Sendable (String) -> Void)?

    public init(request: ScanRequest) { self.request = request }
}

/// Something a run noticed that a person should read, already cleaned of secrets.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// A rule source could not be used in full.
        case ruleWarning = "rule-warning"
        /// A user rule's own example fails.
        case ruleExample = "rule-example"
        /// An export file was skipped (malformed, unknown format, a rejected row).
        case skippedExport = "skipped-export"
        /// A scanned input was skipped (oversized, unreadable, undecodable); binary files are counted, not listed.
        case skippedInput = "skipped-input"
        /// keyledger.yml says something that has no effect.
        case configWarning = "config-warning"
        /// How the command was used may not do what the user meant.
        case usage
    }
    public var kind: Kind
    public var message: String
    public var description: String { message }
}

/// What a run produced: the register (cleaned of secrets), and what is needed to render and judge it.
public struct ScanOutcome: Sendable {
    public var register: Register
    public var rules: [Rule]
    public var baseline: Baseline?
    public var configuration: KeyLedgerConfig
    public var diagnostics: [Diagnostic]
    /// What was asked for and could not be read (cleaned; the first 1,000); a non-empty list makes the run exit 2.
    public var unread: [UnreadableInput]
    /// How many inputs could not be read in all (`unread` keeps the first 1,000).
    public var unreadCount: Int
    /// The gate every outgoing string of this run passes (knows the secrets this run found).
    public var sanitizer: Sanitizer
    /// The scan itself: findings (secrets stay `Secret`s) and counters, for library users that want more than the
    /// register.
    public var result: ScanResult
}

/// A stage of the pipeline failed as a whole (rules that do not load, a missing path, an unwritable store).
public struct PipelineError: Error, CustomStringConvertible, Sendable {
    public enum Stage: String, Sendable { case rules, baseline, config, scan, register, store }
    public var stage: Stage
    /// Already cleaned: safe to print.
    public var message: String
    public var description: String { message }
}

/// scan → inventory → link → risk → register → baseline → store, in one place: the `scan` and `baseline` commands,
/// the tests and library users all run it.
public enum ScanPipeline {
    public static func run(_ options: ScanOptions) throws -> ScanOutcome {
        var diagnostics: [Diagnostic] = []
        // Rules first: the matcher is also the sanitiser's second net, so every later message can be cleaned.
        var ruleSet = RuleSet()
        let matcher: RuleMatcher
        do {
            if let given = options.matcher {
                matcher = given
            } else {
                ruleSet = try RuleLoader.loadWithBuiltins(extra: options.ruleSources)
                matcher = try RuleMatcher(rules: ruleSet.rules)
            }
        } catch {
            throw PipelineError(stage: .rules, message: Sanitizer.standardClean("\(error)"))
        }
        let sanitizer = Sanitizer(matcher: matcher)
        func stageError(_ stage: PipelineError.Stage, _ error: Error) -> PipelineError {
            PipelineError(stage: stage, message: sanitizer.clean("\(error)", multiline: true))
        }
        diagnostics += ruleSet.warnings.map { Diagnostic(kind: .ruleWarning, message: sanitizer.clean("warning: \($0)", multiline: true)) }
        if !options.ruleSources.isEmpty, options.matcher == nil {
            // Users' rules prove themselves as the built-in ones do; a failing example is worth knowing before trusting a scan.
            let builtinIDs = Set((try? RuleLoader.builtin())?.map(\.id) ?? [])
            let userRules = matcher.rules.filter { !builtinIDs.contains($0.id) }
            diagnostics += RuleTester.run(userRules, matcher: matcher).prefix(10).map {
                Diagnostic(kind: .ruleExample, message: sanitizer.clean("warning: \($0) (see `keyledger rules test`)", multiline: true))
            }
        }
        var baseline: Baseline?
        if let path = options.baselinePath {
            do { baseline = try Baseline.load(path: path) } catch { throw stageError(.baseline, error) }
        }
        var configuration = options.configuration ?? KeyLedgerConfig()
        let implicitConfig = options.configuration == nil && options.configPath == nil && FileManager.default.fileExists(atPath: "keyledger.yml")
        if options.configuration == nil, let path = options.configPath ?? (implicitConfig ? "keyledger.yml" : nil) {
            do { configuration = try KeyLedgerConfig.load(path: path) } catch { throw stageError(.config, error) }
        }
        // A keyledger.yml picked up from the working directory may belong to the checkout being scanned (a pull request
        // can add one), not to whoever runs the scan: its `endpoints:` could send every key found to another host. Only
        // a file named with --config decides where --validate sends keys; owners, prices and policy still apply.
        if implicitConfig, options.validate, !configuration.endpoints.overrides.isEmpty {
            configuration.endpoints = ValidationEndpoints()
            diagnostics.append(Diagnostic(kind: .configWarning, message: "warning: endpoints: in ./keyledger.yml is ignored for --validate: "
                + "a file found in the working directory may come with the checkout and could send the keys found to another host; "
                + "name it with --config to use it"))
        }
        // Overrides naming no rule, provider.kind or provider do nothing: say so (warnings, since --rules can add ids).
        if let path = options.pricesPath {
            do { configuration.prices = try PriceList.load(path: path) + configuration.prices } catch { throw stageError(.config, error) }
        }
        diagnostics += configuration.unknownRuleReferences(rules: matcher.rules).map {
            Diagnostic(kind: .configWarning, message: sanitizer.clean("warning: \($0)", multiline: true))
        }

        let result: ScanResult
        do { result = try Scanner(matcher: matcher, progress: options.progress).run(options.request) } catch {
            throw stageError(.scan, error)
        }
        // Secrets of identifier rules (an AWS access key id) name an identity; everything else found is a secret.
        sanitizer.remember(result.findings.filter { !$0.rule.isIdentifier }.map(\.secret))

        // Never a silent "clean": what the scan could not read, and export files named but not readable.
        var unread = result.unreadable
        var unreadCount = result.tally.unreadableCount
        let exports = options.linkExports ? ExportLoader.load(paths: options.exports) : ExportBundle()
        let requested = Set(options.exports)
        for problem in exports.problems {
            // A bad row skips the row, not the file (`ExportLimits`): say which.
            let what = ExportLimits.isRowProblem(problem.reason) ? "skipped rows of export" : "skipped export"
            diagnostics.append(Diagnostic(kind: .skippedExport, message: sanitizer.clean("\(what) \(problem.path): \(problem.reason)")))
            if requested.contains(problem.path) && !FileManager.default.isReadableFile(atPath: problem.path) {
                unread.append(UnreadableInput(path: problem.path, reason: "unreadable-export", detail: problem.reason))
                unreadCount += 1
            }
        }
        unread = unread.map { UnreadableInput(path: sanitizer.clean($0.path), reason: $0.reason, detail: sanitizer.clean($0.detail)) }
        let linker = Linker(bundle: exports, config: configuration, codeOwners: result.codeOwners, asOf: options.asOf)
        let estate = linker.linkEstate(Inventory.build(result.findings))
        var credentials = estate.credentials
        // The history store is opened once, before validation when that reuses its answers, and records at the end.
        var store: HistoryStore?
        defer { store?.close() }
        func openStore(_ path: String) throws -> HistoryStore {
            if let store { return store }
            do { store = try HistoryStore.open(path: path) } catch { throw stageError(.store, error) }
            return store!
        }
        // Validation after linking, before the register is built and sanitised; never on the pre-commit path.
        var answers: [StoredValidation] = []
        if options.validate, !options.request.staged {
            let stage = ValidationStage(endpoints: configuration.endpoints, timeout: options.validateTimeout)
            if let path = options.storePath {
                // Answers kept from earlier runs are reused for a while; only the rest are asked (`ValidationCachePolicy`).
                let policy = options.validationCacheWindow.map { ValidationCachePolicy(window: $0, revokedWindow: configuration.validationCache.revokedWindow) }
                    ?? configuration.validationCache
                var stored: [String: StoredValidation] = [:]
                if policy.window > 0 {
                    let fingerprints = Set(credentials.compactMap { $0.entry?.fingerprint })
                    do { stored = try openStore(path).storedValidations(for: fingerprints) } catch let error as PipelineError {
                        throw error
                    } catch { throw stageError(.store, error) }
                }
                options.progress?("validating credentials with their providers")
                let outcome = CachedValidation(stage: stage, policy: policy, stored: stored, asOf: options.asOf)
                    .run(credentials, clean: { sanitizer.clean($0) })
                credentials = outcome.credentials
                answers = outcome.answers
            } else {
                options.progress?("validating credentials with their providers")
                credentials = stage.validate(credentials)
            }
        }
        for (model, tokens) in estate.spend.unpriced.sorted(by: { $0.key < $1.key }) {
            diagnostics.append(Diagnostic(kind: .skippedExport, message: sanitizer.clean(
                "warning: unpriced: \(tokens) tokens of \(model) have no price (add it to keyledger.yml prices: or --prices FILE); their cost is not counted")))
        }
        var register = RegisterBuilder.build(result: result, linked: credentials, exports: exports, policy: configuration.policy, spend: estate.spend,
                                             asOf: options.asOf, generatedAt: options.generatedAt ?? Date())
        baseline?.apply(to: &register, asOf: options.asOf)
        // Nothing leaves this function uncleaned: every string of the register passes the sanitiser once.
        do { register = try sanitizer.clean(register) } catch { throw stageError(.register, error) }

        // Skipped inputs reach the log in CI too; binary files are counted but not listed (they are expected).
        let notable = result.tally.problems.filter { !$0.reason.hasPrefix("binary") }
        diagnostics += notable.prefix(20).map {
            // A shallow clone is not a skipped input but a fact about the checkout: a note, with its fix.
            Diagnostic(kind: .skippedInput,
                       message: sanitizer.clean("\($0.reason.hasPrefix("shallow-clone") ? "note" : "skipped") \($0.path): \($0.reason)"))
        }
        if notable.count > 20 {
            diagnostics.append(Diagnostic(kind: .skippedInput,
                                          message: "… and \(notable.count - 20) more skipped inputs (scan.problems in --format json)"))
        }
        if let path = options.storePath {
            let store = try openStore(path)
            do {
                // Ids and due dates the store already gave stay what they were (one due date, everywhere).
                register = try store.continuity(onOrBefore: register.asOf).apply(to: register)
                // The providers' lasting answers are kept in the same transaction as the scan.
                try store.record(register, validations: answers)
            } catch { throw stageError(.store, error) }
        }
        return ScanOutcome(register: register, rules: matcher.rules, baseline: baseline, configuration: configuration,
                           diagnostics: diagnostics, unread: unread, unreadCount: unreadCount, sanitizer: sanitizer,
                           result: result)
    }
}

