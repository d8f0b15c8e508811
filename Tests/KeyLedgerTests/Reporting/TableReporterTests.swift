import XCTest
@testable import KeyLedger

/// The terminal table names each credential by what it is and where it was found first, shows its status, and fits
/// the terminal without wrapping (issue 10).
final class TableReporterTests: XCTestCase {
    static var register: Register { WeeklyReportFixture.registers().current }

    func lines(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    func testNamesIdentityLocationAndStatus() {
        let table = TableReporter.render(Self.register, context: RenderContext(width: 400))
        let header = lines(table)[0]
        for column in ["SEVERITY", "STATUS", "IDENTITY", "SECRET", "WHERE"] { XCTAssertTrue(header.contains(column), column) }
        let openai = lines(table).first { $0.contains("sk-proj-Ab…wxyz") } ?? ""
        XCTAssertTrue(openai.contains("key_pay01"), "the key id names it: \(openai)")
        XCTAssertTrue(openai.contains("payments-api:app/.env:1"), "first location with its line: \(openai)")
        XCTAssertTrue(openai.contains(" open "), openai)
        let gcp = lines(table).first { $0.contains("…Cd==") } ?? ""
        XCTAssertTrue(gcp.contains("2222bbbb"), "key id before the service-account email: \(gcp)")
        let bedrock = lines(table).first { $0.contains("ABSK…Tg==") } ?? ""
        XCTAssertTrue(bedrock.contains("arn:aws:iam::123456789012:user/BedrockAPIKey-x1y2"), "principal when there is no key id: \(bedrock)")
        XCTAssertTrue(lines(table).contains { $0.contains("AIzaSy…Q0xw") && $0.contains(" suppressed ") })
    }

    func testIdentityPreference() {
        var c = Self.register.credentials[0]
        c.identity = Identity(keyId: "key_1", name: "ci-bot", principal: "user_1")
        XCTAssertEqual(CredentialNames.identity(c), "key_1")
        c.identity.keyId = " "
        XCTAssertEqual(CredentialNames.identity(c), "user_1")
        c.identity.principal = nil
        XCTAssertEqual(CredentialNames.identity(c), "ci-bot")
        c.identity = Identity()
        XCTAssertNil(CredentialNames.identity(c))
    }

    func testFitsTheWidthWithoutWrapping() {
        for width in [200, 120, 100, 80, 60] {
            let table = TableReporter.render(Self.register, context: RenderContext(width: width))
            let rows = lines(table).prefix(Self.register.credentials.count + 1)
            for row in rows { XCTAssertLessThanOrEqual(row.count, width, "width \(width): \(row)") }
            XCTAssertEqual(rows.count, Self.register.credentials.count + 1, "one line per credential at width \(width)")
        }
        let narrow = TableReporter.render(Self.register, context: RenderContext(width: 80))
        XCTAssertTrue(narrow.contains("…"), "long cells are cut with an ellipsis")
        XCTAssertTrue(lines(narrow)[0].contains("STATUS") && lines(narrow)[0].contains("WHERE"), "status and location stay")
        // A path keeps its end (file name and line) when cut.
        XCTAssertEqual(TableReporter.cut("payments-api:deploy/very/long/path/aws.sh:12", to: 20, .middle), "payment…th/aws.sh:12")
        XCTAssertEqual(TableReporter.cut("trainer@ml-platform-prod.iam.gserviceaccount.com", to: 12, .end), "trainer@ml-…")
    }

    func testWidthFromTheEnvironmentOr120() {
        setenv("COLUMNS", "77", 1)
        XCTAssertEqual(RenderContext.terminalWidth(), 77)
        unsetenv("COLUMNS")
        // Under `swift test` standard output is not a terminal.
        if isatty(STDOUT_FILENO) == 0 { XCTAssertEqual(RenderContext.terminalWidth(), 120) }
    }

    func testCountsArePluralised() {
        var register = Self.register
        register.scan.commits = 1; register.scan.blobs = 1; register.scan.files = 1
        let table = TableReporter.render(register, context: RenderContext(width: 200))
        XCTAssertTrue(table.contains("— 1 commit, 1 blob, 1 file, "), table)
        XCTAssertTrue(MarkdownReporter.render(register).contains("1 commit, 1 blob, 1 file."))
        register.credentials = Array(register.credentials.prefix(1))
        register.summary.credentials = 1
        XCTAssertTrue(TableReporter.render(register, context: RenderContext(width: 200)).contains("\n1 credential ("))
    }
}
