import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Issue 10: a 2 GB file with a raised size limit was read whole (2–4 GB of memory). Large files are read in
/// windows; a key across a window's edge is found once, on the right line, with its surroundings.
final class WindowedScanTests: XCTestCase {
    func testKeysAcrossWindowEdgesAreFoundOnceOnTheirLine() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory(seed: 1040)
        var small = ScanLimits()
        small.windowSize = 64 << 10
        small.windowMargin = 16 << 10
        let step = small.windowSize - 2 * small.windowMargin
        // Every edge a key could be cut at: window starts and ends, and where one window's kept part hands over.
        var edges: [Int] = []
        for k in 1..<40 {
            edges += [k * step, k * step + small.windowMargin, k * step + small.windowSize - small.windowMargin]
        }
        edges = Array(Set(edges)).sorted()
        var text: [UInt8] = []
        var expected: [(fingerprint: String, line: Int)] = []
        var line = 1
        var next = 0
        var filler = SeededGenerator(seed: 7)
        while next < edges.count {
            let edge = edges[next]
            if edge - text.count > 300 {
                let n = 20 + Int(filler.next() % 60)
                text += Array(repeating: UInt8(ascii: "."), count: n) + [0x0A]
                line += 1
                continue
            }
            // One key line whose key covers the edge (and, every third, an AWS pair whose id is on the line before).
            let aws = next % 3 == 0
            let pair = keys.awsKeyPair()
            let key = aws ? pair.secret : keys.openAIProjectKey()
            let prefix = aws ? "aws_secret_access_key = " : "OPENAI_API_KEY="
            if aws {
                text += Array("aws_access_key_id = \(pair.id)\n".utf8)
                line += 1
            }
            let lead = max(0, edge - text.count - prefix.utf8.count - key.utf8.count / 2)
            text += Array(repeating: UInt8(ascii: " "), count: lead) + Array(prefix.utf8)
            expected.append((Secret(key).fingerprint, line))
            text += Array("\(key)  # keyledger:allow fixture for edge \(next)\n".utf8)
            line += 1
            next += 1
            while next < edges.count, edges[next] < text.count + 200 { next += 1 }
        }
        try Data(text).write(to: URL(fileURLWithPath: dir + "/big.log"))
        let matcher = try Unprivileged.matcher(["openai.project-key", "aws.access-key", "aws.secret-key-unpaired"])
        let windowed = try Scanner(matcher: matcher).run(ScanRequest(paths: [dir], limits: small))
        let whole = try Scanner(matcher: matcher).run(ScanRequest(paths: [dir]))
        func summary(_ r: ScanResult) -> [String] {
            r.findings.map { "\($0.secret.fingerprint) \($0.rule.id) \($0.location.line ?? 0) \($0.identity.keyId ?? "-") \($0.location.allowReason ?? "-")" }.sorted()
        }
        XCTAssertGreaterThan(text.count, 20 * small.windowSize)
        XCTAssertEqual(windowed.findings.count, expected.count, "each key once")
        XCTAssertEqual(Set(windowed.findings.map { "\($0.secret.fingerprint):\($0.location.line ?? 0)" }),
                       Set(expected.map { "\($0.fingerprint):\($0.line)" }))
        XCTAssertEqual(summary(windowed), summary(whole), "windows find what a whole read finds: rule, line, key id, allow reason")
        XCTAssertEqual(Set(windowed.findings.map(\.rule.id)), ["openai.project-key", "aws.access-key"])
        XCTAssertEqual(windowed.tally.bytes, text.count)
        XCTAssertEqual(windowed.tally.files, 1)
    }

    func testALargeBinaryFileIsSkippedFromItsFirstWindow() throws {
        let dir = try temporaryDirectory(self)
        var small = ScanLimits()
        small.windowSize = 64 << 10
        small.windowMargin = 16 << 10
        small.maxFileSize = Int.max
        // A sparse file: zeros, never read past its first window.
        let fd = open(dir + "/disk.img", O_CREAT | O_WRONLY, 0o644)
        XCTAssertEqual(ftruncate(fd, 1 << 30), 0)
        close(fd)
        let result = try Scanner(matcher: Unprivileged.matcher(["openai.project-key"])).run(ScanRequest(paths: [dir], limits: small))
        XCTAssertEqual(result.tally.skipped["binary"], 1)
        XCTAssertEqual(result.tally.problems, [Problem(path: "disk.img", reason: "binary: contains NUL bytes")])
        XCTAssertEqual(result.tally.bytes, 0)
    }
}
