import XCTest
@testable import KeyLedger

/// Issue 15: CUR 2.0 Bedrock rows with `pricing_unit: 1K tokens` are read as tokens × 1000. The CUR data dictionary
/// defines cost as rate × usage amount with the rate per `pricing_unit`, but no public AWS source found states Bedrock's
/// CUR usage unit directly (see `AWSCURImporter`), so the token figure is marked derived: on each record
/// (`derivedTokenUnit`) and in the linked credential's notes. Rows that count tokens themselves are not marked.
final class CURTokenUnitTests: XCTestCase {
    static let header = "line_item_usage_start_date,line_item_usage_account_id,line_item_usage_type,line_item_usage_amount,pricing_unit,"
        + "line_item_unblended_cost,line_item_iam_principal\n"
    static let alice = "arn:aws:iam::123456789012:user/alice"

    func testScaledTokenCountsAreMarkedDerived() throws {
        let text = Self.header
            + "2026-10-14T09:00:00Z,123456789012,USE1-Claude4.6Sonnet-input-tokens,412.356,1K tokens,1.237068,\(Self.alice)\n"
            + "2026-10-14T09:00:00Z,123456789012,USE1-Claude4.6Sonnet-output-tokens,2.5,1K tokens,0.0375,\(Self.alice)\n"
            + "2026-10-14T09:00:00Z,123456789012,USE1-Nova2Lite-input-tokens,5000,,0.0003,\(Self.alice)\n"
            + "2026-10-14T09:00:00Z,123456789012,USE1-BoxUsage:t3.medium,24,Hrs,0.9984,\(Self.alice)\n"
        let bundle = ExportLoader.load(data: Data(text.utf8), path: "cur.csv")
        XCTAssertEqual(bundle.problems, [])
        let sonnet = try XCTUnwrap(bundle.usage.first { $0.model == "Claude4.6Sonnet" })
        XCTAssertEqual(sonnet.inputTokens, 412_356)
        XCTAssertEqual(sonnet.outputTokens, 2_500)
        XCTAssertEqual(sonnet.derivedTokenUnit, "1K tokens")
        let nova = try XCTUnwrap(bundle.usage.first { $0.model == "Nova2Lite" })
        XCTAssertEqual(nova.inputTokens, 5_000)
        XCTAssertNil(nova.derivedTokenUnit, "no unit: the amount is read as a token count")
        XCTAssertNil(bundle.usage.first { $0.model == "USE1-BoxUsage:t3.medium" }?.derivedTokenUnit)

        // The credential those rows link to says its token figure is derived.
        let key = ProviderKey(provider: "aws", keyId: "AKIAQWERTYUIOPASDFGH", principal: Self.alice, recognition: .keyId("AKIAQWERTYUIOPASDFGH"),
                              source: "keys.json")
        var withKey = bundle
        withKey.keys = [key]
        let linked = Linker(bundle: withKey, asOf: ISODate.parse("2026-10-20")!).link([])
        let credential = try XCTUnwrap(linked.first { $0.providerKey?.keyId == "AKIAQWERTYUIOPASDFGH" })
        XCTAssertEqual(credential.usage.tokens30d, 412_356 + 2_500 + 5_000)
        XCTAssertEqual(credential.notes, ["token counts from rows priced per 1K tokens are derived (usage amount × unit): "
            + "AWS does not document Bedrock's CUR usage unit"])

        // Without scaled rows there is no such note.
        let plain = ExportLoader.load(data: Data((Self.header
            + "2026-10-14T09:00:00Z,123456789012,USE1-Nova2Lite-input-tokens,5000,,0.0003,\(Self.alice)\n").utf8), path: "cur.csv")
        var plainWithKey = plain
        plainWithKey.keys = [key]
        XCTAssertEqual(Linker(bundle: plainWithKey, asOf: ISODate.parse("2026-10-20")!).link([]).first?.notes, [])
    }
}
