import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// A fresh temporary folder, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase, _ name: String = #function) throws -> String {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let path = NSTemporaryDirectory() + "keyledger-\(safe)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// The built-in rules compiled once for the whole test run.
let sharedMatcher: RuleMatcher = {
    do { return try RuleMatcher(rules: RuleLoader.builtin()) } catch { fatalError("built-in rules do not compile: \(error)") }
}()

/// Scans `paths` with the built-in rules, links them to `exports` and `config`, and returns the register: the
/// library pipeline the `scan` command runs, with the shared matcher.
func scanRegister(_ paths: [String], history: Bool = true, since: String? = nil, maxFileSize: Int = 25 << 20,
                  asOf: String = "2026-11-20", exports: [String] = [], config: KeyLedgerConfig = KeyLedgerConfig()) throws -> (ScanResult, Register) {
    let day = ISODate.parse(asOf)!
    var options = ScanOptions(request: ScanRequest(paths: paths, history: history, since: since, limits: ScanLimits(maxFileSize: maxFileSize)))
    options.matcher = sharedMatcher
    options.configuration = config
    options.exports = exports
    options.asOf = day
    options.generatedAt = day
    let outcome = try ScanPipeline.run(options)
    return (outcome.result, outcome.register)
}

/// Writes `content` at `root/relative`, creating folders.
func write(_ content: String, to relative: String, in root: String) throws {
    let full = root + "/" + relative
    try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try content.write(toFile: full, atomically: true, encoding: .utf8)
}

extension Register {
    /// The record whose fingerprint is that of `secret` (compared by fingerprint, so a failure never prints the secret).
    func credential(for secret: String) -> CredentialRecord? {
        let fingerprint = Secret(secret).fingerprint
        return credentials.first { $0.fingerprint == fingerprint }
    }
}

/// Asserts that `text` contains none of `secrets`, naming only their redacted forms on failure.
func assertNoPlaintext(_ text: String, _ secrets: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    // JSON may write `/` as `\/` (Foundation's encoder does): a secret holding `/` (AWS) is looked for in both forms.
    let unescaped = text.contains("\\/") ? text.replacingOccurrences(of: "\\/", with: "/") : text
    for secret in secrets where text.contains(secret) || unescaped.contains(secret) {
        XCTFail("\(what) contains the plaintext of \(Secret(secret).redacted)", file: file, line: line)
    }
}

/// Compares `text` with the committed golden file `name` (Tests/KeyLedgerTests/Golden), naming the first differing
/// line. With KEYLEDGER_UPDATE_GOLDEN=1 it rewrites the file instead, on purpose.
func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    let url = folder.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["KEYLEDGER_UPDATE_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    guard text != expected else { return }
    let got = text.components(separatedBy: "\n"), want = expected.components(separatedBy: "\n")
    let index = Array(zip(got, want)).firstIndex { $0 != $1 } ?? min(got.count, want.count)
    XCTFail("""
        \(name) differs from the golden file at line \(index + 1); regenerate on purpose with KEYLEDGER_UPDATE_GOLDEN=1
        expected: \(index < want.count ? want[index] : "(end of file)")
        got:      \(index < got.count ? got[index] : "(end of file)")
        """, file: file, line: line)
}

/// Asserts that loading `dir` reported exactly one problem for each malformed export file, with the expected reason.
func assertOneProblemEach(_ bundle: ExportBundle, _ cases: [(file: String, reason: String)], in dir: String,
                          file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(bundle.problems.count, cases.count, file: file, line: line)
    for c in cases {
        let problems = bundle.problems.filter { $0.path == dir + "/" + c.file }
        XCTAssertEqual(problems.count, 1, c.file, file: file, line: line)
        XCTAssertTrue(problems.first?.reason.hasPrefix(c.reason) ?? false, "\(c.file): \(problems.first?.reason ?? "no problem")",
                      file: file, line: line)
    }
}
