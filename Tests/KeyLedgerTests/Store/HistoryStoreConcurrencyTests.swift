import XCTest
@testable import KeyLedger

/// Several processes creating and recording into the same new `--db` at once (issue 10: one of two failed with
/// "database is locked" in 35 of 40 trials, or with "not a keyledger history store"). Each trial starts separate
/// processes — this same test binary as children, so the race is between processes and their own SQLite
/// connections, as between two `keyledger scan --db` runs — that wait on a start file, then all open the new store
/// and record one scan. Every child must succeed and every scan must be in the store.
final class HistoryStoreConcurrencyTests: XCTestCase {
    static let childDatabase = "KEYLEDGER_CONCURRENT_CHILD_DB"
    static let childStart = "KEYLEDGER_CONCURRENT_CHILD_START"
    static let trials = 40
    static let writers = 4

    /// The child: waits for the start file, then opens (creating) the store and records one small scan.
    func testChildCreatesAndRecords() throws {
        let env = ProcessInfo.processInfo.environment
        guard let path = env[Self.childDatabase], let start = env[Self.childStart] else {
            throw XCTSkip("runs only as a child process of testConcurrentCreatorsAndWritersNeverFail")
        }
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: start) && Date() < deadline { usleep(200) }
        let store = try HistoryStore.open(path: path)
        try store.record(HistoryStoreCrashTests.largeRegister(count: 3, asOf: "2026-11-27"))
        store.close()
    }

    func testConcurrentCreatorsAndWritersNeverFail() throws {
        #if !os(Linux)
        throw XCTSkip("the child processes are started through /proc/self/exe (Linux)")
        #else
        let dir = try temporaryDirectory(self)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var failures: [String] = []
        for trial in 0..<Self.trials {
            let path = dir + "/trial-\(trial).sqlite"
            let start = dir + "/start-\(trial)"
            var children: [(Process, Pipe)] = []
            for _ in 0..<Self.writers {
                let child = Process()
                child.executableURL = executable
                child.arguments = ["KeyLedgerTests.HistoryStoreConcurrencyTests/testChildCreatesAndRecords"]
                var env = ProcessInfo.processInfo.environment
                env[Self.childDatabase] = path
                env[Self.childStart] = start
                child.environment = env
                // XCTest writes a thrown error to standard output; both go to one pipe.
                let err = Pipe()
                child.standardOutput = err
                child.standardError = err
                try child.run()
                children.append((child, err))
            }
            // Let every child reach its wait loop, then release them together.
            usleep(300_000)
            XCTAssertTrue(FileManager.default.createFile(atPath: start, contents: Data()))
            for (child, err) in children {
                let output = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                child.waitUntilExit()
                if child.terminationStatus != 0 {
                    let reason = output.split(separator: "\n").first { $0.contains(" error: ") }
                    failures.append("trial \(trial): exit \(child.terminationStatus): \(reason.map(String.init) ?? output.suffix(400).description)")
                }
            }
            let store = try HistoryStore.open(path: path)
            XCTAssertEqual(try store.scans().count, Self.writers, "trial \(trial): every writer's scan is recorded")
            XCTAssertEqual(try store.connection.userVersion, HistoryStore.schemaVersion)
            store.close()
        }
        XCTAssertEqual(failures, [], "\(failures.count) of \(Self.trials * Self.writers) writers failed")
        #endif
    }
}
