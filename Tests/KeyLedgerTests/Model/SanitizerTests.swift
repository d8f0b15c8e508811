import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// The one gate every outgoing string passes: each of its three nets, what it must leave alone, and the register walk.
final class SanitizerTests: XCTestCase {
    let sanitizer = Sanitizer(matcher: sharedMatcher)

    func testKnownSecretsAreRedactedInsideLongerText() {
        var keys = CredentialFactory(seed: 0x5A1)
        // A hex key: neither a rule (no context here) nor the shape net (hex) would catch it alone.
        let hex = keys.azureOpenAIKey()
        let gate = Sanitizer(matcher: sharedMatcher, secrets: [Secret(hex)])
        let out = gate.clean("path/to/\(hex)/file.txt")
        XCTAssertFalse(out.contains(hex))
        XCTAssertTrue(out.contains(Secret(hex).redacted))
    }

    func testAnythingARuleMatchesIsRedacted() {
        var keys = CredentialFactory(seed: 0x5A2)
        let key = keys.anthropicAPIKey()
        let out = sanitizer.clean("unknown section `\(key)`")
        XCTAssertFalse(out.contains(key))
        // The rule's fixed prefix (`sk-ant-api0`) and two characters, `…`, the last four.
        XCTAssertEqual(out, "unknown section `\(key.prefix(13))…\(key.suffix(4))`")
    }

    func testIdentifiersStayWhole() {
        // An AWS access key id names an identity; redacting it would hide which key is meant.
        XCTAssertEqual(sanitizer.clean("key id AKIAVZ23JUPERYDJW7SW"), "key id AKIAVZ23JUPERYDJW7SW")
        for name in ["getUserByIdAndOrgV2Handler", "Qwen2.5-Coder-32B-Instruct-AWQ", "Meta-Llama-3-8B-Instruct-v2", "StrengthTest2024Runner", "sentence-transformers_all-MiniLM-L6-v2",
                     "arn:aws:iam::123456789012:user/BedrockAPIKey-1iak", "sha256:" + String(repeating: "ab12", count: 16),
                     "123e4567-e89b-12d3-a456-426614174000", "kl_2f5171e365859416", "XMLHttpRequestUpload2Handler"] {
            XCTAssertEqual(sanitizer.clean(name), name, name)
        }
    }

    func testRandomTokensOfNoKnownFormatAreRedacted() {
        var keys = CredentialFactory(seed: 0x5A3)
        var missed = 0
        for _ in 0..<200 {
            let token = keys.random(40, from: CredentialFactory.alnum)
            if sanitizer.clean("vendor token \(token) here").contains(token) { missed += 1 }
        }
        // Measured: 1.0 % of random 40-character tokens look word-like enough to pass (2 of 200 expected); allow up to 2.5 %.
        XCTAssertLessThanOrEqual(missed, 5)
    }

    func testControlCharactersAreEscaped() {
        XCTAssertEqual(sanitizer.clean("evil\u{1B}]0;pwned\u{07}.env"), "evil\\u{1B}]0;pwned\\u{7}.env")
        XCTAssertEqual(sanitizer.clean("a\nb"), "a\\nb")
        XCTAssertEqual(sanitizer.clean("a\nb", multiline: true), "a\nb")
        XCTAssertEqual(sanitizer.clean("x\u{202E}y"), "x\\u{202E}y")
    }

    func testTheRegisterWalkKeepsNumbersAndRedactedFormsAndNeverEmptiesIt() throws {
        var keys = CredentialFactory(seed: 0x5A4)
        let key = keys.openAIProjectKey()
        let dir = try temporaryDirectory(self)
        try write("OPENAI_API_KEY=\(key)\n", to: "svc/.env", in: dir)
        var (_, register) = try scanRegister([dir + "/svc"])
        XCTAssertEqual(register.credentials.count, 1)
        register.credentials[0].notes = ["pasted \(key) here"]
        register.credentials[0].usage.spend30d = .infinity
        register.credentials[0].redacted = "ABSKQmVkcm9ja0FQSUtleS0x…Tg=="
        let cleaned = try Sanitizer(matcher: sharedMatcher, secrets: [Secret(key)]).clean(register)
        XCTAssertEqual(cleaned.credentials.count, 1)
        XCTAssertEqual(cleaned.credentials[0].notes, ["pasted \(Secret(key).redacted) here"])
        XCTAssertEqual(cleaned.credentials[0].usage.spend30d, .infinity, "a non-finite number survives the walk")
        XCTAssertEqual(cleaned.credentials[0].redacted, "ABSKQmVkcm9ja0FQSUtleS0x…Tg==", "keyledger's own redacted form is kept")
    }
}
