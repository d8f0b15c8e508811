import Foundation

/// One entry point for coverage-guided fuzzing of everything that parses content keyledger does not control:
/// the structured decoders (Kubernetes Secrets, Docker configs, notebooks), archives, the YAML reader, provider
/// export importers, rule files, gitleaks TOML configs and keyledger.yml.
///
/// The first byte of an input picks the target; the rest is the content. `keyledger-fuzz` runs it under libFuzzer
/// (`scripts/fuzz.sh`, bounded in `.ci/run`) and the test suite replays the committed corpus and every input that
/// once crashed (`Tests/Fuzz/`), so a fixed crash stays fixed.
public enum DecoderFuzzing {
    /// What each selector byte (modulo the count) exercises, for corpus file names and reports.
    public static let targets = ["kubernetes-yaml", "docker-json", "notebook", "archive", "yaml", "export", "rule-yaml",
                                 "config-yaml", "gitleaks-toml", "env-file"]

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
        default: scan(as: "svc/.env")
        }
    }
}
