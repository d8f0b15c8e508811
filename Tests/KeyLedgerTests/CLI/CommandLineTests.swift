import XCTest
import KeyLedgerFixtures
@testable import KeyLedger

/// Runs the built `keyledger` executable as a user would.
final class CommandLineTests: XCTestCase {
    static var executable: String {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("keyledger").path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("keyledger").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/keyledger").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }

    func run(_ arguments: [String], cwd: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try runKeyledger(arguments, cwd: cwd)
    }

    func testExitCodesAndOutputs() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.anthropicAPIKey()
        try write("ANTHROPIC_API_KEY=\(key)\n", to: "dirty/.env", in: dir)
        try write("nothing here\n", to: "clean/readme.txt", in: dir)

        let clean = try run(["scan", dir + "/clean"])
        XCTAssertEqual(clean.status, 0, clean.stderr)
        XCTAssertTrue(clean.stdout.contains("No credentials found"))

        let dirty = try run(["scan", dir + "/dirty", "--as-of", "2026-11-20"])
        XCTAssertEqual(dirty.status, 1)
        XCTAssertTrue(dirty.stdout.contains("anthropic"))
        XCTAssertTrue(dirty.stdout.contains("api-key"))
        assertNoPlaintext(dirty.stdout + dirty.stderr, [key], "table output")

        let json = try run(["scan", dir + "/dirty", "--format", "json", "--output", dir + "/register.json", "--as-of", "2026-11-20"])
        XCTAssertEqual(json.status, 1)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/register.json"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["schema"] as? String, "keyledger.register/v1")
        XCTAssertEqual(object["as_of"] as? String, "2026-11-20")
        let credentials = try XCTUnwrap(object["credentials"] as? [[String: Any]])
        XCTAssertEqual(credentials.count, 1)
        for field in ["id", "fingerprint", "redacted", "provider", "kind", "rule", "identity", "owner", "exposure", "locations",
                      "created", "age_days", "last_used", "usage", "privilege", "risk", "controls", "treatment", "status"] {
            XCTAssertTrue(credentials[0].keys.contains(field), "register credential lacks \(field)")
        }
        assertNoPlaintext(String(decoding: data, as: UTF8.self), [key], "JSON file")

        let missing = try run(["scan", dir + "/does-not-exist"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("does-not-exist"))
        XCTAssertTrue(missing.stderr.contains("no such file or directory"))

        let badDate = try run(["scan", dir, "--as-of", "20-11-2026"])
        XCTAssertEqual(badDate.status, 2)
        XCTAssertTrue(badDate.stderr.contains("--as-of"))
    }

    func testFailOnAndGovernanceFormats() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.groqKey()
        try write("GROQ_API_KEY=\(key)\n", to: "store/.env", in: dir)
        // A lone key in a config file with no owner scores medium: it fails at medium, not at high.
        let medium = try run(["scan", dir + "/store", "--fail-on", "medium", "--as-of", "2026-11-20", "--format", "csv"])
        XCTAssertEqual(medium.status, 1)
        XCTAssertTrue(medium.stdout.hasPrefix(CSVReporter.columns.joined(separator: ",")))
        let high = try run(["scan", dir + "/store", "--fail-on", "high", "--as-of", "2026-11-20", "--format", "md"])
        XCTAssertEqual(high.status, 0, high.stderr)
        XCTAssertTrue(high.stdout.hasPrefix("# Credential risk register — 2026-11-20"))
        let html = try run(["scan", dir + "/store", "--as-of", "2026-11-20", "--format", "html"])
        XCTAssertEqual(html.status, 1)
        XCTAssertTrue(html.stdout.lowercased().hasPrefix("<!doctype html>"), String(html.stdout.prefix(80)))
        XCTAssertFalse(html.stdout.contains("<script src") || html.stdout.contains("<link rel=\"stylesheet\" href"), "self-contained")
        assertNoPlaintext(medium.stdout + high.stdout + html.stdout, [key], "csv, md and html output")
        let bad = try run(["scan", dir + "/store", "--fail-on", "severe"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--fail-on"))

        try write("policy:\n  dormant_days: soon\n", to: "bad.yml", in: dir)
        let badConfig = try run(["scan", dir + "/store", "--config", dir + "/bad.yml"])
        XCTAssertEqual(badConfig.status, 2)
        XCTAssertTrue(badConfig.stderr.contains("bad.yml: line 2"), badConfig.stderr)
    }

    func testRulesListAndTest() throws {
        let list = try run(["rules", "list"])
        XCTAssertEqual(list.status, 0)
        XCTAssertTrue(list.stdout.contains("openai.project-key"))
        let test = try run(["rules", "test"])
        XCTAssertEqual(test.status, 0, test.stderr)
        XCTAssertTrue(test.stdout.contains("all pass"))

        let dir = try temporaryDirectory(self)
        try write("""
        provider: acme
        rules:
          - id: acme.token
            name: Acme token
            kind: token
            description: Calls the Acme API.
            pattern: '\\b(acme_[a-z0-9]{24})\\b'
            identity: { reveals: nothing }
            examples: ['ACME=acme_q8w7e6r5t4y3u2i1o9p8a7s6']
            negative_examples:
              - text: 'ACME=acme_short'
                why: too short
              - text: 'ACME=acme_z9x8c7v6b5n4m3l2k1j9h8g7'
                why: a negative that wrongly matches, to see the failure
        """, to: "acme.yml", in: dir)
        let userTest = try run(["rules", "test", dir])
        XCTAssertEqual(userTest.status, 1)
        XCTAssertTrue(userTest.stderr.contains("acme.token"))
    }
}
