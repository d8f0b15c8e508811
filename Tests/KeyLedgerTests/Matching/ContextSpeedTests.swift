import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Issue 10: context rules ran at ~1 MB/s and many keys in one file were quadratic. The faster paths must give
/// exactly the answers of the plain ones.
final class ContextSpeedTests: XCTestCase {
    /// The memo answers every window exactly as searching the window alone does, for the built-in context regexes
    /// it reasons about, over random text dense with near-misses (word characters glued to the context, windows
    /// starting and ending inside it).
    func testContextMemoAnswersExactlyAsTheWindowSearch() throws {
        let patterns = ["\\b(?:AKIA|ABIA|ACCA)[A-Z2-7]{16}\\b", "openai\\.azure\\.com", "(?i)\\bazure",
                        "(?i)tenant[_-]?id\\W{0,5}[0-9a-f]{8}-[0-9a-f]{4}-", "\\bak-[A-Za-z0-9]{22}\\b", "deepseek"]
        for pattern in patterns {
            XCTAssertNotNil(ContextMemo.incrementalWidth(of: pattern), pattern)
        }
        // What the memo must not reason about: anchors, lookaround, back references, non-ASCII letters.
        for pattern in ["(?:^|[^a-z])exa(?:[^a-z]|$)", "a(?=b)", "(a)\\1", "straße", "x++y", "\\bfoo.*"] {
            XCTAssertNil(ContextMemo.incrementalWidth(of: pattern), pattern)
        }
        var rng = SeededGenerator(seed: 1003)
        let pieces = ["AKIA", "ABIA", "XCTZUXMA4RQJORFA", "AKIAXCTZUXMA4RQJORFA", "openai.azure.com", "azure", "Azure", "xazure",
                      "tenant_id = ", "1b2c3d4e-12ab-", "ak-", "abcdefghijABCDEFGHIJ12", "deepseek", " ", "\n", "_", "=", "a", "Z", "7"]
        for pattern in patterns {
            let regex = try SharedRegex(pattern, caseInsensitive: true)
            var text: [UInt8] = []
            while text.count < 20_000 { text += Array(pieces[Int(rng.next() % UInt64(pieces.count))].utf8) }
            text.withUnsafeBytes { bytes in
                for within in [8, 40, 300] {
                    let memo = ContextMemo(context: [regex], widths: [ContextMemo.incrementalWidth(of: pattern)])
                    var offset = 0
                    var checked = 0, agreed = 0
                    while offset < bytes.count {
                        let length = 1 + Int(rng.next() % 40)
                        let window = max(0, offset - within)..<min(bytes.count, offset + length + within)
                        let view = ByteWindow(bytes, range: window)
                        let expected = regex.regex.firstMatch(in: view.string as String, options: [], range: view.fullRange) != nil
                        checked += 1
                        if memo.satisfied(window, in: bytes) == expected { agreed += 1 }
                        offset += Int(rng.next() % 23)
                    }
                    XCTAssertEqual(agreed, checked, "\(pattern) within \(within)")
                }
            }
        }
    }

    /// 20,000 AWS secrets without a key id in one file (each its own finding): overlap resolution looked at every
    /// earlier match for each one (quadratic: 15,000 took 25 s in a release build).
    func testManyFindingsInOneFileAreLinear() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory(seed: 1004)
        var text = ""
        var secrets = Set<String>()
        for _ in 0..<20_000 {
            let secret = keys.awsKeyPair().secret
            secrets.insert(Secret(secret).fingerprint)
            text += "aws_secret_access_key = \(secret)\n"
        }
        try write(text, to: "many.txt", in: dir)
        let matcher = try RuleMatcher(rules: RuleLoader.builtin().filter { $0.id.hasPrefix("aws.") }, cache: nil)
        let started = Date()
        let result = try Scanner(matcher: matcher).run(ScanRequest(paths: [dir]))
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(Set(result.findings.map(\.secret.fingerprint)), secrets)
        XCTAssertEqual(Set(result.findings.map(\.rule.id)), ["aws.secret-key-unpaired"])
        XCTAssertEqual(result.findings.count, 20_000)
        XCTAssertEqual(result.findings.map { $0.location.line ?? 0 }.sorted(), Array(1...20_000))
        // Linear: a few seconds even in a debug build on a busy machine; the quadratic resolution took minutes.
        XCTAssertLessThan(seconds, 40, "20,000 findings in one file took \(Int(seconds)) s")
    }
}
