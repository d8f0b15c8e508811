import XCTest
@testable import KeyLedger

/// Absurd numbers and dates in an export skip that file with a reason; they never crash the run.
final class ExportOverflowTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures/exports")

    /// The fixture's first data row with `column` set to `value`, plus its header.
    func mutated(_ fixture: String, column: String, value: String) throws -> String {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent(fixture), encoding: .utf8)
        var rows = CSVParser.parse(text)
        let index = try XCTUnwrap(rows[0].firstIndex(of: column))
        rows[1][index] = value
        return rows.prefix(2).map { $0.map(CSVReporter.cell).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    func testHugeQuantitiesAreProblemsNotCrashes() throws {
        let dir = try temporaryDirectory(self)
        try write(try mutated("focus/focus-1.2-aws.csv", column: "ConsumedQuantity", value: "1e300"), to: "focus.csv", in: dir)
        try write(try mutated("aws/cur2-bedrock.csv", column: "line_item_usage_amount", value: "1e300"), to: "cur.csv", in: dir)
        try write(try mutated("aws/cur2-bedrock.csv", column: "line_item_usage_amount", value: "-5"), to: "cur-negative.csv", in: dir)
        try write(#"{"AccessKeyMetadata":[{"UserName":"u","AccessKeyId":"AKIAQWERTYUIOPASDFGH","Status":"Active","CreateDate":1e300}]}"#,
                  to: "keys.json", in: dir)
        try write(#"{"AccessKeyMetadata":[{"UserName":"u","AccessKeyId":"AKIAZXCVBNMASDFGHJKL","Status":"Active","CreateDate":"99999-01-01T00:00:00Z"}]}"#,
                  to: "keys-far.json", in: dir)
        let bundle = ExportLoader.load(paths: [dir])
        let problems = Set(bundle.problems.map { ($0.path as NSString).lastPathComponent })
        XCTAssertTrue(problems.contains("focus.csv"), "\(bundle.problems)")
        XCTAssertTrue(problems.contains("cur.csv"), "\(bundle.problems)")
        XCTAssertTrue(problems.contains("cur-negative.csv"), "\(bundle.problems)")
        // A key with an absurd creation date is still listed; the date is simply unknown.
        for key in bundle.keys where key.provider == "aws" { XCTAssertNil(key.created) }
        // And the linker and risk model cope with whatever loaded.
        let linked = Linker(bundle: bundle, asOf: ISODate.parse("2026-11-20")!).link([])
        _ = linked.map { RiskModel(asOf: ISODate.parse("2026-11-20")!).assess($0) }
    }

    func testOutOfRangeDatesAreUnknown() {
        XCTAssertNil(ExportValue.date(1e300))
        XCTAssertNil(ExportValue.date(-5))
        XCTAssertNil(ExportValue.date("12026-01-01T00:00:00Z"))
        XCTAssertNotNil(ExportValue.date("2026-01-01T00:00:00Z"))
        XCTAssertNil(ExportValue.int(1e300))
        XCTAssertEqual(ISODate.days(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 1e300)), 10_000_000)
    }
}
