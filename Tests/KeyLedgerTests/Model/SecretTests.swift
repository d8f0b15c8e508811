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
