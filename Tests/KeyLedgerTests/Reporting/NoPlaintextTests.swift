import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// No plaintext secret leaves the process: not in any output format, nor in problems or progress text.
final class NoPlaintextTests: XCTestCase {
    func testDemoEstateOutputsCarryOnlyFingerprintsAndRedactedForms() throws {
        let dir = try temporaryDirectory(self)
        let planted = try DemoEstate(root: dir).build()
        let paths = ["payments-api", "ml-platform", "config-store"].map { dir + "/" + $0 }
        let (result, register) = try scanRegister(paths)
        // Every planted secret is found, each as its own credential.
        for (label, secret) in planted.secrets.sorted(by: { $0.key < $1.key }) {
            XCTAssertNotNil(register.credential(for: secret), "planted \(label) secret not in the register")
        }
        let secrets = Array(planted.secrets.values)
        assertNoPlaintext(try JSONReporter.render(register), secrets, "JSON register")
        assertNoPlaintext(TableReporter.render(register, color: true), secrets, "table")
        assertNoPlaintext(TableReporter.render(register, color: false), secrets, "table")
        assertNoPlaintext(result.tally.problems.map { "\($0)" }.joined(separator: "\n"), secrets, "problems")
        assertNoPlaintext(result.findings.map { "\($0)" }.joined(separator: "\n"), secrets, "finding descriptions")
        for record in register.credentials {
            XCTAssertTrue(record.fingerprint?.hasPrefix("sha256:") ?? false)
            XCTAssertEqual(record.fingerprint?.count, 71)
            XCTAssertTrue(record.redacted.contains("…") || record.redacted.allSatisfy { $0 == "*" })
        }
    }
}
