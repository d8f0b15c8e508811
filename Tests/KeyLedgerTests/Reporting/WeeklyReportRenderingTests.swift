import XCTest
@testable import KeyLedger

/// The weekly report as people read it: golden Markdown and HTML, escaping of hostile scanned text, a page with
/// nothing external, and — when Chromium is installed — a real rendering.
/// Regenerate the golden files on purpose: `KEYLEDGER_UPDATE_GOLDEN=1 swift test --filter WeeklyReportRenderingTests`.
final class WeeklyReportRenderingTests: XCTestCase {

    static var report: WeeklyReport {
        let (previous, current) = WeeklyReportFixture.registers()
        return WeeklyReport.build(current: current, previous: previous, periodDays: 7, asOf: "2026-11-20",
                                  budgets: WeeklyReportFixture.budgets)
    }


    func testGoldenMarkdown() throws {
        let md = WeeklyReportMarkdown.render(Self.report)
        try assertGolden(md, "weekly-report.md")
        XCTAssertTrue(md.hasPrefix("# Weekly security report — 2026-11-20\n\n**Abuse after exposure: arn:aws:iam::123456789012:user/"
                                   + "BedrockAPIKey-x1y2 (aws): $4.00/day → $163.33/day from 2026-11-12, 7 days after exposure. Since 2026-11-13: "), md)
        for section in ["## Needs action this week", "### Spend anomalies (1)", "### Overdue treatments (1)", "### Top risks (5)",
                        "## Changes since 2026-11-13", "### New credentials (2)", "### Resolved (2)", "### Rotated (1)",
                        "### Severity changes (2)", "## Spend", "## How this report is made"] {
            XCTAssertTrue(md.contains("\n" + section + "\n"), "missing \(section)")
        }
    }

    func testGoldenHTML() throws {
        try assertGolden(WeeklyReportHTML.render(Self.report), "weekly-report.html")
    }

    func testMarkdownEscapesScannedText() {
        let md = WeeklyReportMarkdown.render(Self.report)
        XCTAssertFalse(md.contains("<script>"))
        XCTAssertFalse(md.contains("<img"))
        XCTAssertTrue(md.contains("&lt;script&gt;alert(\"p\")&lt;/script&gt; &amp; 'x'\\|y.sh"))
        XCTAssertTrue(md.contains("R&amp;D &lt;ops&gt; \"core\""))
        XCTAssertTrue(md.contains("'x'\\|y.sh"), "a pipe in a path cannot split a table cell")
        // Every table row has as many cells as its header.
        for block in md.components(separatedBy: "\n\n") where block.hasPrefix("|") {
            let rows = block.split(separator: "\n").map { row in
                row.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            }
            XCTAssertEqual(Set(rows).count, 1, "ragged table:\n\(block)")
        }
    }

    func testHTMLEscapesEveryScannedString() {
        let html = WeeklyReportHTML.render(Self.report)
        // Hostile path, commit author and team arrive as text.
        XCTAssertFalse(html.contains("<script"), "no script element, from scanned text or otherwise")
        XCTAssertFalse(html.contains("<img"))
        XCTAssertFalse(html.contains("onerror=alert(1)>"))
        XCTAssertTrue(html.contains("deploy/&lt;script&gt;alert(&quot;p&quot;)&lt;/script&gt; &amp; &#39;x&#39;|y.sh"))
        XCTAssertTrue(html.contains("Mallory &quot;&lt;img src=x onerror=alert(1)&gt;&quot; &amp; co"))
        XCTAssertTrue(html.contains("R&amp;D &lt;ops&gt; &quot;core&quot;"))
        // Inside SVG too (team names label the bars).
        let svg = html.components(separatedBy: "<svg").dropFirst().map { $0.components(separatedBy: "</svg>")[0] }.joined()
        XCTAssertTrue(svg.contains("R&amp;D &lt;ops&gt;"))
        XCTAssertFalse(svg.contains("R&D <ops>"))
        // Every ampersand starts an entity: nothing raw slipped through.
        let ampersands = html.components(separatedBy: "&").dropFirst()
        for rest in ampersands {
            XCTAssertTrue(["amp;", "lt;", "gt;", "quot;", "#39;"].contains { rest.hasPrefix($0) }, "raw & before: \(rest.prefix(20))")
        }
    }

    func testHTMLIsSelfContained() {
        let html = WeeklyReportHTML.render(Self.report)
        // Attribute forms: scanned text that merely reads `src=x` is escaped text, and cannot carry a quote.
        for external in ["<script", "<link", "<img", "<iframe", "<object", "<embed", " src=\"", " href=\"", "url(", "@import",
                         "http://", "https://"] {
            XCTAssertFalse(html.lowercased().contains(external), "the page refers to something outside itself: \(external)")
        }
        XCTAssertTrue(html.contains("Content-Security-Policy"))
        XCTAssertTrue(html.contains("@media print"))
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 5, "spend history, bars by team, provider and cost centre, severity bars")
        XCTAssertEqual(html.components(separatedBy: "<svg").count, html.components(separatedBy: "</svg>").count)
    }

    func testControlCharactersAreReplaced() {
        XCTAssertEqual(HTMLText.escape("a\u{0}b\u{1B}[31mc\nd"), "a\u{FFFD}b\u{FFFD}[31mc\nd")
        XCTAssertEqual(WeeklyReportMarkdown.escape("*a*|_b_\n[c](d)"), "\\*a\\*\\|\\_b\\_ \\[c\\](d)")
    }

    /// Renders the page in headless Chromium, as a person would see it, and checks a real picture came out.
    func testRendersInChromium() throws {
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        guard let chromium = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            try TestPrerequisites.unavailable("Chromium is not installed", install: "apt-get install chromium; scripts/setup.sh installs it")
        }
        let dir = try temporaryDirectory(self)
        let html = dir + "/report.html", png = dir + "/report.png"
        try WeeklyReportHTML.render(Self.report).write(toFile: html, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--user-data-dir=\(dir)/profile",
                             "--screenshot=\(png)", "--window-size=1280,2000", URL(fileURLWithPath: html).absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        XCTAssertEqual(Array(data.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
        // IHDR: width and height, big-endian, at bytes 16…23.
        let width = data[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = data[20..<24].reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(width, 1280)
        XCTAssertEqual(height, 2000)
        // A blank or error page compresses to a few kilobytes; text, tables and charts do not.
        XCTAssertGreaterThan(data.count, 60_000, "the screenshot looks empty")
    }
}
