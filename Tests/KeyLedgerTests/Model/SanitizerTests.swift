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

    /// Provider object ids from the providers' documented examples stay whole (the register's `identity.key_id`, an
    /// export's workspace), but only as the whole token: a value glued on with `=`, or a known secret, is still caught.
    func testProviderObjectIdsStayWhole() {
        for id in ["apikey_01Rj2N8SVvo6BePZj99NhmiT", "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ", "user_01WCz1FkmYMm4gnmykNKUu3Q",
                   "proj_Qm7Vt2LxR9aPz4KcW1nYbE3s", "org-Ab3De5Fg7Hi9Jk1Lm2No4Pq6", "user-Ab3De5Fg7Hi9Jk1Lm2No4Pq"] {
            XCTAssertEqual(sanitizer.clean("key \(id) in workspace"), "key \(id) in workspace", id)
        }
        var keys = CredentialFactory(seed: 0x5A9)
        let glued = "proj_" + keys.random(24, from: CredentialFactory.alnum) + "=" + keys.random(32, from: CredentialFactory.alnum)
        XCTAssertFalse(sanitizer.clean(glued).contains(glued), "an id with a value glued on is judged whole")
        // Past the documented id lengths the prefix spares nothing: the token is judged as any other.
        var redacted = 0
        for _ in 0..<40 {
            let tooLong = "proj_" + keys.random(40, from: CredentialFactory.alnum)
            let caught = !sanitizer.clean(tooLong).contains(tooLong)
            XCTAssertEqual(caught, Sanitizer.looksRandom(ArraySlice(tooLong.utf8)))
            if caught { redacted += 1 }
        }
        XCTAssertGreaterThanOrEqual(redacted, 36, "random 45-character tokens are caught by the shape net")
        let known = "apikey_01" + keys.random(24, from: CredentialFactory.alnum)
        XCTAssertFalse(Sanitizer(matcher: sharedMatcher, secrets: [Secret(known)]).clean(known).contains(known), "a known secret is replaced whatever its shape")
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
