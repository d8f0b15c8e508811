import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// The governance outputs people read, pinned against committed files.
/// Regenerate on purpose: `KEYLEDGER_UPDATE_GOLDEN=1 swift test --filter RegisterGoldenTests`.
final class RegisterGoldenTests: XCTestCase {

    /// The register the pipeline builds for a small fixed estate: scan → inventory → link → risk model → register, so
    /// every factor, control and treatment is one the risk model really emits for it. Seeded keys and fixed commit dates
    /// make it identical on every machine; only the scan statistics (temporary paths, timings, the rule count) are
    /// replaced by fixed values.
    ///
    /// - `ml-platform`: a Bedrock key committed on 2026-10-28 by a bot and still in HEAD; the CUR export bills its IAM
    ///   user 4.00 USD a day until then and 100.00 a day from 2026-10-29 (the abuse signature).
    /// - `svc`: a private key committed on 2026-01-02 at a hostile path by a hostile author, removed on 2026-03-04.
    static func register(_ test: XCTestCase) throws -> Register {
        let dir = try temporaryDirectory(test, "RegisterGolden")
        var keys = CredentialFactory(seed: 20261120)
        let bedrock = keys.bedrockLongTermKey(account: "123456789012")
        let pem = keys.privateKeyPEM()
        let ml = try GitFixtureRepository(path: dir + "/ml-platform")
        try ml.commit(["README.md": "# ml-platform\n"], message: "init", author: "Ana Silva", email: "ana@acme.example", date: "2026-06-10")
        try ml.commit(["infra/bedrock.env": "AWS_BEARER_TOKEN_BEDROCK=\(bedrock)\n"], message: "Bedrock evaluation",
                      author: "Devin AI", email: "bot@example.org", date: "2026-10-28")
        try ml.checkout()
        let svc = try GitFixtureRepository(path: dir + "/svc")
        try svc.commit(["keys/a|b <x>.pem": "# deploy key\n\n" + pem + "\n"], message: "keys",
                       author: "=HYPERLINK(\"x\")", email: "a@b", date: "2026-01-02")
        try svc.commit(["keys/a|b <x>.pem": nil, "README.md": "keys moved to the vault\n"], message: "remove keys",
                       author: "=HYPERLINK(\"x\")", email: "a@b", date: "2026-03-04")
        try svc.checkout()

        let user = try XCTUnwrap(CredentialDecoders.bedrockLongTerm(bedrock)?.name)
        var cur = "bill_billing_period_start_date,line_item_usage_account_id,line_item_product_code,line_item_usage_type,"
            + "line_item_usage_start_date,line_item_usage_amount,line_item_unblended_cost,line_item_currency_code,line_item_iam_principal\n"
        let start = try XCTUnwrap(ISODate.parse("2026-10-01"))
        for i in 0..<50 {
            let day = ISODate.day(start.addingTimeInterval(Double(i) * 86_400))
            let cost = day >= "2026-10-29" ? "100.00" : "4.00"
            cur += "\(day.prefix(8))01,123456789012,AmazonBedrock,USE1-Claude4.5Sonnet-input-tokens,\(day)T00:00:00Z,1000,\(cost),USD,"
                + "arn:aws:iam::123456789012:user/\(user)\n"
        }
        try write(cur, to: "exports/aws-cur2-bedrock.csv", in: dir)
        try write("""
            owners:
              - team: ml-platform
                contact: ml@acme.example
                cost_centre: CC-2077
                repositories: ["ml-platform"]

            """, to: "keyledger.yml", in: dir)
        let config = try KeyLedgerConfig.load(path: dir + "/keyledger.yml")
        var (_, register) = try scanRegister([dir + "/ml-platform", dir + "/svc"], exports: [dir + "/exports"], config: config)
        // What the scan counted is pinned (4 commits; 4 distinct blobs; no work-tree file, as each holds what history
        // holds and is not scanned twice); where it ran, how long it took and how many rules are built in are not.
        XCTAssertEqual([register.scan.commits, register.scan.blobs, register.scan.files], [4, 4, 0])
        register.scan.targets = ["estate/ml-platform", "estate/svc"]
        register.scan.durationMs = 5
        register.scan.rules = 50
        return register
    }

    func testCSV() throws {
        let csv = CSVReporter.render(try Self.register(self))
        try assertGolden(csv, "register.csv")
        let header = csv.split(separator: "\r\n").first.map(String.init)
        XCTAssertEqual(header, CSVReporter.columns.joined(separator: ","))
        XCTAssertTrue(csv.contains("'=HYPERLINK"), "formula injection is neutralised")
        XCTAssertEqual(CSVParser.parse(csv).map(\.count), Array(repeating: CSVReporter.columns.count, count: 3))
    }

    func testHTML() throws {
        let html = try Reporters.render(try Self.register(self), as: .html)
        try assertGolden(html, "register.html")
        XCTAssertTrue(html.contains("<h1>Credential register — 2026-11-20</h1>"))
    }

    func testMarkdown() throws {
        let md = MarkdownReporter.render(try Self.register(self))
        try assertGolden(md, "register.md")
        // 30-day window 2026-10-22 … 2026-11-19: 7 days × 4.00 + 22 days × 100.00 = 2,228.
        XCTAssertTrue(md.contains("**Abuse after exposure: arn:aws:iam::123456789012:user/BedrockAPIKey-qnsg (aws): $4.00/day → $100.00/day from 2026-10-29, 1 day after "
                                  + "exposure. 1 critical credential and 1 high, $2,228.00 of 30-day spend at risk, 100% of spend attributed to a team.**"), md)
        XCTAssertFalse(md.contains("<x>"), "hostile path text is escaped")
        XCTAssertTrue(md.contains("a\\|b"))
    }
}
