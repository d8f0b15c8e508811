import Foundation
import XCTest
@testable import KeyLedger

/// Runs a test's assertions where file modes hold. Root reads any file whatever its mode, and CI runs as root, so a
/// test of "permission denied" would prove nothing there (issue 15). As root, the test builds its fixture, then runs
/// itself again — this test only — in a child process of this test binary under `setpriv` as nobody (uid/gid 65534,
/// no supplementary groups), and passes only when the child ran and passed. Not as root, it runs in this process.
enum Unprivileged {
    static let childFlag = "KEYLEDGER_UNPRIVILEGED_CHILD"
    static let childDirectory = "KEYLEDGER_UNPRIVILEGED_DIR"
    static let setpriv = "/usr/bin/setpriv"

    /// The fixture folder to run the assertions on, or nil when this (root) process ran them in an unprivileged child.
    /// - Parameter setUp: builds the fixture in a fresh folder (not called in the child: the parent built it).
    static func fixture(_ test: XCTestCase, function: String = #function, setUp: (String) throws -> Void) throws -> String? {
        let env = ProcessInfo.processInfo.environment
        if env[childFlag] == "1" {
            guard getuid() != 0, geteuid() != 0 else {
                XCTFail("the unprivileged child runs as root")
                return nil
            }
            guard let dir = env[childDirectory] else {
                XCTFail("the unprivileged child was not given its fixture")
                return nil
            }
            return dir
        }
        let dir = try temporaryDirectory(test, function)
        try setUp(dir)
        guard getuid() == 0 else { return dir }
        #if os(Linux)
        guard FileManager.default.isExecutableFile(atPath: setpriv) else {
            throw XCTSkip("running as root, which ignores file modes, and \(setpriv) (util-linux) is missing to drop privileges")
        }
        // The child must reach the fixture: temporary folders are created with the process's umask.
        chmod(dir, 0o755)
        let name = function.hasSuffix("()") ? String(function.dropLast(2)) : function
        let testID = "KeyLedgerTests.\(String(describing: type(of: test)))/\(name)"
        let child = Process()
        child.executableURL = URL(fileURLWithPath: setpriv)
        child.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups",
                           URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path, testID]
        var childEnv = env
        childEnv[childFlag] = "1"
        childEnv[childDirectory] = dir
        // Nobody has no home: no rule cache to read or write.
        childEnv["KEYLEDGER_NO_CACHE"] = "1"
        childEnv["HOME"] = "/nonexistent"
        child.environment = childEnv
        child.currentDirectoryURL = URL(fileURLWithPath: "/")
        let out = Pipe()
        child.standardOutput = out
        child.standardError = out
        try child.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        let tail = output.split(separator: "\n").suffix(25).joined(separator: "\n")
        XCTAssertEqual(child.terminationStatus, 0, "the unprivileged child failed:\n\(tail)")
        // A child that skipped or ran nothing would exit 0 too.
        XCTAssertTrue(output.contains("Executed 1 test, with 0 failures"), "the unprivileged child did not run the test:\n\(tail)")
        XCTAssertFalse(output.contains("skipped"), "the unprivileged child skipped the test:\n\(tail)")
        return nil
        #else
        throw XCTSkip("running as root, which ignores file modes; dropping privileges is implemented for Linux only")
        #endif
    }

    /// A matcher of a few built-in rules: the child compiles it in milliseconds without the rule cache.
    static func matcher(_ ids: Set<String>) throws -> RuleMatcher {
        try RuleMatcher(rules: RuleLoader.builtin().filter { ids.contains($0.id) }, cache: nil)
    }
}
