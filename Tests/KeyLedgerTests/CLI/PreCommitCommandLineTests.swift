import XCTest
import KeyLedgerFixtures
@testable import KeyLedger

/// The pre-commit and CI commands as a user runs them: explicit files, `hook install`, `baseline`, `--staged`,
/// `--baseline` and `--format sarif`.
final class PreCommitCommandLineTests: XCTestCase {
    func run(_ arguments: [String], cwd: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try runKeyledger(arguments, cwd: cwd)
    }

    /// `scan --help` documents `option`.
    func requireScanOption(_ option: String) throws {
        let help = try run(["scan", "--help"])
        XCTAssertTrue(help.stdout.contains(option), "`keyledger scan --help` does not document \(option)")
    }

    func testExplicitFilesAreScannedExactlyAsGiven() throws {
        // pre-commit's pass_filenames hands over files the folder walk would skip (node_modules, build output).
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let vendored = keys.openAIProjectKey()
        let built = keys.groqKey()
        try write("OPENAI_API_KEY=\(vendored)\n", to: "node_modules/pkg/.env", in: dir)
        try write("GROQ_API_KEY=\(built)\n", to: ".build/config.env", in: dir)
        try write("nothing\n", to: "README.md", in: dir)
        let result = try run(["scan", "node_modules/pkg/.env", dir + "/.build/config.env", "README.md", "--format", "json"], cwd: dir)
        assertNoPlaintext(result.stdout + result.stderr, [vendored, built], "scan output")
        XCTAssertEqual(result.status, 1, scrubbed(result.stderr, [vendored, built]))
        let register = try JSONDecoder().decode(Register.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(Set(register.credentials.flatMap(\.locations).map(\.path)), ["node_modules/pkg/.env", dir + "/.build/config.env"])
        XCTAssertEqual(register.scan.files, 3)
    }

    func testHookInstallCommand() throws {
        let dir = try temporaryDirectory(self)
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["a": "a\n"], message: "init", date: "2026-01-01")
        let hook = dir + "/r/.git/hooks/pre-commit"

        let fresh = try run(["hook", "install"], cwd: dir + "/r")
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        XCTAssertTrue(fresh.stdout.hasPrefix("installed "), fresh.stdout)
        XCTAssertTrue(try String(contentsOfFile: hook, encoding: .utf8).contains("scan --staged"))
        let again = try run(["hook", "install", dir + "/r"])
        XCTAssertEqual(again.status, 0)
        XCTAssertTrue(again.stdout.hasPrefix("already installed: "), again.stdout)

        try "#!/bin/sh\nexit 0\n".write(toFile: hook, atomically: true, encoding: .utf8)
        let refused = try run(["hook", "install"], cwd: dir + "/r")
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("--force"), refused.stderr)
        let forced = try run(["hook", "install", "--force"], cwd: dir + "/r")
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(forced.stdout.contains(PreCommitHook.backupName))

        let outside = try run(["hook", "install", dir])
        XCTAssertEqual(outside.status, 2)
        XCTAssertTrue(outside.stderr.contains("not inside a git repository"), outside.stderr)
    }

    func testBaselineCommand() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.perplexityKey()
        try write("PPLX_API_KEY=\(key)\n", to: "tree/.env", in: dir)
        let file = dir + "/baseline.json"
        let created = try run(["baseline", dir + "/tree", "--output", file, "--reason", "sandbox, capped", "--owner", "search",
                               "--expires", "30", "--as-of", "2026-11-20"])
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(created.stdout, "\(file): 1 accepted credentials\n")
        let baseline = try Baseline.load(path: file)
        XCTAssertEqual(baseline.credentials[Secret(key).fingerprint]?.expires, "2026-12-20")
        assertNoPlaintext(try String(contentsOfFile: file, encoding: .utf8), [key], "baseline file")

        let overwrite = try run(["baseline", dir + "/tree", "--output", file])
        XCTAssertEqual(overwrite.status, 2)
        XCTAssertTrue(overwrite.stderr.contains("use --update"), overwrite.stderr)

        let updated = try run(["baseline", dir + "/tree", "--output", file, "--update", "--as-of", "2026-11-25"])
        XCTAssertEqual(updated.status, 0, updated.stderr)
        XCTAssertTrue(updated.stdout.contains("(1 kept, 0 added, 0 dropped)"), updated.stdout)
        XCTAssertEqual(try Baseline.load(path: file).credentials[Secret(key).fingerprint]?.reason, "sandbox, capped")

        let badExpiry = try run(["baseline", dir + "/tree", "--output", dir + "/other.json", "--expires", "0"])
        XCTAssertEqual(badExpiry.status, 2)
        XCTAssertTrue(badExpiry.stderr.contains("--expires"), badExpiry.stderr)
    }

    func testStagedScanStopsACommitWithAShortMessage() throws {
        try requireScanOption("--staged")
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.openAIProjectKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["README.md": "x\n"], message: "init", date: "2026-01-01")
        try repo.checkout()

        try repo.stage("notes.md", content: "just words\n")
        let clean = try run(["scan", "--staged"], cwd: dir + "/r")
        XCTAssertEqual(clean.status, 0, clean.stderr)

        try repo.stage("svc/.env", content: "OPENAI_API_KEY=\(key)\n")
        let stopped = try run(["scan", "--staged"], cwd: dir + "/r")
        assertNoPlaintext(stopped.stdout + stopped.stderr, [key], "pre-commit message")
        let message = scrubbed(stopped.stdout + stopped.stderr, [key])
        XCTAssertEqual(stopped.status, 1, message)
        for expected in ["svc/.env:1", "openai", "project-key", "keyledger:allow <reason>", "rotate"] {
            XCTAssertTrue(message.contains(expected), "message lacks \(expected): \(message)")
        }

        // The installed hook runs the same check when git commits.
        _ = try run(["hook", "install"], cwd: dir + "/r")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [dir + "/r/.git/hooks/pre-commit"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir + "/r")
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1, "the hook stops the commit")
    }

    func testBaselineAndSARIFInAScan() throws {
        try requireScanOption("--baseline")
        try requireScanOption("sarif")
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.anthropicAPIKey()
        try write("ANTHROPIC_API_KEY=\(key)\n", to: "tree/app.env", in: dir)
        let file = dir + "/baseline.json"
        XCTAssertEqual(try run(["baseline", dir + "/tree", "--output", file, "--reason", "test tenant", "--as-of", "2026-11-20"]).status, 0)

        let suppressed = try run(["scan", dir + "/tree", "--baseline", file, "--format", "json", "--as-of", "2026-11-20"])
        XCTAssertEqual(suppressed.status, 0, "a baselined credential does not fail the run: \(scrubbed(suppressed.stderr, [key]))")
        let register = try JSONDecoder().decode(Register.self, from: Data(suppressed.stdout.utf8))
        XCTAssertEqual(register.credentials.map(\.status), [.suppressed])

        let expired = try run(["scan", dir + "/tree", "--baseline", file, "--as-of", "2027-03-01"])
        XCTAssertEqual(expired.status, 1, "an expired entry fails the run again")

        let sarif = try run(["scan", dir + "/tree", "--baseline", file, "--format", "sarif", "--as-of", "2026-11-20"])
        assertNoPlaintext(sarif.stdout + sarif.stderr, [key], "SARIF")
        XCTAssertEqual(sarif.status, 0, scrubbed(sarif.stderr, [key]))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["version"] as? String, "2.1.0")
        XCTAssertTrue(sarif.stdout.contains("\"kind\" : \"external\""))

        let broken = dir + "/broken.json"
        try "[]".write(toFile: broken, atomically: true, encoding: .utf8)
        let bad = try run(["scan", dir + "/tree", "--baseline", broken])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains(broken), bad.stderr)
    }
}
