import CLibGit2
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// `keyledger hook install`: writes its own hook, never silently replaces somebody else's.
final class PreCommitHookTests: XCTestCase {
    let binary = "/opt/key ledger/bin/keyledger"

    private func repository(_ test: XCTestCase) throws -> String {
        let dir = try temporaryDirectory(test)
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["README.md": "x\n"], message: "init", date: "2026-01-01")
        return dir + "/r"
    }

    func testAFreshInstallWritesAnExecutableHookThatRunsAStagedScan() throws {
        let repo = try repository(self)
        let hook = repo + "/.git/hooks/pre-commit"
        XCTAssertEqual(try PreCommitHook.install(in: repo, executable: binary, force: false), .installed(path: hook))
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: hook))
        let script = try String(contentsOfFile: hook, encoding: .utf8)
        XCTAssertTrue(script.hasPrefix("#!/bin/sh\n"))
        XCTAssertTrue(script.contains(PreCommitHook.marker))
        XCTAssertTrue(script.contains("keyledger='/opt/key ledger/bin/keyledger'"), script)
        XCTAssertTrue(script.contains("exec \"$keyledger\" scan --staged"))
    }

    func testInstallingAgainIsANoOpAndAnOlderHookOfOursIsUpdated() throws {
        let repo = try repository(self)
        let hook = repo + "/.git/hooks/pre-commit"
        _ = try PreCommitHook.install(in: repo, executable: binary, force: false)
        let first = try String(contentsOfFile: hook, encoding: .utf8)
        XCTAssertEqual(try PreCommitHook.install(in: repo, executable: binary, force: false), .unchanged(path: hook))
        XCTAssertEqual(try String(contentsOfFile: hook, encoding: .utf8), first)
        try (PreCommitHook.marker + "\nexec keyledger scan --staged --old-flag\n").write(toFile: hook, atomically: true, encoding: .utf8)
        XCTAssertEqual(try PreCommitHook.install(in: repo, executable: binary, force: false), .updated(path: hook))
        XCTAssertEqual(try String(contentsOfFile: hook, encoding: .utf8), first)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: hook))
    }

    func testAForeignHookIsRefusedUnlessForcedAndThenKept() throws {
        let repo = try repository(self)
        let hook = repo + "/.git/hooks/pre-commit"
        let foreign = "#!/bin/sh\nnpx lint-staged\n"
        try FileManager.default.createDirectory(atPath: repo + "/.git/hooks", withIntermediateDirectories: true)
        try foreign.write(toFile: hook, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PreCommitHook.install(in: repo, executable: binary, force: false)) {
            XCTAssertTrue("\($0)".contains("keyledger did not write it"), "\($0)")
            XCTAssertTrue("\($0)".contains("--force"), "\($0)")
        }
        XCTAssertEqual(try String(contentsOfFile: hook, encoding: .utf8), foreign, "left untouched")

        let backup = repo + "/.git/hooks/" + PreCommitHook.backupName
        XCTAssertEqual(try PreCommitHook.install(in: repo, executable: binary, force: true), .replaced(path: hook, backup: backup))
        XCTAssertEqual(try String(contentsOfFile: backup, encoding: .utf8), foreign)
        XCTAssertTrue(try String(contentsOfFile: hook, encoding: .utf8).contains(PreCommitHook.marker))
        XCTAssertEqual(try PreCommitHook.install(in: repo, executable: binary, force: true), .unchanged(path: hook),
                       "forcing over our own hook replaces nothing")
    }

    func testASubfolderFindsItsRepositoryAndAPlainFolderIsRefused() throws {
        let repo = try repository(self)
        try FileManager.default.createDirectory(atPath: repo + "/src/deep", withIntermediateDirectories: true)
        XCTAssertEqual(try PreCommitHook.install(in: repo + "/src/deep", executable: binary, force: false),
                       .installed(path: repo + "/.git/hooks/pre-commit"))
        let plain = try temporaryDirectory(self, "plain")
        XCTAssertThrowsError(try PreCommitHook.install(in: plain, executable: binary, force: false)) {
            XCTAssertTrue("\($0)".contains("not inside a git repository"))
        }
    }

    func testHooksPathIsRespectedByRefusing() throws {
        let repo = try repository(self)
        var handle: OpaquePointer?
        XCTAssertEqual(git_repository_open(&handle, repo), 0)
        defer { git_repository_free(handle) }
        var config: OpaquePointer?
        XCTAssertEqual(git_repository_config(&config, handle), 0)
        defer { git_config_free(config) }
        XCTAssertEqual(git_config_set_string(config, "core.hooksPath", ".husky"), 0)
        XCTAssertThrowsError(try PreCommitHook.install(in: repo, executable: binary, force: true)) {
            XCTAssertTrue("\($0)".contains("core.hooksPath is set to '.husky'"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: repo + "/.git/hooks/pre-commit"))
    }
}
