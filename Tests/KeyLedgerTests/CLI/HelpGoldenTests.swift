import XCTest

/// The help text users read, pinned against committed files.
/// Regenerate on purpose: `KEYLEDGER_UPDATE_GOLDEN=1 swift test --filter HelpGoldenTests`.
final class HelpGoldenTests: XCTestCase {
    func testHelpTexts() throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Golden")
        for (arguments, name) in [(["--help"], "help.txt"), (["scan", "--help"], "help-scan.txt"), (["report", "--help"], "help-report.txt"),
                                  (["register", "--help"], "help-register.txt"), (["baseline", "--help"], "help-baseline.txt")] {
            let result = try runKeyledger(arguments)
            XCTAssertEqual(result.status, 0, result.stderr)
            let url = golden.appendingPathComponent(name)
            if ProcessInfo.processInfo.environment["KEYLEDGER_UPDATE_GOLDEN"] == "1" {
                try result.stdout.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            XCTAssertEqual(result.stdout, try String(contentsOf: url, encoding: .utf8),
                           "\(name) differs; regenerate on purpose with KEYLEDGER_UPDATE_GOLDEN=1")
        }
    }
}
