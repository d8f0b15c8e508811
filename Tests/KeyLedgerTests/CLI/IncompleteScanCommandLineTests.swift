import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// A scan that could not read what it was asked to read never says "clean": it names what it could not read and exits
/// 2 — unless `--lenient`, which exits by the findings. Permission tests run unprivileged even when CI runs as root.
final class IncompleteScanCommandLineTests: XCTestCase {
    func testAnUnreadableFolderTheUserNamedExitsTwoAndIsNamed() throws {
        var keys = CredentialFactory(seed: 0x10C4ED)
        let key = keys.openAIProjectKey()
        let fixture = try Unprivileged.fixture(self) { dir in
            try write("OPENAI_API_KEY=\(key)\n", to: "open/a.env", in: dir)
            try write("ANTHROPIC_API_KEY=\(keys.anthropicAPIKey())\n", to: "locked/b.env", in: dir)
            chmod(dir + "/locked", 0o000)
            self.addTeardownBlock { chmod(dir + "/locked", 0o755) }
        }
        guard let dir = fixture else { return }
        let strict = try runKeyledger(["scan", dir + "/open", dir + "/locked", "--format", "json"])
        XCTAssertEqual(strict.status, 2, scrubbed(strict.stderr, [key]))
        XCTAssertTrue(strict.stderr.contains("could not read \(dir)/locked"), scrubbed(strict.stderr, [key]))
        XCTAssertTrue(strict.stderr.contains("the scan is incomplete: 1 input(s) could not be read"), scrubbed(strict.stderr, [key]))
        // The register is still written: what could be read is reported.
        XCTAssertTrue(strict.stdout.contains(Secret(key).fingerprint))

        let lenient = try runKeyledger(["scan", dir + "/open", dir + "/locked", "--format", "json", "--lenient"])
        XCTAssertEqual(lenient.status, 1, "--lenient: exit by the findings")
        XCTAssertTrue(lenient.stderr.contains("could not read \(dir)/locked"))

        // Only the unreadable folder named: no findings, but never "clean" (exit 0).
        let alone = try runKeyledger(["scan", dir + "/locked"])
        XCTAssertEqual(alone.status, 2)
    }

    func testAnExportFileThatCannotBeReadExitsTwo() throws {
        let dir = try temporaryDirectory(self)
        try write("nothing here\n", to: "app/README.md", in: dir)
        let missing = dir + "/exports/openai-costs.json"
        let r = try runKeyledger(["scan", dir + "/app", "--exports", missing, "--as-of", "2026-11-20"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("could not read \(missing)"), r.stderr)
        let lenient = try runKeyledger(["scan", dir + "/app", "--exports", missing, "--lenient"])
        XCTAssertEqual(lenient.status, 0, lenient.stderr)
    }

    func testAHistoryThatCannotBeReadExitsTwo() throws {
        var keys = CredentialFactory(seed: 0xBAD61)
        let dir = try temporaryDirectory(self)
        let git = try GitFixtureRepository(path: dir + "/repo")
        try git.commit(["app/.env": "OPENAI_API_KEY=\(keys.openAIProjectKey())\n"], message: "add", date: "2026-11-01")
        // Every loose object destroyed: no commit of the history can be read.
        let objects = dir + "/repo/.git/objects"
        for folder in try FileManager.default.contentsOfDirectory(atPath: objects) where folder.count == 2 {
            for file in try FileManager.default.contentsOfDirectory(atPath: objects + "/" + folder) {
                try Data("not a git object".utf8).write(to: URL(fileURLWithPath: objects + "/" + folder + "/" + file))
            }
        }
        let r = try runKeyledger(["scan", dir + "/repo", "--format", "json"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("could not read"), r.stderr)
    }
}

extension IncompleteScanCommandLineTests {
    /// `--exports` takes every value up to the next option: a repository written after it is a usage error, not a
    /// silent scan of the current directory.
    func testARepositoryWrittenAfterExportsIsAUsageError() throws {
        let dir = try temporaryDirectory(self)
        let git = try GitFixtureRepository(path: dir + "/repo")
        try git.commit(["README.md": "hello\n"], message: "init", date: "2026-11-01")
        try write("{}", to: "exports/empty.json", in: dir)
        let r = try runKeyledger(["scan", "--exports", dir + "/exports", dir + "/repo"], cwd: dir)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(dir)/repo is a git repository, not a provider export"), r.stderr)
    }
}
