import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// The compiled rule database kept between runs: same matches, a bad file never breaks a scan.
final class VectorscanCacheTests: XCTestCase {
    func testASecondMatcherLoadsTheDatabaseAndMatchesTheSame() throws {
        let dir = try temporaryDirectory(self)
        let cache = VectorscanCache(directory: dir + "/cache")
        let rules = try RuleLoader.builtin()
        var keys = CredentialFactory()
        let text = "OPENAI_API_KEY=\(keys.openAIProjectKey())\nAWS_ACCESS_KEY_ID=\(keys.awsKeyPair().id)\nGH=\(keys.gitHubToken())\n"

        var started = Date()
        let compiled = try RuleMatcher(rules: rules, cache: cache)
        let compileMs = Date().timeIntervalSince(started) * 1000
        let file = cache.file(patterns: compiled.databaseKey, widthCap: 8192)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file))
        started = Date()
        let loaded = try RuleMatcher(rules: rules, cache: cache)
        let loadMs = Date().timeIntervalSince(started) * 1000
        print(String(format: "RuleMatcher for %d rules: %.1f ms compiling, %.1f ms from the cache", rules.count, compileMs, loadMs))

        func matches(_ matcher: RuleMatcher) -> [String] {
            Array(text.utf8).withUnsafeBytes { matcher.matches(in: $0, workspace: matcher.makeWorkspace()) }
                .map { "\(matcher.rules[$0.ruleIndex].id)@\($0.offset)" }.sorted()
        }
        XCTAssertEqual(matches(loaded), matches(compiled))
        XCTAssertEqual(matches(loaded).count, 3)
    }

    func testACorruptOrTruncatedFileIsCompiledOver() throws {
        let dir = try temporaryDirectory(self)
        let cache = VectorscanCache(directory: dir)
        // A few providers' rules: the point is the file handling, and each round compiles again.
        let rules = try RuleLoader.builtin().filter { ["groq", "openai", "github", "coinlayer"].contains($0.provider) }
        let key = try RuleMatcher(rules: rules, cache: cache).databaseKey
        let file = cache.file(patterns: key, widthCap: 8192)
        let good = try Data(contentsOf: URL(fileURLWithPath: file))

        var corrupt = good
        for i in stride(from: good.count / 2, to: min(good.count, good.count / 2 + 64), by: 1) { corrupt[i] ^= 0x5A }
        for damaged in [corrupt, good.prefix(good.count / 3), Data("KLVSDB01".utf8), Data()] {
            try damaged.write(to: URL(fileURLWithPath: file))
            XCTAssertNil(cache.load(patterns: key, widthCap: 8192), "a damaged file is not used")
            let matcher = try RuleMatcher(rules: rules, cache: cache)
            var keys = CredentialFactory()
            let hits = Array("GROQ_API_KEY=\(keys.groqKey())\n".utf8).withUnsafeBytes { matcher.matches(in: $0, workspace: matcher.makeWorkspace()) }
            XCTAssertEqual(hits.count, 1)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), good, "the file is written again")
        }
    }

    func testChangedRulesUseAnotherFile() throws {
        let cache = VectorscanCache(directory: "/nonexistent")
        XCTAssertNotEqual(cache.file(patterns: ["a(b)"], widthCap: 8192), cache.file(patterns: ["a(c)"], widthCap: 8192))
        XCTAssertNotEqual(cache.file(patterns: ["a(b)"], widthCap: 8192), cache.file(patterns: ["a(b)"], widthCap: 4096))
        XCTAssertEqual(cache.file(patterns: ["a(b)"], widthCap: 8192), cache.file(patterns: ["a(b)"], widthCap: 8192))
    }

    func testWritingADatabaseRemovesOnesUnusedForAMonth() throws {
        let dir = try temporaryDirectory(self)
        let cache = VectorscanCache(directory: dir)
        let old = dir + "/vectorscan-00000000000000000000000000000000.db"
        let recent = dir + "/vectorscan-11111111111111111111111111111111.db"
        let unrelated = dir + "/notes.txt"
        for file in [old, recent, unrelated] { XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("x".utf8))) }
        let longAgo = Date().addingTimeInterval(-40 * 86_400)
        for file in [old, unrelated] { try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: file) }
        _ = try RuleMatcher(rules: RuleLoader.builtin(), cache: cache)
        XCTAssertFalse(FileManager.default.fileExists(atPath: old))
        XCTAssertTrue(FileManager.default.fileExists(atPath: recent))
        XCTAssertTrue(FileManager.default.fileExists(atPath: unrelated))
    }

    func testAnUnwritableCacheFolderDoesNotFailTheScan() throws {
        let dir = try temporaryDirectory(self)
        try "not a folder".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try RuleMatcher(rules: RuleLoader.builtin(), cache: VectorscanCache(directory: dir + "/file/cache")))
    }
}
