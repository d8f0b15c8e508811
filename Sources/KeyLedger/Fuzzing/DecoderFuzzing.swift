import Foundation

/// One entry point for coverage-guided fuzzing of everything that parses content keyledger does not control:
/// the structured decoders (Kubernetes Secrets, Docker configs, notebooks), archives, the YAML reader, provider
/// export importers, rule files, gitleaks TOML configs and keyledger.yml, and what providers answer (`scan
/// --validate`'s validators, `collect`'s paging and page stamping).
///
/// The first byte of an input picks the target; the rest is the content. `keyledger-fuzz` runs it under libFuzzer
/// (`scripts/fuzz.sh`, bounded in `.ci/run`) and the test suite replays the committed corpus and every input that
/// once crashed (`Tests/Fuzz/`), so a fixed crash stays fixed.
public enum DecoderFuzzing {
    /// What each selector byte (modulo the count) exercises, for corpus file names and reports.
    public static let targets = ["kubernetes-yaml", "docker-json", "notebook", "archive", "yaml", "export", "rule-yaml",
                                 "config-yaml", "gitleaks-toml", "env-file", "provider-answer"]

    private static let matcher: RuleMatcher? = try? RuleMatcher(rules: RuleLoader.builtin(), cache: nil)

    /// Builds what every input shares (the matcher) once, before the first input is timed.
    public static func prepare() { _ = matcher }

    /// Small bounds so one input never takes long: a bomb or a deep nest is cut off, not waited for.
    private static let limits: ScanLimits = {
        var limits = ScanLimits(maxFileSize: 1 << 20, workers: 1)
        limits.archives.maxExpandedBytes = 8 << 20
        limits.archives.maxMembers = 2_000
        return limits
    }()

    /// Runs one input through its target. Any outcome but a crash or a hang is acceptable: errors are expected.
    public static func exercise(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first, let matcher else { return }
        let body = UnsafeRawBufferPointer(rebasing: input.dropFirst())
        let text = String(decoding: body, as: UTF8.self)
        var tally = ScanTally()
        func scan(as path: String) {
            let workspace = matcher.makeWorkspace()
            _ = ContentScan.scan(body, path: path, matcher: matcher, workspace: workspace, limits: limits, tally: &tally) { line, note in
                FoundLocation(kind: .file, repository: nil, path: path, line: line, current: true, note: note)
            }
        }
        switch Int(selector) % targets.count {
        case 0: scan(as: "deploy/secret.yaml")
        case 1: scan(as: "home/.docker/config.json")
        case 2: scan(as: "nb/train.ipynb")
        case 3: scan(as: "dist/app.whl")
        case 4: _ = try? SafeYAML.loadAll(text)
        case 5: _ = ExportLoader.load(data: Data(body), path: "exports/fuzz")
        case 6: _ = try? RuleLoader.parse(yaml: text, source: "fuzz.yml")
        case 7: _ = try? KeyLedgerConfig.parse(text, source: "keyledger.yml")
        case 8: _ = try? GitleaksRuleImporter.parse(toml: text, source: ".gitleaks.toml")
        case 9: scan(as: "svc/.env")
        default: answer(Data(body))
        }
    }

    /// The validators by provider name: a provider-answer input's first byte picks one.
    private static let validators = ValidatorRegistry.builtin.validators.values.sorted { $0.provider < $1.provider }

    /// A provider's answer (the bytes after the picking byte) read by one validator as a success, a refusal and an
    /// error code, with a header carrying the same text; and as a `collect` page (rows, the next cursor, stamping).
    static func answer(_ input: Data) {
        guard let pick = input.first, !validators.isEmpty else { return }
        let body = Data(input.dropFirst())
        let validator = validators[Int(pick) % validators.count]
        let header = String(decoding: body.prefix(256), as: UTF8.self)
        let subject = ValidationSubject(secret: Secret("fuzz"), ruleId: "fuzz", kind: "admin-key", identity: Identity())
        for status in [200, 400, 401, 403, 404] {
            let answer = HTTPAnswer(status: status, headers: ["x-oauth-scopes": header, "openai-organization": header], body: body)
            if status == 200 {
                _ = validator.active(answer)
                _ = validator.active(answer, for: subject)
            } else {
                _ = validator.refusal(answer)
                _ = validator.errorCode(answer)
            }
        }
        _ = CollectSession.stamped(body, [("project_id", "proj_fuzz")])
        guard let json = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else { return }
        _ = CollectSession.rows(json)
        for paging in [CollectPaging.cursor(param: "after", field: "last_id"), .nextPage, .numbered(param: "page")] {
            _ = CollectSession.next(after: json, paging: paging, page: 1)
        }
    }
}
