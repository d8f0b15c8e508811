import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// `scan --since REV`: only credentials the commits of `REV..HEAD` introduce (a pull request).
final class SinceTests: XCTestCase {
    func testAKeyAlreadyInAFileThePullRequestEditsIsNotReportedAgain() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let old = keys.openAIProjectKey()
        let new = keys.anthropicAPIKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        let base = try repo.commit(["settings.env": "OPENAI_API_KEY=\(old)\n"], message: "base", date: "2026-01-01")
        try repo.commit(["settings.env": "OPENAI_API_KEY=\(old)\nTIMEOUT=30\n"], message: "pr 1", date: "2026-01-02")
        let introduced = try repo.commit(["settings.env": "OPENAI_API_KEY=\(old)\nTIMEOUT=30\nANTHROPIC_API_KEY=\(new)\n"],
                                         message: "pr 2", date: "2026-01-03")
        let (_, register) = try scanRegister([dir + "/r"], since: base)
        XCTAssertNil(register.credential(for: old), "the edited file's old key existed before the range")
        let credential = try XCTUnwrap(register.credential(for: new))
        XCTAssertEqual(credential.locations.first?.commit, introduced)
        XCTAssertEqual(credential.locations.first?.line, 3)
        XCTAssertEqual(register.credentials.count, 1)
    }

    func testAKeyMovedOrCopiedByThePullRequestExistedBefore() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let old = keys.googleAPIKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        let base = try repo.commit(["a/maps.env": "GOOGLE_API_KEY=\(old)\n"], message: "base", date: "2026-01-01")
        try repo.commit(["a/maps.env": nil, "b/maps.env": "GOOGLE_API_KEY=\(old)\n", "c/copy.env": "KEY=\(old)\n"], message: "move", date: "2026-01-02")
        let (_, register) = try scanRegister([dir + "/r"], since: base)
        XCTAssertTrue(register.credentials.isEmpty)
    }

    func testOtherBranchesAreNotPartOfTheRange() throws {
        // A CI clone with every branch fetched: only REV..HEAD belongs to the pull request.
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let elsewhere = keys.huggingFaceToken()
        let mine = keys.groqKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        let base = try repo.commit(["README.md": "x\n"], message: "base", date: "2026-01-01")
        try repo.commit(["hf.py": "token = '\(elsewhere)'\n"], message: "other work", date: "2026-01-02", branch: "other", from: "main")
        try repo.commit(["groq.py": "GROQ = '\(mine)'\n"], message: "pr", date: "2026-01-03")
        let (result, register) = try scanRegister([dir + "/r"], since: base)
        XCTAssertNotNil(register.credential(for: mine))
        XCTAssertNil(register.credential(for: elsewhere), "a branch outside REV..HEAD is not scanned")
        XCTAssertEqual(result.tally.commits, 1)
        // Without --since every ref is walked.
        let (_, full) = try scanRegister([dir + "/r"])
        XCTAssertNotNil(full.credential(for: elsewhere))
    }

    func testATagOrBranchNameWorksAsTheBaseAndTheWorkTreeIsNotScanned() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let local = keys.perplexityKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["a.txt": "a\n"], message: "base", date: "2026-01-01")
        try repo.tag("v1", branch: "main")
        try repo.checkout()
        try write("PPLX_API_KEY=\(local)\n", to: ".env", in: dir + "/r")
        let (_, register) = try scanRegister([dir + "/r"], since: "v1")
        XCTAssertTrue(register.credentials.isEmpty, "an uncommitted file is not part of a pull request")
        XCTAssertThrowsError(try scanRegister([dir], since: "v1")) { XCTAssertTrue("\($0)".contains("--since needs a git repository")) }
    }
}
