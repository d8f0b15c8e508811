import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

final class SecretTests: XCTestCase {
    func testPrintingNeverShowsThePlaintext() {
        var keys = CredentialFactory()
        let value = keys.openAIProjectKey()
        let secret = Secret(value)
        for rendered in [secret.description, secret.debugDescription, "\(secret)", String(describing: secret),
                         String(reflecting: secret), "\([secret])", "\(Optional(secret) as Any)"] {
            XCTAssertFalse(rendered.contains(value), "a rendering of the secret leaks it")
        }
        var dumped = ""
        dump(secret, to: &dumped)
        XCTAssertFalse(dumped.contains(value))
    }

    func testFingerprintIsSHA256OfTheSecret() {
        XCTAssertEqual(Secret("abc").fingerprint, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testRedactedShowsPrefixEllipsisAndLastFour() {
        var keys = CredentialFactory()
        let value = keys.openAIProjectKey()
        let redacted = Secret(value).redacted
        XCTAssertTrue(redacted.hasPrefix("sk-proj-"))
        XCTAssertTrue(redacted.hasSuffix("…" + value.suffix(4)))
        XCTAssertLessThanOrEqual(redacted.count, 16)
        XCTAssertEqual(Secret("short").redacted, "*****")
        let pem = keys.privateKeyPEM(header: "RSA PRIVATE KEY")
        XCTAssertTrue(Secret(pem).redacted.hasPrefix("-----BEGIN RSA PRIVATE KEY-----…"))
    }
}

/// Redaction shows at most the format's fixed prefix plus two characters, and the last four (issue 10: a prefix that
/// ran to the last `-` of the first 16 characters showed up to 14 random characters).
final class RedactionTests: XCTestCase {
    func testAFoundKeyShowsItsRulesPrefixAndTwoCharacters() throws {
        var keys = CredentialFactory()
        let lower = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        // An xAI key whose random body happens to start with lower-case segments and dashes.
        let xai = "xai-" + keys.random(5, from: lower) + "-" + keys.random(5, from: lower) + "-" + keys.random(68, from: CredentialFactory.alnum)
        let project = keys.openAIProjectKey()
        let workspace = sharedMatcher.makeWorkspace()
        for (text, key, shown) in [("XAI_API_KEY=\(xai)\n", xai, 6), ("OPENAI_API_KEY=\(project)\n", project, 10)] {
            let matches = Array(text.utf8).withUnsafeBytes { sharedMatcher.matches(in: $0, workspace: workspace) }
            let secret = try XCTUnwrap(matches.first?.secret)
            XCTAssertEqual(secret.fingerprint, Secret(key).fingerprint)
            let parts = secret.redacted.components(separatedBy: "…")
            XCTAssertEqual(parts[0], String(key.prefix(shown)))
            XCTAssertEqual(parts[1], String(key.suffix(4)))
        }
    }

    func testWithoutARuleOnlyAWordLikePrefixIsShown() {
        XCTAssertEqual(Secret("0c5e2a17-9b3d-4e8f-a6c1-7d2b9e4f3a85").redacted, "0c5e…3a85", "a UUID has no prefix")
        XCTAssertEqual(Secret("sk-ant-api03-Xq3kLm9PzT2vR8wYbN4cJ6hDu2Ws5tAq7Yb1Zc").redacted, "sk-ant-api03-Xq…b1Zc")
        XCTAssertEqual(Secret("xoxb-123456789012-1234567890123-Xq3kLm9PzT2vR8wYbN4cJ6hD").redacted, "xoxb-12…J6hD")
        XCTAssertEqual(Secret("AIzaSyXq3kLm9PzT2vR8wYbN4cJ6hDu2Ws5tAq7Y").redacted, "AIza…Aq7Y")
        XCTAssertEqual(Secret("Secret-equality").hashValue, Secret("Secret-equality", visiblePrefix: 3).hashValue)
    }
}
