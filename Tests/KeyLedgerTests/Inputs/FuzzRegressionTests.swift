import Foundation
import XCTest
@testable import KeyLedger

/// Replays the fuzzing seed corpus and every input that once crashed a decoder or importer (Tests/Fuzz): each must
/// run to completion in this process. `scripts/fuzz.sh` finds new ones; `.ci/run` runs it for a bounded time.
final class FuzzRegressionTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    private func replay(_ name: String) throws -> Int {
        let dir = Self.folder.appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        for file in files {
            let data = try Data(contentsOf: dir.appendingPathComponent(file))
            data.withUnsafeBytes { DecoderFuzzing.exercise($0) }
        }
        return files.count
    }

    func testEveryInputThatOnceCrashedRunsToCompletion() throws {
        XCTAssertGreaterThanOrEqual(try replay("regressions"), 3)
    }

    func testSeedCorpusRunsToCompletionAndCoversEveryTarget() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.appendingPathComponent("corpus").path)
        let selectors = Set(files.compactMap { $0.split(separator: "-").first.flatMap { Int($0) } })
        XCTAssertEqual(selectors, Set(0..<DecoderFuzzing.targets.count), "a seed for every fuzz target")
        XCTAssertEqual(try replay("corpus"), files.count)
    }

    /// The crashes themselves, as errors a user sees.
    func testMalformedTOMLIsAnErrorNamingTheLine() {
        for (text, line) in [("[extend]\n[[:rules]]\nid = \"a\"\n", 2), ("\t[[[", 1), ("a.:b = 1\n", 1), ("x = { :y = 1 }\n", 1),
                             ("ok = 1\nbad\u{0}key = 2\n", 2)] {
            XCTAssertThrowsError(try GitleaksRuleImporter.parse(toml: text, source: "x.toml")) { error in
                XCTAssertTrue("\(error)".contains("line \(line): not valid TOML"), "\(error)")
            }
        }
    }
}
