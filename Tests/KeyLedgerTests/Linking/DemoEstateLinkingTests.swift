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
        XCTAssertEqual(openai.identity.link?.method, .redactionHint)
        XCTAssertEqual(openai.owner.team, "payments")
        XCTAssertEqual(openai.owner.source, .ownersFile)
        XCTAssertEqual(openai.created, "2026-03-01")
        XCTAssertEqual(openai.lastUsed, "2026-11-19")
        // openai-costs.json: one bucket a day for key_pay01, 2026-10-22 … 2026-11-19 (i = 0…28), 38 + (i % 5) × 2.5 USD.
        // The 30-day window ending 2026-11-20 holds all 29: 29 × 38 = 1102, Σ(i % 5) = 5 × (0+1+2+3+4) + (0+1+2+3) = 56,
        // 56 × 2.5 = 140 → 1242.00 (billed amounts: exact to the cent).
        XCTAssertEqual(openai.usage.spend30d, 1242.00, accuracy: 0.001)
        XCTAssertEqual(openai.usage.estimated, nil, "billed by the provider, not priced from tokens")
        XCTAssertEqual(openai.usage.link, "exact: api key id")
        XCTAssertEqual(openai.exposure.repositories, 2)

        let anthropic = try credential("anthropic")
        XCTAssertEqual(anthropic.identity.keyId, "apikey_01Summ")
        XCTAssertEqual(anthropic.usage.estimated, true, "Anthropic usage has tokens only: priced from the table")
        // anthropic-usage-messages.json: 29 days (2026-10-22 … 2026-11-19), each 2,400,000 uncached + 300,000 cache-read input
        // tokens and 420,000 output tokens of claude-sonnet-4-5 (prices/models.yml: 3.00 in, 15.00 out per 1M):
        // 2.7 × 3.00 + 0.42 × 15.00 = 8.10 + 6.30 = 14.40 a day; 29 × 14.40 = 417.60.
        XCTAssertEqual(anthropic.usage.spend30d, 417.60, accuracy: 0.001)
        XCTAssertEqual(anthropic.usage.tokens30d, 29 * 3_120_000)

        let aws = try credential("aws-secret")
        XCTAssertEqual(aws.identity.link?.method, .keyId)
        XCTAssertEqual(aws.privilege.level, .admin)
        XCTAssertTrue(aws.privilege.scopes.contains("AdministratorAccess"))

        let gcp = try XCTUnwrap(register.credentials.first { $0.rule == "gcp.service-account-key" })
        XCTAssertEqual(gcp.identity.link?.method, .keyId)
        XCTAssertEqual(gcp.privilege.level, .admin, "roles/editor on the project")
        XCTAssertEqual(gcp.owner.team, "ml-platform")

        let bedrock = try credential("bedrock")
        XCTAssertEqual(bedrock.usage.link, "exact: IAM principal")
        // aws-cur2-bedrock.csv: one row a day 2026-10-27 … 2026-11-19 (the IAM user was created 10-27, the key committed
        // 10-28): 2.50 a day until 11-04 (9 days, 22.50), 270.00 a day from 11-05 (15 days, 4050.00). Total 4072.50.
        XCTAssertEqual(bedrock.usage.spend30d, 4072.50, accuracy: 0.001)
        XCTAssertEqual(bedrock.owner.team, "ml-platform")
        XCTAssertEqual(bedrock.usage.daily?.count, 24, "the daily series (every CUR day, 2026-10-27 … 2026-11-19) is kept for the anomaly detector")

        // The bedrock-batch IAM user's access key, linked to its listing and to 31 days of CloudTrail by access key id.
        let batch = try credential("aws-batch-secret")
        XCTAssertEqual(batch.identity.link?.method, .keyId)
        XCTAssertEqual(batch.identity.principal, "arn:aws:iam::\(batch.identity.account ?? "?"):user/bedrock-batch")
        XCTAssertEqual(batch.owner.team, "ml-platform")
        XCTAssertEqual(batch.lastUsed, "2026-11-19", "the last CloudTrail event")
        XCTAssertEqual(batch.notes, ["CloudTrail: 576 events 2026-10-20…2026-11-19, 573 Bedrock calls 2026-10-20…2026-11-19, from 2 addresses"])
        XCTAssertEqual(register.scan.exports?["aws.cloudtrail"], 31)

        let admin = try credential("openai-admin")
        XCTAssertEqual(admin.privilege.level, .admin)
        XCTAssertEqual(admin.expires, "never", "expires_at null in the admin key listing")
        XCTAssertTrue(admin.risk.factors.contains { $0.id == "rotation.no-expiry" })
        XCTAssertEqual(gcp.expires, "never", "validBeforeTime 9999-12-31")
        XCTAssertNil(openai.expires, "project key listings say nothing about expiry")
        XCTAssertEqual(admin.owner.source, .provider)

        let unleaked = try XCTUnwrap(register.credentials.first { $0.identity.keyId == "key_pay02" })
        XCTAssertTrue(unleaked.locations.isEmpty)
        XCTAssertNil(unleaked.fingerprint)
        XCTAssertEqual(unleaked.kind, "project-key")

        // Only these three carry spend: 1242.00 + 417.60 + 4072.50 = 5732.10, all of it owned by a team (payments owns
        // the OpenAI and Anthropic keys through the payments-api repository, ml-platform the Bedrock key).
        XCTAssertEqual(register.credentials.filter { $0.usage.spend30d > 0 }.map(\.redacted).sorted(),
                       [openai, anthropic, bedrock].map(\.redacted).sorted())
        XCTAssertEqual(register.summary.spend30d, 5732.10, accuracy: 0.001)
        XCTAssertEqual(register.summary.attributedSpendRatio, 1.0)
        XCTAssertTrue(register.scan.problems.contains { $0.path.hasSuffix("openai-export-truncated.json") && $0.reason.contains("not valid JSON") })
        XCTAssertEqual(register.scan.exports?["openai.project-api-keys"], 1)

        assertNoPlaintext(try JSONReporter.render(register), Array(planted.secrets.values), "linked register")
    }
}
