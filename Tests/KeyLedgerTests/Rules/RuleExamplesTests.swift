import XCTest
@testable import KeyLedger

/// Every rule proves itself: its examples are found, its negative examples are not.
final class RuleExamplesTests: XCTestCase {
    func testEveryBuiltinRuleExample() throws {
        let failures = RuleTester.run(sharedMatcher.rules, matcher: sharedMatcher)
        for failure in failures { XCTFail(failure.description) }
        XCTAssertGreaterThanOrEqual(sharedMatcher.rules.count, 45)
    }

    func testRequiredCoverage() {
        let ids = Set(sharedMatcher.rules.map(\.id))
        for id in ["openai.project-key", "openai.service-account-key", "openai.admin-key", "openai.legacy-key",
                   "anthropic.api-key", "anthropic.admin-key", "anthropic.oauth-token", "google.api-key",
                   "gcp.service-account-key", "azure.openai-key", "azure.openai-identifiable-key", "azure.entra-client-secret",
                   "aws.access-key", "aws.session-key", "aws.bedrock-long-term-key", "aws.bedrock-short-term-key",
                   "huggingface.user-token", "huggingface.org-token", "groq.api-key", "replicate.api-token", "together.api-key",
                   "fireworks.api-key", "perplexity.api-key", "xai.api-key", "deepseek.api-key", "openrouter.api-key",
                   "mistral.api-key", "cohere.api-key", "langsmith.api-key", "pinecone.api-key", "elevenlabs.api-key",
                   "voyage.api-key", "cerebras.api-key", "github.classic-token", "github.fine-grained-token",
                   "github.installation-token", "slack.bot-token", "kubernetes.service-account-token", "generic.private-key"] {
            XCTAssertTrue(ids.contains(id), "missing rule \(id)")
        }
    }

    func testEveryRuleIsDocumented() {
        for rule in sharedMatcher.rules {
            XCTAssertFalse(rule.description.isEmpty, "\(rule.id) has no description")
            XCTAssertFalse(rule.identity.reveals.isEmpty, "\(rule.id) does not say what identity it reveals")
            XCTAssertTrue(rule.id.hasPrefix(rule.provider + ".") || rule.id.split(separator: ".").count == 2, "\(rule.id) is not namespaced")
            for negative in rule.negativeExamples { XCTAssertFalse(negative.why.isEmpty, "\(rule.id): a negative example lacks its reason") }
        }
    }

    /// The rules compiled into the binary are exactly those in rules/ (run scripts/embed-rules.sh after editing).
    func testEmbeddedRulesMatchTheRulesFolder() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("rules").path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yml") }.sorted()
        XCTAssertEqual(BuiltinRules.files.map(\.name), names, "run scripts/embed-rules.sh")
        for (name, text) in BuiltinRules.files {
            let onDisk = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            XCTAssertTrue(text + "\n" == onDisk, "\(name) differs from the embedded copy: run scripts/embed-rules.sh")
        }
    }

    /// Built-in rules compile their regexes lazily at scan time; here every one is compiled (and its single capture
    /// checked), so a bad built-in pattern fails the suite instead of a user's scan.
    func testEveryBuiltinRegexCompiles() throws {
        let cache = VectorscanCache.defaultDirectory.map(VectorscanCache.init(directory:))
        XCTAssertNoThrow(try RuleMatcher(rules: RuleLoader.builtin(), cache: cache, lazyBuiltins: false))
    }

    /// docs/rules.md lists exactly the built-in rules (scripts/embed-rules.sh regenerates it).
    func testRulesDocumentListsEveryBuiltinRule() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let regex = try NSRegularExpression(pattern: "`([a-z0-9-]+\\.[a-z0-9.-]+)`")
        let listed = Set(regex.matches(in: doc, range: NSRange(doc.startIndex..., in: doc)).compactMap {
            Range($0.range(at: 1), in: doc).map { String(doc[$0]) }
        })
        XCTAssertEqual(listed, Set(try RuleLoader.builtin().map(\.id)), "run scripts/embed-rules.sh")
    }

    func testUserRulesWithABadPatternAreRejectedWithTheirFile() throws {
        let dir = try temporaryDirectory(self)
        try write("""
        provider: acme
        rules:
          - id: acme.token
            kind: token
            pattern: 'acme_[a-z]{10}'
            examples: ['acme_abcdefghij']
        """, to: "acme.yml", in: dir)
        let rules = try RuleLoader.load(directory: dir)
        XCTAssertThrowsError(try RuleMatcher(rules: rules)) { error in
            XCTAssertTrue("\(error)".contains("acme.yml"))
            XCTAssertTrue("\(error)".contains("exactly one capture group"))
        }
        try write("provider: acme\nrules: [{id: acme.x, kind: x}]\n", to: "acme.yml", in: dir)
        XCTAssertThrowsError(try RuleLoader.load(directory: dir)) { XCTAssertTrue("\($0)".contains("missing `pattern`")) }
    }

    func testMoreSpecificRuleWinsAnOverlap() throws {
        // The GCP service-account rule and the generic private-key rule both see the PEM inside a key file.
        var keys = KeyLedgerFixtures.CredentialFactory()
        let sa = keys.gcpServiceAccountJSON(project: "proj-1", account: "svc")
        var bytes = Array(sa.json.utf8)
        let matches = bytes.withUnsafeMutableBytes { sharedMatcher.matches(in: UnsafeRawBufferPointer($0), workspace: sharedMatcher.makeWorkspace()) }
        XCTAssertEqual(matches.map { sharedMatcher.rules[$0.ruleIndex].id }, ["gcp.service-account-key"])
        XCTAssertEqual(matches.first?.identity.keyId, sa.keyId)
        XCTAssertEqual(matches.first?.identity.principal, sa.email)
    }
}

import KeyLedgerFixtures
