import XCTest
@testable import KeyLedger

/// One money format per currency, in every output a person reads (issue 10: it was printed `2429.20`, `$2,429`,
/// `2,429.20 USD` and `$0.00` depending on the format).
final class MoneyTests: XCTestCase {
    func testTheRule() {
        XCTAssertEqual(Money.format(2429.2, "USD"), "$2,429.20")
        XCTAssertEqual(Money.format(1234567.891, "USD"), "$1,234,567.89")
        XCTAssertEqual(Money.format(0, "USD"), "$0.00")
        XCTAssertEqual(Money.format(1234.5, "EUR"), "€1,234.50")
        XCTAssertEqual(Money.format(80, "GBP"), "£80.00")
        XCTAssertEqual(Money.format(1234.5, "usd"), "$1,234.50", "currency codes are case-insensitive")
        XCTAssertEqual(Money.format(1234.5, "CHF"), "1,234.50 CHF")
        XCTAssertEqual(Money.format(120_000, "JPY"), "120,000.00 JPY")
        XCTAssertEqual(Money.format(-12.5, "USD"), "-$12.50")
        XCTAssertEqual(Money.format(-12.5, "CHF"), "-12.50 CHF")
        XCTAssertEqual(Money.format(-0.001, "USD"), "$0.00", "no sign on an amount that shows as zero")
        XCTAssertEqual(Money.format(.infinity, "USD"), "n/a")
        XCTAssertEqual(Money.format(.nan, "USD"), "n/a")
    }

    func testWholeAndZeroVariants() {
        XCTAssertEqual(Money.whole(2429.2, "USD"), "$2,429")
        XCTAssertEqual(Money.whole(999.5, "EUR"), "€1,000")
        XCTAssertEqual(Money.whole(999.5, "SEK"), "1,000 SEK")
        XCTAssertEqual(Money.format(0, "USD", zero: "—"), "—")
        XCTAssertEqual(Money.format(0.004, "USD", zero: "—"), "—")
        XCTAssertEqual(Money.format(0.01, "USD", zero: "—"), "$0.01")
        XCTAssertEqual(Money.whole(0.4, "USD", zero: "—"), "—")
    }

    func testPlainIsForMachines() {
        XCTAssertEqual(Money.plain(2429.2), "2429.20")
        XCTAssertEqual(Money.plain(.nan), "")
    }

    /// The same amount reads the same in the table, the Markdown and HTML registers and both weekly reports; only
    /// the CSV keeps a plain number (with the currency in its own column).
    func testEveryReporterWritesTheSameAmount() throws {
        let (_, current) = WeeklyReportFixture.registers()
        var register = current
        register.credentials[0].usage.spend30d = 2429.2
        register.summary.spend30d = 2429.2
        let display = "$2,429.20"
        let table = TableReporter.render(register, context: RenderContext(width: 400))
        let md = MarkdownReporter.render(register)
        let html = try Reporters.render(register, as: .html)
        let weekly = WeeklyReport.build(current: register, previous: nil)
        for (name, text) in [("table", table), ("md", md), ("html", html), ("weekly md", WeeklyReportMarkdown.render(weekly)),
                             ("weekly html", WeeklyReportHTML.render(weekly))] {
            XCTAssertTrue(text.contains(display), "\(name) does not write \(display)")
            XCTAssertFalse(text.contains("2429.20"), "\(name) writes a bare number")
            XCTAssertFalse(text.contains("2,429.20 USD"), "\(name) writes the currency code after a USD amount")
        }
        let csv = CSVReporter.render(register)
        XCTAssertTrue(csv.contains(",2429.20,USD,"), "the CSV keeps a plain number and a currency column")
    }
}
