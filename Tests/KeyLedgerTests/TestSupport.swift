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

/// Scans `paths` with the built-in rules, links them to `exports` and `config`, and returns the register.
func scanRegister(_ paths: [String], history: Bool = true, since: String? = nil, maxFileSize: Int = 25 << 20,
                  asOf: String = "2026-11-20", exports: [String] = [], config: KeyLedgerConfig = KeyLedgerConfig()) throws -> (ScanResult, Register) {
    let scanner = Scanner(matcher: sharedMatcher)
    let result = try scanner.run(ScanRequest(paths: paths, history: history, since: since, limits: ScanLimits(maxFileSize: maxFileSize)))
    let day = ISODate.parse(asOf)!
    let bundle = ExportLoader.load(paths: exports)
    let linked = Linker(bundle: bundle, config: config, codeOwners: result.codeOwners, asOf: day).link(Inventory.build(result.findings))
    let register = RegisterBuilder.build(result: result, linked: linked, exports: bundle, policy: config.policy, asOf: day, generatedAt: day)
    return (result, register)
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
    for secret in secrets where text.contains(secret) {
        XCTFail("\(what) contains the plaintext of \(Secret(secret).redacted)", file: file, line: line)
    }
}
