import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

final class GitHistoryTests: XCTestCase {
    func testHistoryOnlyAndHeadSecretsWithFirstSeenCommit() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let removed = keys.openAIProjectKey()
        let kept = keys.anthropicAPIKey()
        let repo = try GitFixtureRepository(path: dir + "/svc")
        try repo.commit(["README.md": "hello\n"], message: "init", date: "2026-01-05")
        let introduced = try repo.commit([".env": "OPENAI_API_KEY=\(removed)\n"], message: "add env", author: "Sam", email: "sam@x.example", date: "2026-02-10")
        try repo.commit([".env": nil], message: "remove env", date: "2026-02-11")
        let keptCommit = try repo.commit(["app.py": "KEY = \"\(kept)\"\n"], message: "claude", author: "Ana", email: "ana@x.example", date: "2026-03-01")
        try repo.checkout()

        let (result, register) = try scanRegister([dir + "/svc"])
        XCTAssertEqual(result.tally.commits, 4)
        let history = try XCTUnwrap(register.credential(for: removed))
        XCTAssertEqual(history.rule, "openai.project-key")
        XCTAssertFalse(history.exposure.inHead)
        XCTAssertEqual(history.exposure.firstSeen, "2026-02-10")
        // Last seen: the latest commit that still held it (the removal commit's parent).
        XCTAssertEqual(history.exposure.lastSeen, "2026-02-10")
        XCTAssertEqual(history.locations.first?.commit, introduced)
        XCTAssertEqual(history.locations.first?.author, "Sam <sam@x.example>")
        XCTAssertEqual(history.locations.first?.path, ".env")
        XCTAssertEqual(history.locations.first?.line, 1)
        XCTAssertEqual(history.locations.first?.repository, "svc")

        let head = try XCTUnwrap(register.credential(for: kept))
        XCTAssertTrue(head.exposure.inHead)
        XCTAssertEqual(head.locations.first?.commit, keptCommit)
        XCTAssertEqual(head.exposure.lastSeen, "2026-11-20", "a secret in HEAD is seen as of today")
        XCTAssertEqual(register.credentials.count, 2)
    }

    func testEachDistinctBlobScannedOnceAndSecretsDedupedAcrossCommits() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.groqKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["config.py": "GROQ = \"\(key)\"\n"], message: "1", date: "2026-01-01")
        // 20 commits that never touch config.py: its blob is shared by all of them.
        for i in 0..<20 { try repo.commit(["notes/\(i).txt": "note \(i)\n"], message: "n\(i)", date: "2026-01-0\(min(9, 2 + i / 3))") }
        // The same secret in a second file and after an edit of the first: new blobs, same credential.
        try repo.commit(["copy.py": "K = '\(key)'\n", "config.py": "# edited\nGROQ = \"\(key)\"\n"], message: "copy", date: "2026-02-01")
        let (result, register) = try scanRegister([dir + "/r"], history: true)
        // 1 + 20 notes + copy.py + edited config.py = 23 distinct blobs.
        XCTAssertEqual(result.tally.blobs, 23)
        let credential = try XCTUnwrap(register.credential(for: key))
        XCTAssertEqual(register.credentials.count, 1)
        XCTAssertEqual(Set(credential.locations.map(\.path)), ["config.py", "copy.py"])
        let config = try XCTUnwrap(credential.locations.first { $0.path == "config.py" })
        XCTAssertEqual(config.date, "2026-01-01T12:00:00Z", "the earliest appearance at a path is kept")
    }

    func testEveryRefIsWalkedIncludingBranchOnlySecrets() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let branchKey = keys.huggingFaceToken()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["a.txt": "a\n"], message: "init", date: "2026-01-01")
        try repo.commit(["hf.py": "token = \"\(branchKey)\"\n"], message: "hf", date: "2026-01-02", branch: "experiment", from: "main")
        let (_, register) = try scanRegister([dir + "/r"])
        let credential = try XCTUnwrap(register.credential(for: branchKey))
        XCTAssertFalse(credential.exposure.inHead)
    }

    func testSameSecretInTwoRepositoriesIsOneCredential() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let shared = keys.openAIServiceAccountKey()
        for name in ["one", "two"] {
            let repo = try GitFixtureRepository(path: dir + "/" + name)
            try repo.commit(["env": "OPENAI_API_KEY=\(shared)\n"], message: "m", date: "2026-01-01")
        }
        let (_, register) = try scanRegister([dir + "/one", dir + "/two"])
        let credential = try XCTUnwrap(register.credential(for: shared))
        XCTAssertEqual(credential.exposure.repositories, 2)
        XCTAssertEqual(credential.locations.count, 2)
        XCTAssertTrue(credential.risk.factors.contains { $0.id == "reuse.repositories" })
    }

    func testUncommittedWorkTreeFilesAreScannedAndCommittedOnesNotTwice() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let committed = keys.perplexityKey()
        let local = keys.openRouterKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["app.py": "PPLX = '\(committed)'\n"], message: "m", date: "2026-01-01")
        try repo.checkout()
        try write("OPENROUTER_API_KEY=\(local)\n", to: ".env.local", in: dir + "/r")
        let (_, register) = try scanRegister([dir + "/r"])
        let workTree = try XCTUnwrap(register.credential(for: local))
        XCTAssertEqual(workTree.locations.first?.kind, "file")
        XCTAssertEqual(workTree.locations.first?.path, ".env.local")
        let fromHistory = try XCTUnwrap(register.credential(for: committed))
        XCTAssertEqual(fromHistory.locations.map(\.kind), ["git"], "the checked-out copy is the HEAD blob, not a second location")
    }

    func testMissingObjectsAreReportedAndTheRestCompletes() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let survivor = keys.anthropicAdminKey()
        let lost = keys.openAIAdminKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["keep.env": "ANTHROPIC_ADMIN_KEY=\(survivor)\n", "lost.env": "OPENAI_ADMIN_KEY=\(lost)\n"], message: "m", date: "2026-01-01")
        // Delete the loose object of lost.env's blob, as in a damaged or partial clone.
        let blobID = try blobHex(of: "OPENAI_ADMIN_KEY=\(lost)\n")
        try FileManager.default.removeItem(atPath: dir + "/r/.git/objects/\(blobID.prefix(2))/\(blobID.dropFirst(2))")
        let (result, register) = try scanRegister([dir + "/r"], history: true)
        XCTAssertNotNil(register.credential(for: survivor))
        XCTAssertNil(register.credential(for: lost))
        XCTAssertEqual(result.tally.skipped["missing-object"], 1)
        XCTAssertTrue(register.scan.problems.contains { $0.path == "lost.env" && $0.reason.hasPrefix("missing-object") })
    }

    func testEmptyRepositoryIsNotAnError() throws {
        let dir = try temporaryDirectory(self)
        _ = try GitFixtureRepository(path: dir + "/empty")
        let (result, register) = try scanRegister([dir + "/empty"])
        XCTAssertEqual(result.tally.commits, 0)
        XCTAssertTrue(register.credentials.isEmpty)
    }

    func testSinceReportsOnlyWhatLaterCommitsIntroduced() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let old = keys.openAIProjectKey()
        let new = keys.anthropicAPIKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        let base = try repo.commit(["old.env": "OPENAI_API_KEY=\(old)\n"], message: "base", date: "2026-01-01")
        try repo.commit(["new.env": "ANTHROPIC_API_KEY=\(new)\n", "more.txt": "x\n"], message: "pr", date: "2026-01-02")
        let (_, register) = try scanRegister([dir + "/r"], since: base)
        XCTAssertNotNil(register.credential(for: new))
        XCTAssertNil(register.credential(for: old), "a secret that existed before --since is not re-reported")
        XCTAssertThrowsError(try scanRegister([dir + "/r"], since: "no-such-rev")) { XCTAssertTrue("\($0)".contains("no-such-rev")) }
    }

    func testCommittedKubernetesSecretDataIsDecoded() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let token = keys.slackBotToken()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["k8s/bots.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: bots\ndata:\n  SLACK_BOT_TOKEN: \(Data(token.utf8).base64EncodedString())\n"],
                        message: "bots", date: "2026-01-01")
        let (_, register) = try scanRegister([dir + "/r"])
        let credential = try XCTUnwrap(register.credential(for: token))
        XCTAssertEqual(credential.locations.first?.kind, "git")
        XCTAssertEqual(credential.locations.first?.line, 6)
        XCTAssertEqual(credential.locations.first?.note, "base64 in Kubernetes Secret bots data.SLACK_BOT_TOKEN")
    }

    func testAMissingCommitIsReportedAndTheReadableHistoryStillScanned() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let early = keys.groqKey()
        let late = keys.perplexityKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["a.env": "GROQ_API_KEY=\(early)\n"], message: "1", date: "2026-01-01")
        let middle = try repo.commit(["b.txt": "b\n"], message: "2", date: "2026-01-02")
        try repo.commit(["c.env": "PPLX_API_KEY=\(late)\n"], message: "3", date: "2026-01-03")
        try FileManager.default.removeItem(atPath: dir + "/r/.git/objects/\(middle.prefix(2))/\(middle.dropFirst(2))")
        let (result, register) = try scanRegister([dir + "/r"], history: true)
        XCTAssertEqual(result.tally.skipped["corrupt-repository"], 1, "the failed walk is reported")
        XCTAssertEqual(result.tally.skipped["missing-object"], 1)
        XCTAssertTrue(register.scan.problems.contains { $0.path == middle && $0.reason.hasPrefix("missing-object") })
        XCTAssertEqual(result.tally.commits, 1, "the readable commit is still indexed")
        XCTAssertNotNil(register.credential(for: late))
        // The early key is still in the readable commit's tree, so it is found there.
        XCTAssertNotNil(register.credential(for: early))
    }

    private func blobHex(of content: String) throws -> String {
        let bytes = Array(content.utf8)
        return bytes.withUnsafeBytes { GitBlobHasher.id(of: $0).hex }
    }
}
