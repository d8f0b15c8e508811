import XCTest
@testable import KeyLedger

/// Baseline expiry days stay inside what a baseline file can hold (issue 10: `baseline --expires 9223372036854775807`
/// trapped, and an expiry after 9999-12-31 wrote a file every later scan rejected).
final class BaselineExpiryTests: XCTestCase {
    let today = ISODate.parse("2026-11-20")!

    func testExpiryDayIsBoundedAndNeverTraps() {
        XCTAssertEqual(Baseline.expiryDay(asOf: today, days: 90), "2027-02-18")
        XCTAssertEqual(Baseline.expiryDay(asOf: today, days: Baseline.maxExpiryDays), "2036-11-17")
        XCTAssertNil(Baseline.expiryDay(asOf: today, days: Baseline.maxExpiryDays + 1))
        XCTAssertNil(Baseline.expiryDay(asOf: today, days: Int.max))
        XCTAssertNil(Baseline.expiryDay(asOf: today, days: 0))
        XCTAssertNil(Baseline.expiryDay(asOf: today, days: Int.min))
        XCTAssertEqual(Baseline.expiryDay(asOf: ISODate.parse("9999-12-01")!, days: 30), "9999-12-31")
        XCTAssertNil(Baseline.expiryDay(asOf: ISODate.parse("9999-12-01")!, days: 31), "would be year 10000")
        XCTAssertNil(Baseline.expiryDay(asOf: Date(timeIntervalSince1970: 1e300), days: 1))
        XCTAssertNil(Baseline.expiryDay(asOf: Date(timeIntervalSince1970: .infinity), days: 1))
    }

    /// A library caller's absurd expiry is bounded to ten years (or 9999-12-31), never trapped on.
    func testUpdatingWithAnAbsurdExpiryBoundsIt() throws {
        let register = try oneCredentialRegister()
        let far = Baseline.record(register, defaults: .init(expiresInDays: Int.max), asOf: today)
        XCTAssertEqual(far.credentials.values.map(\.expires), ["2036-11-17"])
        let late = Baseline.record(register, defaults: .init(expiresInDays: 90), asOf: ISODate.parse("9999-12-01")!)
        XCTAssertEqual(late.credentials.values.map(\.expires), ["9999-12-31"])
        // Whatever it wrote, it reads back.
        let dir = try temporaryDirectory(self)
        try late.write(to: dir + "/b.json")
        XCTAssertEqual(try Baseline.load(path: dir + "/b.json"), late)
    }

    func testLoadNamesTheFileAndEntryOfAnOutOfRangeDateWithoutQuotingIt() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/baseline.json"
        let fingerprint = "sha256:" + String(repeating: "0f", count: 32)
        func file(expires: String = "2027-01-01", firstSeen: String = "2026-01-01", lastSeen: String = "2026-01-01",
                  redacted: String = "sk-…abcd") -> String {
            #"{"schema": "keyledger.baseline/v1", "credentials": {"\#(fingerprint)": {"redacted": "\#(redacted)", "provider": "openai", "rule": null, "paths": [], "reason": "ok", "owner": "o", "expires": "\#(expires)", "first_seen": "\#(firstSeen)", "last_seen": "\#(lastSeen)"}}}"#
        }
        let cases: [(String, String)] = [
            (file(expires: "10000-01-01"), "expires"), (file(expires: "+10000-01-01"), "expires"), (file(expires: "9999-13-01"), "expires"),
            (file(expires: "2027-02-30"), "expires"), (file(expires: "0000-01-01"), "expires"), (file(expires: "1969-12-31"), "expires"),
            (file(expires: "2027-01-01T00:00:00Z"), "expires"), (file(firstSeen: "99999-01-01"), "first_seen"),
            (file(lastSeen: "yesterday"), "last_seen"),
        ]
        for (text, field) in cases {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try Baseline.load(path: path)) {
                XCTAssertEqual("\($0)", "\(path): sha256:0f0f0f0f0f0f… (sk-…abcd): \(field) must be a day from 1970-01-01 to 9999-12-31 "
                    + "written YYYY-MM-DD, like 2027-02-18 (value not shown)")
            }
        }
        try file(expires: "9999-12-31").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Baseline.load(path: path).credentials[fingerprint]?.expires, "9999-12-31")

        // A `redacted` that does not look redacted (it could be a whole key) is not repeated either.
        let pasted = "sk-" + String(repeating: "Q", count: 40)
        try file(expires: "10000-01-01", redacted: pasted).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Baseline.load(path: path)) {
            XCTAssertEqual("\($0)", "\(path): sha256:0f0f0f0f0f0f…: expires must be a day from 1970-01-01 to 9999-12-31 "
                + "written YYYY-MM-DD, like 2027-02-18 (value not shown)")
        }
        // Nor a key that is not a fingerprint.
        let keyed = file().replacingOccurrences(of: fingerprint, with: pasted)
        try keyed.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Baseline.load(path: path)) {
            XCTAssertEqual("\($0)", "\(path): credentials entry 1 (in sorted order) is not keyed by a fingerprint "
                + "(sha256: and 64 lower-case hex digits; key not shown)")
        }
    }

    /// The command bounds `--expires` and says so; it used to trap on `9223372036854775807` (SIGILL).
    func testCommandRefusesAnExpiryBeyondTenYearsOrYear9999() throws {
        let dir = try temporaryDirectory(self)
        for arguments in [["--expires", "9223372036854775807"], ["--expires", "3651"], ["--expires", "0"], ["--expires=-5"]] {
            let result = try runKeyledger(["baseline", dir, "--output", dir + "/b.json", "--as-of", "2026-11-20"] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.stderr.contains("--expires must be a number of days from 1 to 3650 (ten years)"), result.stderr)
        }
        let late = try runKeyledger(["baseline", dir, "--output", dir + "/b.json", "--as-of", "9999-12-01", "--expires", "90"])
        XCTAssertEqual(late.status, 2)
        XCTAssertTrue(late.stderr.contains("--as-of plus --expires must be a day from 1970-01-01 to 9999-12-31"), late.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/b.json"), "nothing written")
        let ok = try runKeyledger(["baseline", dir, "--output", dir + "/b.json", "--as-of", "2026-11-20", "--expires", "3650"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    private func oneCredentialRegister() throws -> Register {
        let fingerprint = "sha256:" + String(repeating: "1a", count: 32)
        let record = CredentialRecord(
            id: "kl_1", fingerprint: fingerprint, redacted: "sk-proj-Ab…wxyz", provider: "openai", kind: "project-key",
            rule: "openai.project-key", identity: Identity(), owner: Owner(team: "ml", source: .ownersFile),
            exposure: Exposure(firstSeen: "2026-01-01", lastSeen: "2026-11-20", inHead: true, locationsCount: 1, repositories: 1),
            locations: [LocationRecord(kind: "file", repository: nil, path: "svc/.env", line: 1, commit: nil, author: nil, date: nil,
                                       inHead: nil, rule: nil, note: nil)],
            created: nil, ageDays: nil, lastUsed: nil,
            usage: Usage(spend30d: 0, spend7d: 0, requests30d: 0, tokens30d: 0, currency: "USD", link: nil, estimated: nil, daily: nil),
            privilege: Privilege(level: .write), risk: Risk(score: 50, severity: .medium, factors: []), controls: [], treatment: [],
            status: .open)
        return Register(generatedAt: "2026-11-20T00:00:00Z", asOf: "2026-11-20",
                        scan: ScanSummary(targets: ["t"], commits: 0, blobs: 0, files: 1, bytes: 1, durationMs: 1, skipped: [:],
                                          problems: [], rules: 1, exports: nil),
                        summary: Summary(credentials: 1, bySeverity: ["medium": 1], spend30d: 0, currency: "USD", attributedSpendRatio: 0),
                        credentials: [record])
    }
}
