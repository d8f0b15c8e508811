import XCTest
import KeyLedgerFixtures
@testable import KeyLedger

/// The scan options the README documents, each through the built binary as a user passes it:
/// `--no-history`, `--jobs`, `--max-file-size`, `--rules DIR` and a `.keyledgerignore` file.
final class ScanOptionsCommandLineTests: XCTestCase {
    /// `keyledger scan ARGS --format json --as-of 2026-11-20`, decoded; fails the test on an exit status other than `status`.
    func scan(_ arguments: [String], status: Int32, secrets: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Register {
        let result = try runKeyledger(["scan"] + arguments + ["--format", "json", "--as-of", "2026-11-20"])
        assertNoPlaintext(result.stdout + result.stderr, secrets, "scan output", file: file, line: line)
        XCTAssertEqual(result.status, status, scrubbed(result.stderr, secrets), file: file, line: line)
        return try JSONDecoder().decode(Register.self, from: Data(result.stdout.utf8))
    }

    func testNoHistoryScansOnlyTheWorkTree() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let removed = keys.openAIProjectKey(), current = keys.groqKey()
        let repo = try GitFixtureRepository(path: dir + "/svc")
        try repo.commit([".env": "OPENAI_API_KEY=\(removed)\n"], message: "config", date: "2026-05-14")
        try repo.commit([".env": nil, "app.py": "GROQ_API_KEY = \"\(current)\"\n"], message: "groq", date: "2026-06-01")
        try repo.checkout()

        let full = try scan([dir + "/svc"], status: 1, secrets: [removed, current])
        XCTAssertEqual(Set(full.credentials.compactMap(\.fingerprint)), [Secret(removed).fingerprint, Secret(current).fingerprint])
        XCTAssertEqual(full.scan.commits, 2)

        let workTree = try scan([dir + "/svc", "--no-history"], status: 1, secrets: [removed, current])
        XCTAssertEqual(workTree.credentials.compactMap(\.fingerprint), [Secret(current).fingerprint],
                       "the key only history holds is not read")
        XCTAssertEqual(workTree.scan.commits, 0)
        XCTAssertEqual(workTree.credentials.first?.locations.map(\.path), ["app.py"])
    }

    func testJobsGivesTheSameRegisterAndRefusesZero() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        var secrets: [String] = []
        for i in 0..<12 {
            let key = keys.huggingFaceToken()
            secrets.append(key)
            try write("HF_TOKEN=\(key)\n", to: "store/team\(i)/.env", in: dir)
        }
        let one = try scan([dir + "/store", "--jobs", "1"], status: 1, secrets: secrets)
        let four = try scan([dir + "/store", "--jobs", "4"], status: 1, secrets: secrets)
        XCTAssertEqual(one.credentials.count, 12)
        XCTAssertEqual(one.credentials, four.credentials, "worker threads change the speed, never the register")
        XCTAssertEqual(one.scan.files, 12)
        XCTAssertEqual(four.scan.files, 12)

        let zero = try runKeyledger(["scan", dir + "/store", "--jobs", "0"])
        XCTAssertEqual(zero.status, 2)
        XCTAssertTrue(zero.stderr.contains("--jobs must be positive"), zero.stderr)
    }

    func testMaxFileSizeSkipsAndCountsLargerFiles() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let small = keys.anthropicAPIKey(), large = keys.deepSeekKey()
        try write("ANTHROPIC_API_KEY=\(small)\n", to: "store/small.env", in: dir)
        // 1.5 MiB: over a 1 MiB limit, under the default 25 MiB.
        let padding = String(repeating: "# padding line of a generated config file, nothing secret here\n", count: 1_572_864 / 64)
        try write("DEEPSEEK_API_KEY=\(large)\n" + padding, to: "store/large.env", in: dir)

        let all = try scan([dir + "/store"], status: 1, secrets: [small, large])
        XCTAssertEqual(Set(all.credentials.compactMap(\.fingerprint)), [Secret(small).fingerprint, Secret(large).fingerprint])
        XCTAssertNil(all.scan.skipped["oversized"])

        let limited = try scan([dir + "/store", "--max-file-size", "1"], status: 1, secrets: [small, large])
        XCTAssertEqual(limited.credentials.compactMap(\.fingerprint), [Secret(small).fingerprint])
        XCTAssertEqual(limited.scan.skipped["oversized"], 1)
        XCTAssertEqual(limited.scan.problems.filter { $0.reason.hasPrefix("oversized") }.map(\.path), ["large.env"])

        let zero = try runKeyledger(["scan", dir + "/store", "--max-file-size", "0"])
        XCTAssertEqual(zero.status, 2)
        XCTAssertTrue(zero.stderr.contains("--max-file-size must be a positive number of MiB"), zero.stderr)
        // A negative value is a value, not an option (it used to say "Missing value").
        let negative = try runKeyledger(["scan", dir + "/store", "--max-file-size", "-1"])
        XCTAssertEqual(negative.status, 2)
        XCTAssertTrue(negative.stderr.contains("--max-file-size must be a positive number of MiB"), negative.stderr)
        // Beyond what fits in bytes means no limit, never an overflow that makes every file "oversized".
        let huge = try scan([dir + "/store", "--max-file-size", "9223372036854775807"], status: 1, secrets: [small, large])
        XCTAssertEqual(huge.credentials.count, 2)
        XCTAssertNil(huge.scan.skipped["oversized"])
    }

    func testAUserRuleFolderFindsWhatTheBuiltInRulesDoNot() throws {
        let dir = try temporaryDirectory(self)
        try write("""
        provider: acme
        rules:
          - id: acme.token
            name: Acme token
            kind: token
            description: Calls the Acme API as the account that created the token.
            pattern: '\\b(acme_[a-z0-9]{24})\\b'
            keywords: [acme_]
            identity: { reveals: nothing }
            examples: ['ACME=acme_q8w7e6r5t4y3u2i1o9p8a7s6']
            negative_examples:
              - text: 'ACME=acme_short'
                why: too short
        """, to: "rules/acme.yml", in: dir)
        let token = "acme_" + "k3j5h7g9f2d4s6a8p1o3i5u7"
        // In source code, where only provider formats count (a `.env` line would be a generic config secret already).
        try write("client = acme.Client(\"\(token)\")\n", to: "store/client.py", in: dir)

        let builtIn = try scan([dir + "/store"], status: 0, secrets: [token])
        XCTAssertEqual(builtIn.credentials.count, 0, "no built-in rule knows Acme")

        let withRules = try scan([dir + "/store", "--rules", dir + "/rules"], status: 1, secrets: [token])
        XCTAssertEqual(withRules.credentials.map(\.rule), ["acme.token"])
        XCTAssertEqual(withRules.credentials.map(\.provider), ["acme"])
        XCTAssertEqual(withRules.credentials.first?.fingerprint, Secret(token).fingerprint)
        XCTAssertEqual(withRules.credentials.first?.locations.map(\.path), ["client.py"])
        XCTAssertEqual(withRules.scan.rules, builtIn.scan.rules + 1)
    }

    func testKeyledgerIgnoreLeavesOutWhatItNames() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let kept = keys.openRouterKey(), vendored = keys.perplexityKey(), sample = keys.replicateToken(), local = keys.mistralKey()
        try write("OPENROUTER_API_KEY=\(kept)\n", to: "store/app/.env", in: dir)
        try write("PPLX_API_KEY=\(vendored)\n", to: "store/vendor/lib/.env", in: dir)
        try write("REPLICATE_API_TOKEN=\(sample)\n", to: "store/app/settings.sample", in: dir)
        try write("MISTRAL_API_KEY=\(local)\n", to: "store/config/local-dev.env", in: dir)
        let secrets = [kept, vendored, sample, local]

        let everything = try scan([dir + "/store"], status: 1, secrets: secrets)
        XCTAssertEqual(Set(everything.credentials.compactMap(\.fingerprint)), Set(secrets.map { Secret($0).fingerprint }))

        // A folder by name, a file pattern anywhere (matched against the file name), a path glob from the root.
        try write("# test data and vendored code\nvendor\n*.sample\n\nconfig/local-*.env\n", to: "store/.keyledgerignore", in: dir)
        let ignoring = try scan([dir + "/store"], status: 1, secrets: secrets)
        XCTAssertEqual(ignoring.credentials.compactMap(\.fingerprint), [Secret(kept).fingerprint])
        XCTAssertEqual(ignoring.scan.skipped["ignored"], 3, "vendor/, app/settings.sample, config/local-dev.env")
        XCTAssertEqual(ignoring.scan.files, 2, "app/.env and the .keyledgerignore file itself")
    }

    func testTheRepositorysOwnRulesFolderTestsAsAWorkingCopyOfTheBuiltIns() throws {
        // What a contributor tries first: its rules repeat the built-in ids, and replace them rather than clash.
        let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("rules").path
        let result = try runKeyledger(["rules", "test", rules])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stderr.contains("duplicate"), result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("\(sharedMatcher.rules.count) rules, "), result.stdout)
        XCTAssertTrue(result.stdout.contains("all pass"), result.stdout)
    }
}
