import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// The message a stopped commit prints: file, line, provider, kind and what to do — never the secret.
final class PreCommitReporterTests: XCTestCase {
    func testTheMessageNamesEachPlaceAndWhatToDo() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let first = keys.openAIProjectKey()
        let second = keys.anthropicAPIKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["README.md": "x\n"], message: "init", date: "2026-01-01")
        try repo.checkout()
        try repo.stage("src/client.py", content: "import os\n\nKEY = \"\(first)\"\n")
        try repo.stage(".env", content: "ANTHROPIC_API_KEY=\(second) # keyledger:allow\n")
        let result = try Scanner(matcher: sharedMatcher).run(ScanRequest(paths: [dir + "/r"], staged: true))
        let register = RegisterBuilder.build(result: result, entries: Inventory.build(result.findings), asOf: ISODate.parse("2026-11-20")!)

        let raw = PreCommitReporter.render(register)
        assertNoPlaintext(raw, [first, second], "pre-commit message")
        let message = scrubbed(raw, [first, second])
        XCTAssertTrue(message.hasPrefix("keyledger: commit stopped: 2 credentials in the staged changes\n"), message)
        XCTAssertTrue(message.contains("src/client.py:3"), message)
        XCTAssertTrue(message.contains("openai project-key"), message)
        XCTAssertTrue(message.contains(".env:1"), message)
        XCTAssertTrue(message.contains("anthropic api-key"), message)
        XCTAssertTrue(message.contains(try XCTUnwrap(register.credential(for: first)).redacted), message)
        XCTAssertTrue(message.contains("keyledger:allow on this line has no reason"), message)
        for advice in ["remove it from the file", "rotate it at the provider", "keyledger:allow <reason>"] {
            XCTAssertTrue(message.contains(advice), "missing advice: \(advice)")
        }
    }

    func testNothingStopsTheCommitWhenEveryCredentialIsAllowedOrBaselined() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        try write("A=\(keys.groqKey())\nB=\(keys.huggingFaceToken())\n", to: "x.env", in: dir)
        var (_, register) = try scanRegister([dir])
        XCTAssertEqual(PreCommitReporter.blocking(register).count, 2)
        register.credentials[0].status = .allowed
        register.credentials[1].status = .suppressed
        XCTAssertTrue(PreCommitReporter.blocking(register).isEmpty)
        XCTAssertEqual(PreCommitReporter.render(register), "")
        register.credentials[1].status = .open
        XCTAssertTrue(PreCommitReporter.render(register).contains("(1 allowed or baselined credential does not stop the commit.)"))
    }
}
