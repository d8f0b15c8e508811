import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// The demo estate end to end: two weekly scans recorded in a store, then the weekly report and the register export.
/// With `KEYLEDGER_DEMO_REPORT_DIR=DIR` the store and both reports are left in DIR to look at.
final class HistoryStoreDemoTests: XCTestCase {
    func testDemoEstateTwoWeeklyScansMakeAReport() throws {
        let dir = try temporaryDirectory(self)
        let estate = dir + "/estate"
        let planted = try DemoEstate(root: estate).build()
        // The demo's keyledger.yml sets the budgets itself (policy.budgets).
        let configText = try String(contentsOfFile: estate + "/keyledger.yml", encoding: .utf8)
        let config = try KeyLedgerConfig.parse(configText, source: "keyledger.yml")
        let budgets = try WeeklyReportBudgets.parse(configText, source: "keyledger.yml")
        XCTAssertEqual(budgets.budgets, ["payments": 2500, "ml-platform": 2000])

        // Last week the config store was not scanned yet; this week it is.
        let repositories = ["payments-api", "ml-platform"].map { estate + "/" + $0 }
        let (_, lastWeek) = try scanRegister(repositories, asOf: "2026-11-13", exports: [estate + "/exports"], config: config)
        let (_, thisWeek) = try scanRegister(repositories + [estate + "/config-store"], asOf: "2026-11-20",
                                             exports: [estate + "/exports"], config: config)
        let out = ProcessInfo.processInfo.environment["KEYLEDGER_DEMO_REPORT_DIR"] ?? dir
        let path = out + "/keyledger-history.sqlite"
        try? FileManager.default.removeItem(atPath: path)
        let store = try HistoryStore.open(path: path)
        try store.record(lastWeek)
        try store.record(thisWeek)
        let report = try WeeklyReport.build(store: store, asOf: "2026-11-20", periodDays: 7, budgets: budgets)
        store.close()

        XCTAssertEqual(report.previous?.asOf, "2026-11-13")
        let configStoreKeys = ["openai-admin", "deepseek", "azure-openai", "slack", "kubernetes", "google"]
        let newFingerprints = Set(report.newCredentials.compactMap { line in thisWeek.credentials.first { $0.id == line.id }?.fingerprint })
        for label in configStoreKeys {
            XCTAssertTrue(newFingerprints.contains(Secret(planted.secrets[label]!).fingerprint), "\(label) is new this week")
        }
        XCTAssertTrue(report.resolved.isEmpty)
        let bedrock = Secret(planted.secrets["bedrock"]!).fingerprint
        let batch = Secret(planted.secrets["aws-batch-secret"]!).fingerprint
        XCTAssertEqual(Set(report.anomalies.compactMap { a in thisWeek.credentials.first { $0.id == a.credential.id }?.fingerprint }),
                       [bedrock, batch], "the Bedrock key's spend jump and the LLMjacking in CloudTrail are flagged, nothing else")
        XCTAssertEqual(report.dailySpend.count, 7)
        XCTAssertEqual(report.previousDailySpend.count, 7)
        XCTAssertTrue(report.spendByTeam.contains { $0.team == "ml-platform" && $0.budgetStatus == "over" })
        XCTAssertFalse(report.headline.isEmpty)

        let html = WeeklyReportHTML.render(report)
        let md = WeeklyReportMarkdown.render(report)
        let secrets = Array(planted.secrets.values)
        assertNoPlaintext(html, secrets, "HTML report")
        assertNoPlaintext(md, secrets, "Markdown report")
        try html.write(toFile: out + "/weekly-report.html", atomically: true, encoding: .utf8)
        try md.write(toFile: out + "/weekly-report.md", atomically: true, encoding: .utf8)

        var bytes = Data()
        for file in try FileManager.default.contentsOfDirectory(atPath: out) where file.hasPrefix("keyledger-history.sqlite") {
            bytes += try Data(contentsOf: URL(fileURLWithPath: out + "/" + file))
        }
        for secret in secrets {
            XCTAssertNil(bytes.range(of: Data(secret.utf8)), "the store holds the plaintext of \(Secret(secret).redacted)")
        }
    }
}
