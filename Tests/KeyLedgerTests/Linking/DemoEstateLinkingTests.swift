import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// The bundled demo estate end to end: scan, exports detected from content, linking by every method, owners.
final class DemoEstateLinkingTests: XCTestCase {
    func testDemoEstateRegisterShowsIdentitySpendAndOwners() throws {
        let dir = try temporaryDirectory(self)
        let planted = try DemoEstate(root: dir).build()
        let config = try KeyLedgerConfig.load(path: dir + "/keyledger.yml")
        let (_, register) = try scanRegister(["payments-api", "ml-platform", "config-store"].map { dir + "/" + $0 },
                                             exports: [dir + "/exports"], config: config)
        func credential(_ label: String) throws -> CredentialRecord {
            try XCTUnwrap(register.credential(for: planted.secrets[label]!), "\(label) not in the register")
        }
        let openai = try credential("openai")
        XCTAssertEqual(openai.identity.keyId, "key_pay01")
        XCTAssertEqual(openai.identity.link?.method, "redaction-hint")
        XCTAssertEqual(openai.owner.team, "payments")
        XCTAssertEqual(openai.owner.source, "owners-file")
        XCTAssertEqual(openai.created, "2026-03-01")
        XCTAssertEqual(openai.lastUsed, "2026-11-19")
        XCTAssertGreaterThan(openai.usage.spend30d, 1000)
        XCTAssertEqual(openai.usage.link, "exact: api key id")
        XCTAssertEqual(openai.exposure.repositories, 2)

        let anthropic = try credential("anthropic")
        XCTAssertEqual(anthropic.identity.keyId, "apikey_01Summ")
        XCTAssertEqual(anthropic.usage.estimated, true, "Anthropic usage has tokens only: priced from the table")
        XCTAssertGreaterThan(anthropic.usage.spend30d, 0)

        let aws = try credential("aws-secret")
        XCTAssertEqual(aws.identity.link?.method, "key-id")
        XCTAssertEqual(aws.privilege.level, "admin")
        XCTAssertTrue(aws.privilege.scopes.contains("AdministratorAccess"))

        let gcp = try XCTUnwrap(register.credentials.first { $0.rule == "gcp.service-account-key" })
        XCTAssertEqual(gcp.identity.link?.method, "key-id")
        XCTAssertEqual(gcp.privilege.level, "admin", "roles/editor on the project")
        XCTAssertEqual(gcp.owner.team, "ml-platform")

        let bedrock = try credential("bedrock")
        XCTAssertEqual(bedrock.usage.link, "exact: IAM principal")
        XCTAssertGreaterThan(bedrock.usage.spend30d, 1500)
        XCTAssertEqual(bedrock.owner.team, "ml-platform")
        XCTAssertGreaterThan(bedrock.usage.daily?.count ?? 0, 40, "the daily series is kept for the anomaly detector")

        let admin = try credential("openai-admin")
        XCTAssertEqual(admin.privilege.level, "admin")
        XCTAssertEqual(admin.expires, "never", "expires_at null in the admin key listing")
        XCTAssertTrue(admin.risk.factors.contains { $0.id == "rotation.no-expiry" })
        XCTAssertEqual(gcp.expires, "never", "validBeforeTime 9999-12-31")
        XCTAssertNil(openai.expires, "project key listings say nothing about expiry")
        XCTAssertEqual(admin.owner.source, "provider")

        let unleaked = try XCTUnwrap(register.credentials.first { $0.identity.keyId == "key_pay02" })
        XCTAssertTrue(unleaked.locations.isEmpty)
        XCTAssertNil(unleaked.fingerprint)
        XCTAssertEqual(unleaked.kind, "project-key")

        XCTAssertGreaterThan(register.summary.spend30d, 3000)
        XCTAssertGreaterThan(register.summary.attributedSpendRatio, 0.9)
        XCTAssertTrue(register.scan.problems.contains { $0.path.hasSuffix("openai-export-truncated.json") && $0.reason.contains("not valid JSON") })
        XCTAssertEqual(register.scan.exports?["openai.project-api-keys"], 1)

        assertNoPlaintext(try JSONReporter.render(register), Array(planted.secrets.values), "linked register")
    }
}
