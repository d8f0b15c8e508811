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
        // openai-costs-november.json repeats the buckets of 2026-11-01 … 2026-11-19 (19 of them): counted once (the 1242.00 above).
        XCTAssertEqual(openai.usage.sources?.map(\.basis), [.providerCostByKey])
        XCTAssertEqual(openai.usage.sources?.first?.files.count, 3, "both costs pulls and the usage export")
        // openai-usage-completions.json: 7 days × (1,000,000 input (600,000 cached) + 200,000 output) and 50 requests; the bill wins.
        XCTAssertEqual(openai.usage.tokens30d, 7 * 1_200_000)
        XCTAssertEqual(openai.usage.requests30d, 7 * 50)
        XCTAssertEqual(openai.exposure.repositories, 2)

        let anthropic = try credential("anthropic")
        XCTAssertEqual(anthropic.identity.keyId, "apikey_01Summ")
        XCTAssertEqual(anthropic.usage.estimated, true, "days without a cost report are priced from the table")
        // anthropic-usage-messages.json: 29 days (2026-10-22 … 2026-11-19), each 2,400,000 uncached + 300,000 cache-read input
        // tokens and 420,000 output tokens of claude-sonnet-4-5 (prices/models.yml: 3.00 in, 0.30 cache read, 15.00 out per 1M):
        // 2.4 × 3.00 + 0.3 × 0.30 + 0.42 × 15.00 = 7.20 + 0.09 + 6.30 = 13.59 a day.
        // The batch key (apikey_02Batch), 2026-11-13 … 2026-11-19, claude-haiku-4-5 through the Batch API (half of 1.00 in,
        // 1.25 5-minute write, 5.00 out): 1.0 × 0.50 + 0.2 × 0.625 + 0.1 × 2.50 = 0.50 + 0.125 + 0.25 = 0.875 a day.
        // anthropic-cost-report.json bills wrkspc_01Payments 1735.80 cents = 17.358 a day on those 7 days, = 1.2 × (13.59 +
        // 0.875 = 14.465): apportioned by priced usage, the summaries key gets 1.2 × 13.59 = 16.308 and the batch key 1.05.
        // Summaries key: 22 × 13.59 (price table, 2026-10-22 … 11-12) + 7 × 16.308 = 298.98 + 114.156 = 413.136 → 413.14.
        XCTAssertEqual(anthropic.usage.spend30d, 413.14, accuracy: 0.001)
        XCTAssertEqual(anthropic.usage.sources?.map(\.basis), [.providerCostApportioned, .priceTable])
        XCTAssertEqual(anthropic.usage.sources?.map(\.spend30d), [114.16, 298.98])
        XCTAssertEqual(anthropic.usage.sources?.map(\.days), [7, 22])
        let batch = try XCTUnwrap(register.credentials.first { $0.identity.keyId == "apikey_02Batch" })
        XCTAssertEqual(batch.usage.spend30d, 7.35, accuracy: 0.001, "7 × 1.05")
        XCTAssertEqual(batch.owner.team, "payments", "wrkspc_01Payments is the payments team's")
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
        let awsBatch = try credential("aws-batch-secret")
        XCTAssertEqual(awsBatch.identity.link?.method, .keyId)
        XCTAssertEqual(awsBatch.identity.principal, "arn:aws:iam::\(awsBatch.identity.account ?? "?"):user/bedrock-batch")
        XCTAssertEqual(awsBatch.owner.team, "ml-platform")
        XCTAssertEqual(awsBatch.lastUsed, "2026-11-19", "the last CloudTrail event")
        XCTAssertEqual(awsBatch.notes, ["CloudTrail: 576 events 2026-10-20…2026-11-19, 573 Bedrock calls 2026-10-20…2026-11-19, from 2 addresses"])
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

        // Only these four carry spend: 1242.00 + 413.14 + 7.35 + 4072.50 = 5734.99, all of it owned by a team (payments owns
        // the OpenAI and Anthropic keys through the payments-api repository and its workspace, ml-platform the Bedrock key;
        // CloudTrail counts the bedrock-batch key's calls, it bills nothing).
        XCTAssertEqual(register.credentials.filter { $0.usage.spend30d > 0 }.map(\.redacted).sorted(),
                       [openai, anthropic, batch, bedrock].map(\.redacted).sorted())
        XCTAssertEqual(register.summary.spend30d, 5734.99, accuracy: 0.001)
        XCTAssertEqual(register.summary.attributedSpendRatio, 1.0)
        // The default workspace's 4200.00 cents on 2026-11-19: no listed key lives there, so no credential carries it. The
        // reconciliation line: 5734.99 attributed + 42.00 unattributed = 5776.99, what the exports say was spent.
        XCTAssertEqual(register.summary.unattributedSpend30d, 42.00)
        XCTAssertEqual(register.summary.unattributed?.map(\.scope), ["default"])
        XCTAssertTrue(register.scan.problems.contains { $0.path.hasSuffix("openai-export-truncated.json") && $0.reason.contains("not valid JSON") })
        XCTAssertEqual(register.scan.exports?["openai.project-api-keys"], 1)

        assertNoPlaintext(try JSONReporter.render(register), Array(planted.secrets.values), "linked register")
    }
}
