import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// SARIF 2.1.0 for GitHub code scanning: valid against the official schema, stable alert identities, no secrets.
final class SARIFReporterTests: XCTestCase {
    /// A repository with a key in history only, one in HEAD, a work-tree file, and a baselined key.
    private func estate(_ dir: String) throws -> (register: Register, baseline: Baseline, secrets: [String]) {
        var keys = CredentialFactory()
        let gone = keys.openAIProjectKey()
        let head = keys.anthropicAdminKey()
        let local = keys.groqKey()
        let accepted = keys.huggingFaceToken()
        let repo = try GitFixtureRepository(path: dir + "/svc")
        try repo.commit([".env": "OPENAI_API_KEY=\(gone)\n"], message: "oops", date: "2026-03-01")
        try repo.commit([".env": nil, "src/admin client.py": "# admin\nKEY = \"\(head)\"\n", "hf.py": "HF = '\(accepted)'\n"],
                        message: "more", date: "2026-04-01")
        try repo.checkout()
        try write("GROQ_API_KEY=\(local)\n", to: "config/local.env", in: dir + "/svc")
        let (_, first) = try scanRegister([dir + "/svc"])
        var onlyAccepted = first
        onlyAccepted.credentials.removeAll { $0.fingerprint != Secret(accepted).fingerprint }
        let baseline = Baseline.record(onlyAccepted, defaults: .init(reason: "read-only demo token", owner: "ml"), asOf: ISODate.parse("2026-11-20")!)
        var register = first
        baseline.apply(to: &register, asOf: ISODate.parse("2026-11-20")!)
        return (register, baseline, [gone, head, local, accepted])
    }

    private func render(_ register: Register, baseline: Baseline? = nil) throws -> (text: String, json: [String: Any]) {
        let text = try SARIFReporter.render(register, rules: sharedMatcher.rules, baseline: baseline)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return (text, json)
    }

    private func results(_ json: [String: Any]) throws -> [[String: Any]] {
        let runs = try XCTUnwrap(json["runs"] as? [[String: Any]])
        return try XCTUnwrap(runs.first?["results"] as? [[String: Any]])
    }

    func testTheOutputIsValidSARIF210() throws {
        let dir = try temporaryDirectory(self)
        let (register, baseline, secrets) = try estate(dir)
        let (text, _) = try render(register, baseline: baseline)
        assertNoPlaintext(text, secrets, "SARIF")

        // The official schema is kept in the repository (schemas/README.md), so every clone runs this test.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let schema = root.appendingPathComponent("schemas/sarif-2.1.0.json").path
        let schemaBytes = try Data(contentsOf: URL(fileURLWithPath: schema))
        // Unchanged from OASIS's errata01 publication (the digest schemas/README.md records).
        XCTAssertEqual(SHA256.hexString(SHA256.digest(schemaBytes)), "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e")
        // Python's jsonschema validates; without it the test skips locally and fails in CI (TestPrerequisites).
        func unavailable(_ why: String) throws -> Never {
            try TestPrerequisites.unavailable(why, install: "apt-get install python3-jsonschema, or pip install jsonschema")
        }
        let sarif = dir + "/keyledger.sarif"
        try text.write(toFile: sarif, atomically: true, encoding: .utf8)
        let check = """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                print("SKIP: python3 has no jsonschema module"); sys.exit(3)
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
            errors = sorted(validator.iter_errors(json.load(open(sys.argv[2]))), key=lambda e: list(e.path))
            for e in errors[:20]:
                print("/".join(str(p) for p in e.path), ":", e.message[:300])
            sys.exit(1 if errors else 0)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", check, schema, sarif]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        do { try process.run() } catch { try unavailable("python3 cannot be started: \(error)") }
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 127 { try unavailable("python3 is not installed") }
        if process.terminationStatus == 3 { try unavailable(output.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(process.terminationStatus, 0, "SARIF does not validate against the 2.1.0 schema:\n\(output)")
    }

    func testWhatGitHubCodeScanningNeedsIsThere() throws {
        let dir = try temporaryDirectory(self)
        let (register, baseline, secrets) = try estate(dir)
        let (_, json) = try render(register, baseline: baseline)
        XCTAssertEqual(json["version"] as? String, "2.1.0")
        XCTAssertEqual(json["$schema"] as? String, SARIFReporter.schemaURI)
        let run = try XCTUnwrap((json["runs"] as? [[String: Any]])?.first)
        let driver = try XCTUnwrap((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        XCTAssertEqual(driver["name"] as? String, "keyledger")
        XCTAssertEqual(driver["version"] as? String, KeyLedgerVersion.current)
        let rules = try XCTUnwrap(driver["rules"] as? [[String: Any]])
        XCTAssertEqual(rules.compactMap { $0["id"] as? String },
                       ["anthropic.admin-key", "groq.api-key", "huggingface.user-token", "openai.project-key"])
        for rule in rules {
            for field in ["shortDescription", "fullDescription", "help"] {
                let text = (rule[field] as? [String: Any])?["text"] as? String ?? ""
                XCTAssertFalse(text.isEmpty, "\(rule["id"]!) lacks \(field)")
            }
            XCTAssertTrue(((rule["help"] as? [String: Any])?["text"] as? String ?? "").contains("keyledger:allow <reason>"))
            let properties = try XCTUnwrap(rule["properties"] as? [String: Any])
            let tags = try XCTUnwrap(properties["tags"] as? [String])
            XCTAssertTrue(tags.contains("security") && tags.count <= 9)
            XCTAssertNotNil(Double(properties["security-severity"] as? String ?? ""))
            XCTAssertEqual((rule["defaultConfiguration"] as? [String: Any])?["level"] as? String, "error")
        }

        let all = try results(json)
        XCTAssertEqual(all.count, 4, "one result per location")
        for result in all {
            let ruleID = try XCTUnwrap(result["ruleId"] as? String)
            XCTAssertEqual(rules[result["ruleIndex"] as! Int]["id"] as? String, ruleID)
            XCTAssertTrue(["error", "warning", "note"].contains(result["level"] as? String ?? ""))
            let message = try XCTUnwrap((result["message"] as? [String: Any])?["text"] as? String)
            XCTAssertFalse(message.isEmpty)
            let physical = try XCTUnwrap(((result["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any])
            let artifact = try XCTUnwrap(physical["artifactLocation"] as? [String: Any])
            let uri = try XCTUnwrap(artifact["uri"] as? String)
            XCTAssertFalse(uri.hasPrefix("/") || uri.contains(dir), "repository-relative: \(uri)")
            XCTAssertEqual(artifact["uriBaseId"] as? String, "%SRCROOT%")
            XCTAssertGreaterThanOrEqual((physical["region"] as? [String: Any])?["startLine"] as? Int ?? 0, 1)
            let hash = try XCTUnwrap((result["partialFingerprints"] as? [String: Any])?["primaryLocationLineHash"] as? String)
            XCTAssertTrue(hash.hasSuffix(":1") && hash.count == 34)
        }
        let byRule = Dictionary(uniqueKeysWithValues: all.map { ($0["ruleId"] as! String, $0) })
        let admin = try XCTUnwrap(byRule["anthropic.admin-key"])
        let adminLocation = ((admin["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any]
        XCTAssertEqual((adminLocation?["artifactLocation"] as? [String: Any])?["uri"] as? String, "src/admin%20client.py")
        XCTAssertEqual((adminLocation?["region"] as? [String: Any])?["startLine"] as? Int, 2)
        XCTAssertNil(admin["suppressions"])
        let suppressed = try XCTUnwrap(byRule["huggingface.user-token"]?["suppressions"] as? [[String: Any]])
        XCTAssertEqual(suppressed.first?["kind"] as? String, "external")
        XCTAssertEqual(suppressed.first?["status"] as? String, "accepted")
        XCTAssertTrue((suppressed.first?["justification"] as? String ?? "").contains("read-only demo token"))
        let history = try XCTUnwrap((byRule["openai.project-key"]?["message"] as? [String: Any])?["text"] as? String)
        XCTAssertTrue(history.contains("stays in git history"), history)
        XCTAssertTrue(history.contains(Secret(secrets[0]).redacted))
    }

    func testLevelsFollowSeverity() {
        XCTAssertEqual([Severity.critical, .high, .medium, .low].map(SARIFReporter.level), ["error", "error", "warning", "note"])
    }

    func testAllowedCredentialsAreReportedAsSuppressedInSource() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        try write("KEY=\(keys.perplexityKey()) # keyledger:allow docs sample\n", to: "docs.env", in: dir)
        var (_, register) = try scanRegister([dir])
        register.credentials[0].status = .allowed
        let suppression = try XCTUnwrap(try results(render(register).json).first?["suppressions"] as? [[String: Any]])
        XCTAssertEqual(suppression.first?["kind"] as? String, "inSource")
    }

    func testAKeyFoundOnlyInACommitAuthorHasNoPhysicalLocation() throws {
        var keys = CredentialFactory(seed: 0xA07)
        let token = keys.gitHubToken()
        let dir = try temporaryDirectory(self)
        let repo = try GitFixtureRepository(path: dir + "/svc")
        try repo.commit(["README.md": "hello\n"], message: "init", author: "ci", email: "\(token)@users.example.org", date: "2026-11-01")
        let (_, register) = try scanRegister([dir + "/svc"])
        let record = try XCTUnwrap(register.credential(for: token))
        XCTAssertEqual(record.locations.map(\.path), [""], "the author's email: no file")
        let sarif = try render(register)
        let result = try XCTUnwrap(try results(sarif.json).first { ($0["properties"] as? [String: Any])?["credential"] as? String == record.id })
        XCTAssertEqual((result["locations"] as? [Any])?.count, 0, "no empty URI")
        assertNoPlaintext(sarif.text, [token], "SARIF")
    }

    func testTheAlertIdentitySurvivesLineMovesButNotAMoveToAnotherFile() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.openRouterKey()
        func hashes(_ content: String, at path: String) throws -> [String] {
            try? FileManager.default.removeItem(atPath: dir + "/tree")
            try write(content, to: path, in: dir + "/tree")
            let (_, register) = try scanRegister([dir + "/tree"])
            return try results(render(register).json).compactMap {
                ($0["partialFingerprints"] as? [String: Any])?["primaryLocationLineHash"] as? String
            }
        }
        let original = try hashes("OPENROUTER_API_KEY=\(key)\n", at: "app/.env")
        let moved = try hashes("# settings\n\n\nDEBUG=1\nOPENROUTER_API_KEY=\(key)\n", at: "app/.env")
        let elsewhere = try hashes("OPENROUTER_API_KEY=\(key)\n", at: "app/.env.production")
        XCTAssertEqual(original.count, 1)
        XCTAssertEqual(original, moved, "the key moved from line 1 to line 5: same alert")
        XCTAssertNotEqual(original, elsewhere, "another file is another place to fix")
        XCTAssertEqual(SARIFReporter.lineHash(rule: "r", fingerprint: "sha256:1", path: "a"),
                       SARIFReporter.lineHash(rule: "r", fingerprint: "sha256:1", path: "a"))
    }

    func testAbsoluteAndOddPathsBecomeValidURIs() {
        XCTAssertEqual(SARIFReporter.artifactLocation("./config/a b.env").uri, "config/a%20b.env")
        XCTAssertEqual(SARIFReporter.artifactLocation("c:d/x.env").uri, "c%3Ad/x.env")
        let absolute = SARIFReporter.artifactLocation("/srv/app/.env")
        XCTAssertEqual(absolute.uri, "file:///srv/app/.env")
        XCTAssertNil(absolute.uriBaseId)
    }
}
