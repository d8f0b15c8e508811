import XCTest
import KeyLedgerFixtures
@testable import KeyLedger

/// The hooks in `.pre-commit-hooks.yaml` run as the pre-commit framework runs them (entry, then `args`, then the
/// file names), and `keyledger --version` with the version SARIF carries.
final class PreCommitFrameworkTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// `id → entry` of every hook in the repository's `.pre-commit-hooks.yaml`.
    func hookEntries() throws -> [String: String] {
        let text = try String(contentsOfFile: Self.root + "/.pre-commit-hooks.yaml", encoding: .utf8)
        var entries: [String: String] = [:]
        var id: String?
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("- id: ") { id = String(line.dropFirst(6)) }
            if line.hasPrefix("  entry: "), let id { entries[id] = String(line.dropFirst(9)) }
        }
        return entries
    }

    /// Runs a hook's entry the way pre-commit does: the entry's words after `keyledger`, then `args`, then the files.
    func runHook(_ id: String, args: [String] = [], files: [String], cwd: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let entry = try XCTUnwrap(try hookEntries()[id], "\(id) is not in .pre-commit-hooks.yaml")
        let words = entry.split(separator: " ").map(String.init)
        XCTAssertEqual(words.first, "keyledger")
        return try runKeyledger(Array(words.dropFirst()) + args + files, cwd: cwd)
    }

    func testTheFileHooksStopACommitWithTheNativeHooksMessage() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.openAIProjectKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["README.md": "x\n"], message: "init", date: "2026-01-01")
        try repo.checkout()
        try repo.stage("svc/.env", content: "OPENAI_API_KEY=\(key)\n")
        try repo.stage("notes.md", content: "just words\n")

        let native = try runKeyledger(["scan", "--staged"], cwd: dir + "/r")
        XCTAssertEqual(native.status, 1, scrubbed(native.stderr, [key]))
        XCTAssertEqual(try hookEntries().keys.sorted(), ["keyledger", "keyledger-staged", "keyledger-system"])
        for id in ["keyledger", "keyledger-system"] {
            let framework = try runHook(id, files: ["notes.md", "svc/.env"], cwd: dir + "/r")
            assertNoPlaintext(framework.stdout + framework.stderr, [key], id)
            XCTAssertEqual(framework.status, 1, "\(id): " + scrubbed(framework.stderr, [key]))
            XCTAssertEqual(framework.stdout, "", "\(id): no register table on a hook's standard output")
            XCTAssertEqual(framework.stderr, native.stderr, "\(id): the same guidance as `keyledger hook install`'s hook")
            XCTAssertTrue(framework.stderr.hasPrefix("keyledger: commit stopped: a credential in the staged changes\n\n  svc/.env:1  openai project-key  "),
                          scrubbed(framework.stderr, [key]))
        }
        let staged = try runHook("keyledger-staged", files: [], cwd: dir + "/r")
        XCTAssertEqual(staged.status, 1)
        XCTAssertEqual(staged.stderr, native.stderr)

        // Clean files: silent, exit 0. No files at all (nothing matched the hook's filter): nothing to check.
        let clean = try runHook("keyledger", files: ["notes.md", "README.md"], cwd: dir + "/r")
        XCTAssertEqual(clean.status, 0, clean.stderr)
        XCTAssertEqual(clean.stdout + clean.stderr, "")
        let none = try runHook("keyledger", files: [], cwd: dir + "/r")
        XCTAssertEqual(none.status, 0, none.stderr)
        XCTAssertEqual(none.stdout + none.stderr, "")
    }

    func testHookArgsReachTheScanAndReportingOptionsAreRefused() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.groqKey()
        try write("GROQ_API_KEY=\(key)\n", to: "store/.env", in: dir)
        // A lone Groq key in a config file with no owner scores medium (CommandLineTests): `--fail-on high` lets it pass.
        let high = try runHook("keyledger", args: ["--fail-on", "high"], files: ["store/.env"], cwd: dir)
        XCTAssertEqual(high.status, 0, scrubbed(high.stderr, [key]))
        XCTAssertEqual(high.stdout + high.stderr, "")
        let medium = try runHook("keyledger", args: ["--fail-on", "medium"], files: ["store/.env"], cwd: dir)
        XCTAssertEqual(medium.status, 1)
        XCTAssertTrue(medium.stderr.contains("  store/.env:1  groq api-key  "), scrubbed(medium.stderr, [key]))

        // A baseline accepts it: the commit goes on, silently.
        let baseline = try runKeyledger(["baseline", "store/.env", "--output", "baseline.json", "--reason", "test fixture"], cwd: dir)
        XCTAssertEqual(baseline.status, 0, baseline.stderr)
        let accepted = try runHook("keyledger", args: ["--baseline", "baseline.json"], files: ["store/.env"], cwd: dir)
        XCTAssertEqual(accepted.status, 0, scrubbed(accepted.stderr, [key]))
        XCTAssertEqual(accepted.stdout + accepted.stderr, "")

        for option in [["--format", "sarif"], ["--output", "x.json"], ["--staged"], ["--since", "HEAD"]] {
            let refused = try runHook("keyledger", args: option, files: ["store/.env"], cwd: dir)
            XCTAssertEqual(refused.status, 2, option[0])
            XCTAssertEqual(refused.stderr, "keyledger: \(option[0]) cannot be used with `keyledger hook check`: it answers as the pre-commit hook does\n")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.json"))
    }

    func testVersionIsOneConstantInTheCommandAndInSARIF() throws {
        XCTAssertEqual(KeyLedgerVersion.current, "0.1.0")
        let version = try runKeyledger(["--version"])
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertEqual(version.stdout, "0.1.0\n")

        let sarif = try SARIFReporter.render(try RegisterGoldenTests.register(self), rules: sharedMatcher.rules, baseline: nil)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
        let driver = try XCTUnwrap(((json["runs"] as? [[String: Any]])?.first?["tool"] as? [String: Any])?["driver"] as? [String: Any])
        XCTAssertEqual(driver["name"] as? String, "keyledger")
        XCTAssertEqual(driver["version"] as? String, "0.1.0")

        // The docs point users at the tag of this version (docs/releasing.md says how it is made).
        for file in ["docs/ci.md", "docs/releasing.md", "README.md"] {
            let text = try String(contentsOfFile: Self.root + "/" + file, encoding: .utf8)
            XCTAssertTrue(text.contains("v0.1.0"), "\(file) does not name the release tag v0.1.0")
        }
    }
}
