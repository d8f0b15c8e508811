import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

final class CredentialDecoderTests: XCTestCase {
    func testGitHubChecksum() {
        var keys = CredentialFactory()
        for _ in 0..<50 {
            let token = keys.gitHubToken()
            XCTAssertTrue(CredentialDecoders.githubChecksumValid(token))
            // Changing one character of the random part breaks the checksum.
            var chars = Array(token)
            chars[10] = chars[10] == "a" ? "b" : "a"
            XCTAssertFalse(CredentialDecoders.githubChecksumValid(String(chars)))
        }
    }

    func testAWSAccountFromKeyIdMatchesPublishedExamples() {
        // Key ids whose accounts were published by people who asked AWS (sts:GetAccessKeyInfo), not computed here:
        // Aidan Steele, "AWS Access Key ID formats" (awsteele.com, 2020-09-26) and Tal Be'ery, "A short note on AWS KEY
        // ID" (medium.com/@TalBeerySec): ASIAY34FZKBOKMUTVV7A → 609629065308; psanford/aws-account-id-from-key README:
        // ASIAVJ2E6QGR2WZILJFM → 364679954851; LocalStack's aws accounts utility docstring: AKIARZPUZDIKGB2VALC4 →
        // 123456789012 and ASIAQAAAAAAAGMKEM7X5 → 000000000000 (the lowest account, printed with its leading zeros).
        XCTAssertEqual(CredentialDecoders.awsAccount(fromKeyId: "ASIAY34FZKBOKMUTVV7A"), "609629065308")
        XCTAssertEqual(CredentialDecoders.awsAccount(fromKeyId: "ASIAVJ2E6QGR2WZILJFM"), "364679954851")
        XCTAssertEqual(CredentialDecoders.awsAccount(fromKeyId: "AKIARZPUZDIKGB2VALC4"), "123456789012")
        XCTAssertEqual(CredentialDecoders.awsAccount(fromKeyId: "ASIAQAAAAAAAGMKEM7X5"), "000000000000")
        // Not an id: too short, or a character outside base32 (0, 1, 8, 9 never occur).
        XCTAssertNil(CredentialDecoders.awsAccount(fromKeyId: "AKIA1"))
        XCTAssertNil(CredentialDecoders.awsAccount(fromKeyId: "AKIARZPUZDIKGB2VALC1"))
    }

    func testAWSAccountFromKeyId() {
        // Documented decoding (TruffleHog `GetAccountNumFromID`): base32 of chars 5–20, 48-bit mask, shift 7.
        // Build an id for a known account and check the round trip (the encoder here is this test's own).
        let account: UInt64 = 123456789012
        let z = (account << 7) | 0x15
        var bytes = [UInt8](repeating: 0, count: 10)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: z >> UInt64(8 * (5 - i))) }
        for i in 6..<10 { bytes[i] = UInt8(i) }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits: UInt64 = 0, count = 0
        var body = ""
        for b in bytes {
            bits = (bits << 8) | UInt64(b); count += 8
            while count >= 5 { body.append(alphabet[Int((bits >> UInt64(count - 5)) & 31)]); count -= 5 }
        }
        XCTAssertEqual(CredentialDecoders.awsAccount(fromKeyId: "AKIA" + body), "123456789012")
        XCTAssertNil(CredentialDecoders.awsAccount(fromKeyId: "AKIA1"))
    }

    func testBedrockLongTermKeyNamesUserAndAccount() throws {
        var keys = CredentialFactory()
        let key = keys.bedrockLongTermKey(account: "210987654321")
        let identity = try XCTUnwrap(CredentialDecoders.bedrockLongTerm(key))
        XCTAssertEqual(identity.account, "210987654321")
        XCTAssertTrue(identity.name?.hasPrefix("BedrockAPIKey-") ?? false)
        XCTAssertEqual(identity.principal, "arn:aws:iam::210987654321:user/\(identity.name!)")
        XCTAssertNil(CredentialDecoders.bedrockLongTerm("ABSK" + Data("hello".utf8).base64EncodedString()))
    }

    func testKubernetesTokenClaims() throws {
        var keys = CredentialFactory()
        let token = keys.kubernetesServiceAccountToken(namespace: "inference", account: "batch-runner")
        let identity = try XCTUnwrap(CredentialDecoders.kubernetesClaims(token))
        XCTAssertEqual(identity.principal, "system:serviceaccount:inference:batch-runner")
        XCTAssertEqual(identity.name, "inference/batch-runner")
        // A JWT from another issuer is not a Kubernetes token.
        let other = "eyJhbGciOiJIUzI1NiJ9." + Data(#"{"iss":"https://auth.example.org","sub":"42"}"#.utf8).base64EncodedString() + ".abc"
        XCTAssertNil(CredentialDecoders.kubernetesClaims(other))
    }

    func testPEMNormalisationIgnoresEscapesAndWhitespace() {
        var keys = CredentialFactory()
        let pem = keys.privateKeyPEM()
        let escaped = pem.replacingOccurrences(of: "\n", with: "\\n")
        let crlf = pem.replacingOccurrences(of: "\n", with: "\r\n")
        XCTAssertEqual(CredentialDecoders.normalizePEM(pem), CredentialDecoders.normalizePEM(escaped))
        XCTAssertEqual(CredentialDecoders.normalizePEM(pem), CredentialDecoders.normalizePEM(crlf))
        let doubleEscaped = pem.replacingOccurrences(of: "\n", with: "\\\\n")
        XCTAssertEqual(CredentialDecoders.normalizePEM(pem), CredentialDecoders.normalizePEM(doubleEscaped))
    }

    func testPlaceholders() {
        for value in ["sk-proj-xxxxxxxxxxxxxxxxxxxx", "YOUR_API_KEY_HERE", "${OPENAI_API_KEY}", "<token>", "AKIAIOSFODNN7EXAMPLE",
                      "sk-…abcd", "sk-ant-api03-R2D...igAA", "aaaaaaaaaaaaaaaa", "sk-************"] {
            XCTAssertNotNil(PlaceholderFilter.reason(value), "\(value) should be a placeholder")
        }
        var keys = CredentialFactory()
        for _ in 0..<200 { XCTAssertNil(PlaceholderFilter.reason(keys.openAIProjectKey())) }
    }
}
