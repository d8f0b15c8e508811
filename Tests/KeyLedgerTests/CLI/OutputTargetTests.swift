import Foundation
import Synchronization
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// What `--output` and `--db` name is never changed into something else (issue 10: `--output /dev/null` as root
/// replaced the device; `--db postgres://…` created a `postgres:` folder).
final class OutputTargetTests: XCTestCase {
    func testAFIFOIsWrittenThroughNotReplaced() throws {
        let dir = try temporaryDirectory(self)
        let fifo = dir + "/out.fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let received = Mutex<Data>(Data())
        let reader = Thread {
            let handle = FileHandle(forReadingAtPath: fifo)
            let data = handle?.readDataToEndOfFile() ?? Data()
            received.withLock { $0 = data }
        }
        reader.start()
        try OutputWriter.write("{\"schema\": \"keyledger.register/v1\"}\n", to: fifo)
        for _ in 0..<100 where received.withLock({ $0.isEmpty }) { usleep(20_000) }
        XCTAssertEqual(String(decoding: received.withLock { $0 }, as: UTF8.self), "{\"schema\": \"keyledger.register/v1\"}\n")
        var st = stat()
        XCTAssertEqual(lstat(fifo, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO, "the FIFO is still a FIFO")
    }

    func testACharacterDeviceStaysADevice() throws {
        try OutputWriter.write("register\n", to: "/dev/null")
        var st = stat()
        XCTAssertEqual(lstat("/dev/null", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR)
    }

    func testSymlinksAndFoldersAreRefusedRegularFilesReplacedAtomically() throws {
        let dir = try temporaryDirectory(self)
        try "old\n".write(toFile: dir + "/target.json", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.json", withDestinationPath: dir + "/target.json")
        XCTAssertThrowsError(try OutputWriter.write("new\n", to: dir + "/link.json")) { XCTAssertTrue("\($0)".contains("symbolic link")) }
        XCTAssertEqual(try String(contentsOfFile: dir + "/target.json", encoding: .utf8), "old\n", "nothing written through the link")
        XCTAssertThrowsError(try OutputWriter.write("new\n", to: dir))
        try OutputWriter.write("new\n", to: dir + "/target.json")
        XCTAssertEqual(try String(contentsOfFile: dir + "/target.json", encoding: .utf8), "new\n")
        try OutputWriter.write("fresh\n", to: dir + "/fresh.json")
        XCTAssertEqual(try String(contentsOfFile: dir + "/fresh.json", encoding: .utf8), "fresh\n")
    }

    func testADatabaseURLIsRefusedWithoutEchoingIt() throws {
        let dir = try temporaryDirectory(self)
        let cwd = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(dir)
        defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
        for url in ["postgres://keyledger:s3cretPassw0rdValue@db.internal/keyledger", "sqlite:///tmp/x.db"] {
            XCTAssertThrowsError(try HistoryStore.open(path: url)) { error in
                XCTAssertTrue("\(error)".contains("a URL is not a history store path"))
                XCTAssertFalse("\(error)".contains("s3cretPassw0rdValue"))
            }
            XCTAssertThrowsError(try HistoryStore.openExisting(path: url))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "no postgres: folder created")
    }
}
