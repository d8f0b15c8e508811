import XCTest
@testable import KeyLedger

/// A recording process killed midway leaves the store as it was: the test starts this same test binary as a
/// child that records a large register and stops halfway through its transaction, SIGKILLs it, and opens the store.
final class HistoryStoreCrashTests: XCTestCase {
    static let childDatabase = "KEYLEDGER_CRASH_CHILD_DB"
    static let childMarker = "KEYLEDGER_CRASH_CHILD_MARKER"

    /// A register of `count` credentials, each with locations, 30 days of usage, factors and treatments.
    static func largeRegister(count: Int, asOf: String) -> Register {
        let days = WeeklyReport.dayRange(ending: asOf, count: 30)
        let credentials = (0..<count).map { i -> CredentialRecord in
            let hex = String(format: "%064x", i)
            return CredentialRecord(
                id: "kl_\(String(format: "%016x", i))", fingerprint: "sha256:" + hex, redacted: "sk-proj-\(i)…wxyz",
                provider: "openai", kind: "project-key", rule: "openai.project-key", identity: Identity(keyId: "key_\(i)"),
                owner: Owner(team: "team-\(i % 12)", source: .ownersFile),
                exposure: Exposure(firstSeen: "2026-01-01", lastSeen: asOf, inHead: true, locationsCount: 3, repositories: 2),
                locations: (0..<3).map { l in
                    LocationRecord(kind: "git", repository: "repo-\(l)", path: "services/service-\(i)/config/.env.\(l)", line: l + 1,
                                   commit: String(repeating: "c", count: 40), author: "Dev \(i)", date: "2026-01-01T00:00:00Z")
                },
                created: nil, ageDays: 300, lastUsed: asOf,
                usage: Usage(spend30d: 30, spend7d: 7, requests30d: 300, tokens30d: 30_000, currency: "USD", link: "exact",
                             estimated: nil, daily: days.map { DailyUsageRecord(date: $0, cost: 1, tokens: 1000, requests: 10) }),
                privilege: Privilege(level: .write),
                risk: Risk(score: 50, severity: .medium, factors: [
                    RiskFactor(id: "exposure.git-head", points: 40, reason: "in HEAD of repo-0, repo-1, repo-2 for service \(i)"),
                    RiskFactor(id: "privilege.write", points: 10, reason: "can change provider-side resources"),
                ]),
                controls: ["OWASP-NHI:NHI2", "NIST-CSF-2.0:PR.DS-01"],
                treatment: [Treatment(action: .revoke, due: "2026-12-01"), Treatment(action: .moveToSecretManager, due: "2026-12-01")],
                status: .open)
        }
        return Register(generatedAt: asOf + "T00:00:00Z", asOf: asOf,
                        scan: ScanSummary(targets: ["many"], commits: 1, blobs: 1, files: 1, bytes: 1, durationMs: 1, skipped: [:],
                                          problems: [], rules: 1, exports: nil),
                        summary: Summary(credentials: count, bySeverity: ["medium": count], spend30d: Double(30 * count), currency: "USD",
                                         attributedSpendRatio: 1),
                        credentials: credentials)
    }

    /// The child: records a large register and, halfway through the transaction, says so and waits to be killed.
    func testChildRecordsUntilKilled() throws {
        let env = ProcessInfo.processInfo.environment
        guard let path = env[Self.childDatabase], let marker = env[Self.childMarker] else {
            throw XCTSkip("runs only as the child process of testKillMidTransactionLeavesTheStoreAsItWas")
        }
        let store = try HistoryStore.open(path: path)
        // A small page cache makes SQLite spill the uncommitted transaction to disk, as a large real scan would.
        try store.connection.execute("PRAGMA cache_size = 64")
        store.afterCredentialWritten = { written, total in
            guard written == total / 2 else { return }
            _ = FileManager.default.createFile(atPath: marker, contents: Data("\(written)/\(total)".utf8))
            while true { sleep(60) }
        }
        try store.record(Self.largeRegister(count: 4000, asOf: "2026-11-27"))
        XCTFail("the child should have been killed before committing")
    }

    func testKillMidTransactionLeavesTheStoreAsItWas() throws {
        #if !os(Linux)
        throw XCTSkip("the child process is started through /proc/self/exe (Linux)")
        #else
        let dir = try temporaryDirectory(self)
        let path = dir + "/keyledger.sqlite"
        let marker = dir + "/halfway"
        let (previous, current) = WeeklyReportFixture.registers()
        do {
            let store = try HistoryStore.open(path: path)
            try store.record(previous)
            try store.record(current)
            store.close()
        }

        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["KeyLedgerTests.HistoryStoreCrashTests/testChildRecordsUntilKilled"]
        var env = ProcessInfo.processInfo.environment
        env[Self.childDatabase] = path
        env[Self.childMarker] = marker
        child.environment = env
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        let deadline = Date().addingTimeInterval(180)
        while !FileManager.default.fileExists(atPath: marker) && child.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker), "the child never reached the middle of its transaction")
        XCTAssertTrue(child.isRunning)
        let halfway = (try? String(contentsOfFile: marker, encoding: .utf8)) ?? ""
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)
        XCTAssertEqual(halfway, "2000/4000")

        // The half-written transaction reached the disk (the write-ahead log), uncommitted.
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        XCTAssertGreaterThan(wal, 1_000_000, "the killed transaction had spilled pages to the WAL")

        let store = try HistoryStore.open(path: path)
        XCTAssertEqual(try store.connection.query("PRAGMA integrity_check").first?.string("integrity_check"), "ok")
        let scans = try store.scans()
        XCTAssertEqual(scans.map(\.asOf), ["2026-11-13", "2026-11-20"], "exactly the scans recorded before the kill")
        XCTAssertEqual(try store.register(of: scans[0]), previous)
        XCTAssertEqual(try store.register(of: scans[1]), current)
        let rows = try store.connection.query("SELECT COUNT(*) AS n FROM credentials").first?.int("n")
        XCTAssertEqual(rows, previous.credentials.count + current.credentials.count)
        XCTAssertEqual(try store.connection.query("SELECT COUNT(*) AS n FROM daily_usage").first?.int("n"),
                       (previous.credentials + current.credentials).reduce(0) { $0 + ($1.usage.daily?.count ?? 0) })

        // And the store takes the next scan as usual.
        try store.record(Self.largeRegister(count: 50, asOf: "2026-11-27"))
        XCTAssertEqual(try store.scans().map(\.credentials), [previous.credentials.count, current.credentials.count, 50])
        #endif
    }
}
