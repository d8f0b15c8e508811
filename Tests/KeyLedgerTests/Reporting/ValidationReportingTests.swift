import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// What `scan --validate` found, as each output shows it: the register's CSV columns, table, Markdown and HTML, and
/// the weekly report's "Leaked keys that still work" (first among the actions, with the day checked). Without
/// validation none of them mention it.
final class ValidationReportingTests: XCTestCase {
    /// This week's fixture register with answers on three credentials: the OpenAI key works (asked this run), the
    /// Hugging Face token is revoked (reused from an earlier run), one answer could not be had (a provider error).
    static func validated() -> (previous: Register, current: Register) {
        var (previous, current) = WeeklyReportFixture.registers()
        func set(_ id: String, _ v: CredentialValidation) {
            guard let i = current.credentials.firstIndex(where: { $0.id == id }) else { return XCTFail("no \(id) in the fixture") }
            current.credentials[i].validation = v
        }
        set("kl_openai", CredentialValidation(status: .active, checkedAt: "2026-11-20T05:58:00Z",
                                              detail: "HTTP 200 from api.openai.com: 2 models, organisation org-pay"))
        set("kl_team", CredentialValidation(status: .revoked, checkedAt: "2026-11-19T22:10:00Z",
                                            detail: "HTTP 401 from huggingface.co: the provider refuses the key", cached: true))
        let other = current.credentials.first { !["kl_openai", "kl_team"].contains($0.id) && $0.status == .open }!.id
        set(other, CredentialValidation(status: .unknown, checkedAt: "2026-11-20T05:58:01Z",
                                        detail: "HTTP 529 from api.anthropic.com: provider error, not checked"))
        return (previous, current)
    }

    func testSummarySentence() throws {
        let summary = try XCTUnwrap(ValidationSummary(Self.validated().current.credentials))
        XCTAssertEqual(summary.sentence, "3 keys checked with their providers from 2026-11-19 to 2026-11-20: 1 still works, 1 revoked "
            + "and 1 could not be checked; 1 answer reused from an earlier run.")
        XCTAssertNil(ValidationSummary(WeeklyReportFixture.registers().current.credentials))
    }

    func testCSVAppendsTheAnswerColumns() throws {
        let csv = CSVReporter.render(Self.validated().current)
        let lines = csv.components(separatedBy: "\r\n")
        XCTAssertTrue(lines[0].hasSuffix(",status,validation_status,validation_checked_at,validation_detail"), lines[0])
        let openai = try XCTUnwrap(lines.first { $0.hasPrefix("kl_openai,") })
        XCTAssertTrue(openai.hasSuffix(#",active,2026-11-20T05:58:00Z,"HTTP 200 from api.openai.com: 2 models, organisation org-pay""#), openai)
        let team = try XCTUnwrap(lines.first { $0.hasPrefix("kl_team,") })
        XCTAssertTrue(team.contains(",revoked,2026-11-19T22:10:00Z,"), team)
        // Not validated: the columns are there, empty.
        let plain = CSVReporter.render(WeeklyReportFixture.registers().current).components(separatedBy: "\r\n")
        XCTAssertTrue(plain[1].hasSuffix(",,,"), plain[1])
        XCTAssertEqual(plain[0].split(separator: ",").count, CSVReporter.columns.count)
    }

    /// SARIF (CI, code scanning): the message says the key still works or no longer does, with the day, and each
    /// result's properties carry the status; without validation, neither.
    func testSARIFSaysWhetherTheKeyStillWorks() throws {
        let register = Self.validated().current
        let sarif = try SARIFReporter.render(register, rules: sharedMatcher.rules)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
        let results = try XCTUnwrap(((json["runs"] as? [[String: Any]])?.first?["results"]) as? [[String: Any]])
        func result(_ id: String) -> [String: Any]? { results.first { ($0["properties"] as? [String: Any])?["credential"] as? String == id } }
        let openai = try XCTUnwrap(result("kl_openai"))
        XCTAssertEqual((openai["properties"] as? [String: Any])?["validation"] as? String, "active")
        XCTAssertTrue(((openai["message"] as? [String: Any])?["text"] as? String ?? "").contains("openai accepted it on 2026-11-20: it still works."))
        let team = try XCTUnwrap(result("kl_team"))
        XCTAssertTrue(((team["message"] as? [String: Any])?["text"] as? String ?? "").contains("refused it on 2026-11-19: it no longer works."))
        let plain = try SARIFReporter.render(WeeklyReportFixture.registers().current, rules: sharedMatcher.rules)
        XCTAssertFalse(plain.contains("\"validation\""))
        XCTAssertFalse(plain.contains("still works"))
    }

    func testMarkdownRegister() {
        let md = MarkdownReporter.render(Self.validated().current)
        XCTAssertTrue(md.contains("Provider check: 3 keys checked with their providers from 2026-11-19 to 2026-11-20: 1 still works"), md)
        XCTAssertTrue(md.contains("Still working: key\\_pay01 · `sk-proj-Ab…wxyz`."), md)
        XCTAssertTrue(md.contains("| Due | Provider check |"), md)
        XCTAssertTrue(md.contains("| **works, checked 2026-11-20** |"), md)
        XCTAssertTrue(md.contains("| revoked, checked 2026-11-19 (earlier run) |"), md)
        XCTAssertTrue(md.contains("| not checked: HTTP 529 from api.anthropic.com: provider error, not checked |"), md)
        let plain = MarkdownReporter.render(WeeklyReportFixture.registers().current)
        XCTAssertFalse(plain.contains("Provider check"), "nothing about validation when the scan did not validate")
    }

    func testTable() {
        let table = TableReporter.render(Self.validated().current, context: RenderContext(color: false, width: 240))
        let header = table.split(separator: "\n").first ?? ""
        XCTAssertTrue(header.contains("CHECK"), String(header))
        XCTAssertTrue(table.split(separator: "\n").contains { $0.contains("key_pay01") && $0.contains("works") }, table)
        XCTAssertTrue(table.contains("3 keys checked with their providers"), table)
        XCTAssertFalse(TableReporter.render(WeeklyReportFixture.registers().current, context: RenderContext(color: false, width: 240))
            .contains("CHECK"))
    }

    func testRegisterHTML() {
        let html = RegisterHTML.render(Self.validated().current)
        XCTAssertTrue(html.contains(#"<div class="label">Still work</div><div class="value">1</div><div class="delta">of 3 checked with the provider</div>"#), html)
        XCTAssertTrue(html.contains(#"<span class="sub check active" title="HTTP 200 from api.openai.com: 2 models, organisation org-pay">works · 2026-11-20</span>"#))
        XCTAssertTrue(html.contains(#"<span class="sub check revoked" title="HTTP 401 from huggingface.co: the provider refuses the key (answer of an earlier run, reused)">revoked · 2026-11-19</span>"#))
        XCTAssertTrue(html.contains(#"<span class="sub check unknown" title="HTTP 529 from api.anthropic.com: provider error, not checked">not checked</span>"#))
        XCTAssertTrue(html.contains("<p>3 keys checked with their providers from 2026-11-19 to 2026-11-20: 1 still works"))
        let plain = RegisterHTML.render(WeeklyReportFixture.registers().current)
        XCTAssertFalse(plain.contains("Still work"))
        XCTAssertFalse(plain.contains(#"class="sub check"#))
    }

    func testWeeklyReportLeadsWithKeysThatStillWork() throws {
        let (previous, current) = Self.validated()
        let report = WeeklyReport.build(current: current, previous: previous)
        XCTAssertEqual(report.stillWorking.map(\.credential.id), ["kl_openai"])
        XCTAssertEqual(report.stillWorking.first?.day, "2026-11-20")
        XCTAssertTrue(report.headline.contains("revoke key_pay01 (openai, still works)"), report.headline)

        let html = WeeklyReportHTML.render(report)
        let section = try XCTUnwrap(html.range(of: "Needs action this week")).upperBound
        let working = try XCTUnwrap(html.range(of: "Leaked keys that still work"))
        let anomalies = try XCTUnwrap(html.range(of: "Spend anomalies <span"))
        XCTAssertTrue(section <= working.lowerBound && working.upperBound <= anomalies.lowerBound, "still-working keys come first")
        XCTAssertTrue(html.contains("HTTP 200 from api.openai.com: 2 models, organisation org-pay"))
        XCTAssertTrue(html.contains(#"<td class="date"><span class="up">2026-11-20</span></td>"#))
        XCTAssertTrue(html.contains(#"<div class="label">Still work</div><div class="value">1</div>"#))

        let md = WeeklyReportMarkdown.render(report)
        XCTAssertTrue(md.contains("### Leaked keys that still work (1)\n\n3 keys checked with their providers"), md)
        XCTAssertTrue(md.contains("| Leaked keys that still work | 1 | | |"), md)
        XCTAssertTrue(md.contains("HTTP 200 from api.openai.com: 2 models, organisation org-pay | **2026-11-20** |"), md)
        XCTAssertLessThan(try XCTUnwrap(md.range(of: "### Leaked keys")).lowerBound, try XCTUnwrap(md.range(of: "### Spend anomalies")).lowerBound)

        // Nobody asked: nothing about it.
        let plain = WeeklyReport.build(current: WeeklyReportFixture.registers().current, previous: previous)
        XCTAssertNil(plain.validation)
        XCTAssertFalse(WeeklyReportHTML.render(plain).contains("still work"))
        XCTAssertFalse(WeeklyReportMarkdown.render(plain).contains("still work"))
    }

    /// All checked, none works: the section says so in one line instead of an empty table.
    func testNoKeyStillWorks() {
        var (previous, current) = Self.validated()
        for i in current.credentials.indices where current.credentials[i].validation?.status == .active {
            current.credentials[i].validation?.status = .revoked
        }
        let report = WeeklyReport.build(current: current, previous: previous)
        XCTAssertTrue(report.stillWorking.isEmpty)
        XCTAssertFalse(report.headline.contains("still work"), report.headline)
        XCTAssertTrue(WeeklyReportHTML.render(report).contains("No open credential works at its provider."))
        XCTAssertTrue(WeeklyReportMarkdown.render(report).contains("### Leaked keys that still work (0)\n\n3 keys checked with their providers"))
    }
}
