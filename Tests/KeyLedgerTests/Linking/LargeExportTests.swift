import XCTest
@testable import KeyLedger

/// A large JSON export is read a slice of its bulk array at a time, with exactly the result of reading it whole.
final class LargeExportTests: XCTestCase {
    /// An OpenAI costs page (the documented shape: buckets of `organization.costs.result`), `buckets` days long.
    func costsPage(buckets: Int, resultsPerBucket: Int) -> String {
        var out = #"{"object":"page","data":["#
        for d in 0..<buckets {
            if d > 0 { out += "," }
            let start = 1_790_812_800 + d * 86_400
            out += #"{"object":"bucket","start_time":\#(start),"end_time":\#(start + 86_400),"results":["#
            for r in 0..<resultsPerBucket {
                if r > 0 { out += "," }
                // Amounts in cents are exact in binary at two decimals after the division below.
                out += #"{"object":"organization.costs.result","amount":{"value":\#(Double(r + 1) / 4),"currency":"usd"},"#
                    + #""line_item":"gpt-4o-2024-08-06, input","project_id":"proj_\#(r)","api_key_id":"key_\#(r)"}"#
            }
            out += "]}"
        }
        return out + #"],"has_more":false,"next_page":null}"#
    }

    func testSlicesReadExactlyWhatTheWholeFileSays() throws {
        let data = Data(costsPage(buckets: 40, resultsPerBucket: 25).utf8)
        let whole = ExportLoader.load(data: data, path: "costs.json")
        let sliced = try XCTUnwrap(ExportLoader.loadSliced(data, path: "costs.json", sliceBytes: 2_000))
        XCTAssertEqual(whole.problems, [])
        XCTAssertEqual(sliced.problems, [])
        XCTAssertEqual(sliced.formats, whole.formats)
        XCTAssertEqual(sliced.usage.count, 40 * 25)
        XCTAssertEqual(sliced.usage.count, whole.usage.count)
        // 40 days × (0.25 + 0.50 + … + 6.25) = 40 × 81.25.
        XCTAssertEqual(sliced.usage.compactMap(\.cost).reduce(0, +), 3_250, accuracy: 1e-9)
        XCTAssertEqual(sliced.usage, whole.usage)
    }

    func testBoundariesRespectStringsAndNesting() throws {
        let text = #"{"object":"page","note":"a ] , } [ { \" quoted","data":[{"a":"]"},[1,[2]],"x\\\"y",3,null,{"b":{"c":[]}}],"has_more":false}"#
        let data = Data(text.utf8)
        let plan = try XCTUnwrap(data.withUnsafeBytes { JSONChunks.plan($0) })
        XCTAssertEqual(plan.elements.count, 6)
        let rebuilt = data.withUnsafeBytes { JSONChunks.document(plan, elements: plan.elements, in: $0) }
        let a = try JSONSerialization.jsonObject(with: data) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: rebuilt) as? NSDictionary
        XCTAssertEqual(a, b)
    }

    func testMalformedOrOtherShapesAreNotSliced() {
        for text in [#"{"data":[1,2"#, #"{"data":[1,2]} trailing"#, #"{"a":1}"#, "{\"a\":1}\n{\"a\":2}\n", "plain,csv\n1,2\n"] {
            XCTAssertNil(Data(text.utf8).withUnsafeBytes { JSONChunks.plan($0) }, text)
        }
    }
}
