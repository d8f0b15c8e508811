import XCTest
@testable import KeyLedger

/// A `user_version` no keyledger writes is refused with the file named, never a crash (issue 10: a negative version
/// indexed the migrations with a negative number, SIGILL).
final class HistoryStoreVersionTests: XCTestCase {
    func testANegativeSchemaVersionIsRefusedWithTheFileNamed() throws {
        let dir = try temporaryDirectory(self)
        for (name, version, setup) in [
            ("negative.sqlite", -1, "CREATE TABLE scans (id INTEGER PRIMARY KEY); PRAGMA application_id = 1263289415;"),
            ("empty-negative.sqlite", -7, ""),
            ("min.sqlite", Int(Int32.min), "CREATE TABLE notes (body TEXT);"),
        ] {
            let path = dir + "/" + name
            let db = try SQLiteConnection(path: path)
            try db.execute(setup + "PRAGMA user_version = \(version);")
            db.close()
            XCTAssertThrowsError(try HistoryStore.open(path: path)) { error in
                XCTAssertEqual("\(error)", "\(path): not a keyledger history store (SQLite user_version \(version); keyledger writes "
                    + "versions 1 to \(HistoryStore.schemaVersion)); choose another --db file")
            }
            XCTAssertThrowsError(try HistoryStore.openExisting(path: path)) { error in
                XCTAssertTrue("\(error)".hasPrefix(path + ": not a keyledger history store (SQLite user_version"), "\(error)")
            }
            // Refusing changed nothing: the version and the journal mode are as they were.
            let check = try SQLiteConnection(path: path)
            XCTAssertEqual(try check.userVersion, version)
            XCTAssertEqual(try check.query("PRAGMA journal_mode").first?.string("journal_mode"), "delete")
            check.close()
        }
    }

    func testAVersionFromTheFutureIsRefusedEvenAtInt32Max() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/future.sqlite"
        let db = try SQLiteConnection(path: path)
        try db.execute("PRAGMA user_version = \(Int32.max);")
        db.close()
        XCTAssertThrowsError(try HistoryStore.open(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path): written by a newer keyledger (store schema version \(Int32.max); this keyledger reads "
                + "versions up to \(HistoryStore.schemaVersion)). Upgrade keyledger, or record into a new --db file.")
        }
    }

    /// A store another process created between this process's first look and its write lock is taken as it is.
    func testOpeningAStoreTwiceCreatesTheSchemaOnce() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/h.sqlite"
        let first = try HistoryStore.open(path: path)
        let second = try HistoryStore.open(path: path)
        try first.record(HistoryStoreCrashTests.largeRegister(count: 2, asOf: "2026-11-20"))
        try second.record(HistoryStoreCrashTests.largeRegister(count: 1, asOf: "2026-11-27"))
        XCTAssertEqual(try first.scans().map(\.credentials), [2, 1])
        XCTAssertEqual(try second.connection.query("PRAGMA journal_mode").first?.string("journal_mode"), "wal")
        XCTAssertEqual(try second.connection.userVersion, HistoryStore.schemaVersion)
        first.close(); second.close()
    }
}
