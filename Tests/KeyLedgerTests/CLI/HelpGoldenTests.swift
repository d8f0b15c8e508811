import XCTest

/// The help text users read, pinned against committed files.
/// Regenerate on purpose: `KEYLEDGER_UPDATE_GOLDEN=1 swift test --filter HelpGoldenTests`.
final class HelpGoldenTests: XCTestCase {
    func testHelpTexts() throws {
        for (arguments, name) in [(["--help"], "help.txt"), (["scan", "--help"], "help-scan.txt"), (["report", "--help"], "help-report.txt"),
                                  (["register", "--help"], "help-register.txt"), (["baseline", "--help"], "help-baseline.txt"),
                                  (["collect", "--help"], "help-collect.txt")] {
            let result = try runKeyledger(arguments)
            XCTAssertEqual(result.status, 0, result.stderr)
            try assertGolden(result.stdout, name)
        }
    }
}
