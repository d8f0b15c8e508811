import CLibGit2
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// `scan --staged`: only what the index holds for the next commit, never the work tree.
final class StagedInputTests: XCTestCase {
    func testOnlyTheIndexIsScannedNotTheWorkTree() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let staged = keys.openAIProjectKey()
        let unstaged = keys.anthropicAPIKey()
        let untracked = keys.groqKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["app.py": "print('hi')\n", "README.md": "hello\n"], message: "init", date: "2026-01-01")
        try repo.checkout()
        try repo.stage(".env", content: "# local\nOPENAI_API_KEY=\(staged)\n")
        // After staging, the work-tree copy loses the key: the index still holds it, and the index is what is committed.
        try write("# local\nOPENAI_API_KEY=\n", to: ".env", in: dir + "/r")
        // An edit that is not staged, and a file that is not tracked: neither is part of the commit.
        try write("KEY = '\(unstaged)'\n", to: "app.py", in: dir + "/r")
        try write("GROQ_API_KEY=\(untracked)\n", to: "notes.env", in: dir + "/r")

        let findings = try stagedFindings(dir + "/r")
        XCTAssertEqual(fingerprints(findings), [Secret(staged).fingerprint], "only the staged key is reported")
        let location = try XCTUnwrap(findings.first?.location)
        XCTAssertEqual(location.path, ".env")
        XCTAssertEqual(location.line, 2)
        XCTAssertEqual(location.kind, .file)
        XCTAssertEqual(location.repository, "r")
        XCTAssertEqual(location.note, StagedInput.note)
        XCTAssertNil(location.commit)
    }

    func testAStagedDeletionIsNotAFinding() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.huggingFaceToken()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["hf.py": "token = '\(key)'\n", "keep.txt": "x\n"], message: "init", date: "2026-01-01")
        try repo.checkout()
        try removeFromIndex("hf.py", repository: dir + "/r")
        XCTAssertTrue(try stagedFindings(dir + "/r").isEmpty, "deleting a file that held a key is the fix, not a finding")
    }

    func testAStagedModificationThatAddsAKeyIsReportedButTheOldKeyInTheFileIsNot() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let old = keys.perplexityKey()
        let new = keys.openRouterKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["config.env": "PPLX_API_KEY=\(old)\n"], message: "init", date: "2026-01-01")
        try repo.checkout()
        try repo.stage("config.env", content: "PPLX_API_KEY=\(old)\nDEBUG=1\nOPENROUTER_API_KEY=\(new)\n")
        let findings = try stagedFindings(dir + "/r")
        XCTAssertEqual(fingerprints(findings), [Secret(new).fingerprint])
        XCTAssertEqual(findings.first?.location.line, 3)
    }

    func testARenamedFileDoesNotReportItsCommittedKeyAgain() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.deepSeekKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["old/settings.env": "DEEPSEEK_API_KEY=\(key)\n"], message: "init", date: "2026-01-01")
        try repo.checkout()
        try repo.stage("new/settings.env", content: "DEEPSEEK_API_KEY=\(key)\n")
        try removeFromIndex("old/settings.env", repository: dir + "/r")
        XCTAssertTrue(try stagedFindings(dir + "/r").isEmpty)
    }

    func testTheFirstCommitOfARepositoryIsScanned() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.anthropicAdminKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.stage("src/admin.ts", content: "export const key = \"\(key)\";\n")
        let findings = try stagedFindings(dir + "/r")
        XCTAssertEqual(fingerprints(findings), [Secret(key).fingerprint])
        XCTAssertEqual(findings.first?.location.path, "src/admin.ts")
    }

    func testStagedKubernetesSecretDataIsDecoded() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.openAIServiceAccountKey()
        let encoded = Data(key.utf8).base64EncodedString()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["README.md": "x\n"], message: "init", date: "2026-01-01")
        try repo.checkout()
        try repo.stage("k8s/secret.yaml", content: """
            apiVersion: v1
            kind: Secret
            metadata:
              name: llm
            data:
              OPENAI_API_KEY: \(encoded)

            """)
        let findings = try stagedFindings(dir + "/r")
        XCTAssertEqual(fingerprints(findings), [Secret(key).fingerprint])
        XCTAssertEqual(findings.first?.location.line, 6)
        XCTAssertTrue(findings.first?.location.note?.contains("Kubernetes Secret llm") == true)
    }

    func testTheIndexNamedByGitIndexFileIsScanned() throws {
        // `git commit -a` and `git commit PATH` stage into a temporary index and name it in GIT_INDEX_FILE.
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.replicateToken()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["run.py": "print(1)\n"], message: "init", date: "2026-01-01")
        try repo.checkout()
        try write("REPLICATE_API_TOKEN = '\(key)'\n", to: "run.py", in: dir + "/r")
        let temporaryIndex = dir + "/r/.git/next-index.lock"
        try addToStandaloneIndex("run.py", repository: dir + "/r", index: temporaryIndex)
        XCTAssertTrue(try stagedFindings(dir + "/r").isEmpty, "the repository's own index holds no change")

        let previous = FileManager.default.currentDirectoryPath
        setenv("GIT_INDEX_FILE", temporaryIndex, 1)
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(dir + "/r"))
        defer {
            unsetenv("GIT_INDEX_FILE")
            XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(previous))
        }
        let findings = try stagedFindings(".")
        XCTAssertEqual(fingerprints(findings), [Secret(key).fingerprint])
    }

    func testStagedNeedsARepositoryAndExcludesSince() throws {
        let dir = try temporaryDirectory(self)
        try write("x\n", to: "plain/readme.txt", in: dir)
        XCTAssertThrowsError(try stagedFindings(dir + "/plain")) { XCTAssertTrue("\($0)".contains("--staged needs a git repository")) }
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["a": "a\n"], message: "init", date: "2026-01-01")
        let scanner = Scanner(matcher: sharedMatcher)
        XCTAssertThrowsError(try scanner.run(ScanRequest(paths: [dir + "/r"], since: "HEAD", staged: true))) {
            XCTAssertTrue("\($0)".contains("cannot be combined with --since"))
        }
    }

    func testAFolderInsideTheRepositoryFindsItsRepository() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.groqKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["src/app/main.py": "print(1)\n"], message: "init", date: "2026-01-01")
        try repo.checkout()
        try repo.stage("src/app/main.py", content: "GROQ = '\(key)'\n")
        let findings = try stagedFindings(dir + "/r/src/app")
        XCTAssertEqual(findings.first?.location.path, "src/app/main.py", "paths stay relative to the repository root")
    }

    // MARK: helpers

    private func stagedFindings(_ path: String) throws -> [Finding] {
        try Scanner(matcher: sharedMatcher).run(ScanRequest(paths: [path], staged: true)).findings
    }

    private func fingerprints(_ findings: [Finding]) -> [String] { findings.map(\.secret.fingerprint).sorted() }

    private func removeFromIndex(_ file: String, repository: String) throws {
        var repo: OpaquePointer?
        XCTAssertEqual(git_repository_open(&repo, repository), 0)
        defer { git_repository_free(repo) }
        var index: OpaquePointer?
        XCTAssertEqual(git_repository_index(&index, repo), 0)
        defer { git_index_free(index) }
        XCTAssertEqual(git_index_remove_bypath(index, file), 0)
        XCTAssertEqual(git_index_write(index), 0)
        try? FileManager.default.removeItem(atPath: repository + "/" + file)
    }

    /// Copies the repository's index to `index` and stages the work-tree `file` there only.
    private func addToStandaloneIndex(_ file: String, repository: String, index path: String) throws {
        try FileManager.default.copyItem(atPath: repository + "/.git/index", toPath: path)
        var repo: OpaquePointer?
        XCTAssertEqual(git_repository_open(&repo, repository), 0)
        defer { git_repository_free(repo) }
        var index: OpaquePointer?
        XCTAssertEqual(git_index_open(&index, path), 0)
        defer { git_index_free(index) }
        var odb: OpaquePointer?
        XCTAssertEqual(git_repository_odb(&odb, repo), 0)
        defer { git_odb_free(odb) }
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: repository + "/" + file)))
        var entry = git_index_entry()
        entry.mode = GIT_FILEMODE_BLOB.rawValue
        XCTAssertEqual(git_odb_write(&entry.id, odb, bytes, bytes.count, GIT_OBJECT_BLOB), 0)
        try file.withCString { name in
            entry.path = name
            XCTAssertEqual(git_index_add(index, &entry), 0)
            _ = try XCTUnwrap(Optional(name))
        }
        XCTAssertEqual(git_index_write(index), 0)
    }
}
