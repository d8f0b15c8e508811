import Foundation
import XCTest

/// Tests that need something outside Swift (a browser, a schema validator). On a developer's machine a missing
/// prerequisite skips the test and says what to install; in CI (`KEYLEDGER_CI=1`, set by `.ci/run`, which installs
/// every prerequisite) it fails the test, so a check that silently stopped running cannot pass as green.
enum TestPrerequisites {
    /// Whether this run must not skip: `.ci/run` sets `KEYLEDGER_CI=1`.
    static var requiredInCI: Bool { ProcessInfo.processInfo.environment["KEYLEDGER_CI"] == "1" }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// Skips (locally) or fails (in CI) the running test because `what` is unavailable; `install` says how to get it.
    static func unavailable(_ what: String, install: String, file: StaticString = #filePath, line: UInt = #line) throws -> Never {
        let message = "\(what) (\(install))"
        if requiredInCI {
            XCTFail("required in CI (KEYLEDGER_CI=1) but unavailable: \(message)", file: file, line: line)
            throw Missing(description: message)
        }
        throw XCTSkip(message, file: file, line: line)
    }
}
