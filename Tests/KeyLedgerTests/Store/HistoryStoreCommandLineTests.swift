import XCTest
import KeyLedgerFixtures
@testable import KeyLedger

/// `keyledger report` and `keyledger register` on a recorded store, run as a user would.
final class HistoryStoreCommandLineTests: XCTestCase {
    func run(_ arguments: [String], cwd: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try runKeyledger(arguments, cwd: cwd)
    }

    /// A store holding last week's and this week's fixture registers.
    func recordedStore() throws -> (dir: String, db: String, previous: Register, current: Register) {
        let dir = try temporaryDirectory(self)
        let db = dir + "/history.sqlite"
        let (previous, current) = WeeklyReportFixture.registers()
        let store = try HistoryStore.open(path: db)
        try store.record(previous)
        try store.record(current)
        store.close()
        return (dir, db, previous, current)
    }

    func testRegisterExportsTheLatestOrAPastRegister() throws {
        let (dir, db, previous, current) = try recordedStore()
        let json = try run(["register", "--db", db, "--format", "json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertEqual(json.stdout, try JSONReporter.render(current))
        let past = try run(["register", "--db", db, "--format", "json", "--as-of", "2026-11-19"])
        XCTAssertEqual(past.stdout, try JSONReporter.render(previous))
        let csv = try run(["register", "--db", db, "--format", "csv", "--output", dir + "/register.csv"])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        XCTAssertEqual(try String(contentsOfFile: dir + "/register.csv", encoding: .utf8), CSVReporter.render(current))
        let md = try run(["register", "--db", db, "--format", "md"])
        XCTAssertEqual(md.stdout, MarkdownReporter.render(current))

        let tooEarly = try run(["register", "--db", db, "--as-of", "2026-01-01"])
        XCTAssertEqual(tooEarly.status, 2)
        XCTAssertTrue(tooEarly.stderr.contains("\(db): no scan recorded on or before 2026-01-01 (recorded: 2026-11-13, 2026-11-20)"),
                      tooEarly.stderr)
    }

    func testReportWritesHTMLAndMarkdown() throws {
        let (dir, db, _, _) = try recordedStore()
        try "policy:\n  budgets: { payments: 1000 }\n".write(toFile: dir + "/keyledger.yml", atomically: true, encoding: .utf8)
        let md = try run(["report", "--db", db, "--format", "md", "--as-of", "2026-11-20", "--config", dir + "/keyledger.yml"])
        XCTAssertEqual(md.status, 0, md.stderr)
        XCTAssertTrue(md.stdout.hasPrefix("# Weekly security report — 2026-11-20\n"))
        XCTAssertTrue(md.stdout.contains("rein in payments spend (forecast $1,350 vs $1,000 budget)"))
        XCTAssertTrue(md.stdout.contains("### Rotated (1)"))

        // ./keyledger.yml is read when present; --period takes weeks too.
        let html = try run(["report", "--db", db, "--period", "1w", "--output", dir + "/report.html"], cwd: dir)
        XCTAssertEqual(html.status, 0, html.stderr)
        let page = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        XCTAssertTrue(page.hasPrefix("<!doctype html>"))
        XCTAssertTrue(page.contains("<td class=\"num\">$1,000</td>"), "the budget from ./keyledger.yml")
    }

    func testErrorsNameTheFile() throws {
        let dir = try temporaryDirectory(self)
        let missing = try run(["report", "--db", dir + "/nope.sqlite", "--format", "md"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("\(dir)/nope.sqlite: no history store here"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/nope.sqlite"))

        let period = try run(["report", "--db", dir + "/nope.sqlite", "--period", "0d"])
        XCTAssertEqual(period.status, 2)
        XCTAssertTrue(period.stderr.contains("--period"), period.stderr)

        let future = dir + "/future.sqlite"
        let db = try SQLiteConnection(path: future)
        try db.execute("PRAGMA application_id = \(StoreSchema.applicationID); PRAGMA user_version = 9;")
        db.close()
        let newer = try run(["register", "--db", future])
        XCTAssertEqual(newer.status, 2)
        XCTAssertTrue(newer.stderr.contains("\(future): written by a newer keyledger (store schema version 9"), newer.stderr)

        let empty = dir + "/empty.sqlite"
        _ = try HistoryStore.open(path: empty)
        let none = try run(["report", "--db", empty])
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.contains("no scan recorded"), none.stderr)
    }

    func testScanWithoutDBWritesNothing() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        try write("OPENAI_API_KEY=\(keys.openAIProjectKey())\n", to: "svc/.env", in: dir)
        let before = try FileManager.default.subpathsOfDirectory(atPath: dir)
        let scan = try run(["scan", "svc", "--as-of", "2026-11-20"], cwd: dir)
        XCTAssertEqual(scan.status, 1, scan.stderr)
        XCTAssertEqual(try FileManager.default.subpathsOfDirectory(atPath: dir), before)
    }
}
