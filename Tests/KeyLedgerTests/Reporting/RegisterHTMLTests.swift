import XCTest
@testable import KeyLedger

/// `scan --format html`: the full register as one page — every credential, filterable with a small inline script
/// but readable without it, with the weekly report's charts, self-contained and escaped (issue 10: it was the weekly
/// report, titled "Weekly security report", showing 10 of 16 credentials).
final class RegisterHTMLTests: XCTestCase {
    /// 7 credentials (one suppressed), hostile path, author and team.
    static var register: Register { WeeklyReportFixture.registers().current }
    static var html: String { try! Reporters.render(register, as: .html, context: RenderContext(budgets: WeeklyReportFixture.budgets)) }

    func rows(_ html: String) -> [String] {
        html.components(separatedBy: "<tbody>")[1].components(separatedBy: "</tbody>")[0]
            .components(separatedBy: "<tr ").dropFirst().map { "<tr " + $0 }
    }

    func testEveryCredentialIsOnThePage() {
        let html = Self.html
        XCTAssertTrue(html.contains("<title>Credential register — 2026-11-20</title>"))
        XCTAssertFalse(html.contains("Weekly security report"))
        let rows = rows(html.components(separatedBy: #"<table id="register">"#)[1])
        XCTAssertEqual(rows.count, Self.register.credentials.count, "one row per credential, suppressed ones too")
        for c in Self.register.credentials { XCTAssertTrue(rows.contains { $0.contains(HTMLText.escape(c.redacted)) }, c.id) }
        XCTAssertTrue(rows.contains { $0.contains(#"data-status="suppressed""#) && $0.contains(#"<span class="status suppressed">suppressed</span>"#) })
        // Named by identity and first location.
        let openai = rows.first { $0.contains("sk-proj-Ab…wxyz") } ?? ""
        XCTAssertTrue(openai.contains(#"<span class="ident">key_pay01</span>"#), openai)
        XCTAssertTrue(openai.contains("payments-api:app/.env:1"), openai)
        XCTAssertTrue(openai.contains("$1,350.00"), "money in the one format")
        // The weekly report's charts: spend history, bars by team, provider and cost centre, severity.
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 5)
        XCTAssertTrue(html.contains("Daily spend, 2026-10-15 – 2026-11-20"))
        XCTAssertTrue(html.contains("<h3>By cost centre</h3>"))
    }

    func testReadableWithoutScript() {
        let html = Self.html
        // The filter form is hidden until the script reveals it; no row is hidden in the markup.
        XCTAssertTrue(html.contains(#"<form id="filters" class="filters" hidden role="search""#))
        XCTAssertFalse(rows(html.components(separatedBy: #"<table id="register">"#)[1]).contains { $0.contains(" hidden") })
        for option in ["critical", "high", "medium", "low"] { XCTAssertTrue(html.contains(#"<option value="\#(option)">"#)) }
        XCTAssertTrue(html.contains(#"<option value="open">open</option><option value="suppressed">suppressed</option></select>"#))
    }

    func testSelfContainedWithOnlyItsOwnScript() {
        let html = Self.html
        for external in ["<link", "<img", "<iframe", "<object", "<embed", " src=\"", " href=\"", "url(", "@import", "http://", "https://"] {
            XCTAssertFalse(html.lowercased().contains(external), "the page refers to something outside itself: \(external)")
        }
        XCTAssertEqual(html.components(separatedBy: "<script").count - 1, 1, "one inline script")
        XCTAssertTrue(html.contains("<script>" + RegisterHTML.script + "</script>"))
        let hash = "sha256-" + Data(SHA256.digest(Array(RegisterHTML.script.utf8))).base64EncodedString()
        XCTAssertTrue(html.contains("default-src 'none'; style-src 'unsafe-inline'; script-src '\(hash)'"), "the CSP allows exactly that script")
        XCTAssertNil(html.range(of: #"<[^>]*\son[a-z]+\s*="#, options: .regularExpression),
                     "no inline event handler attributes (the CSP would block them)")
    }

    func testEscapesEveryRegisterString() {
        let html = Self.html.replacingOccurrences(of: RegisterHTML.script, with: "")
        XCTAssertTrue(html.contains("deploy/&lt;script&gt;alert(&quot;p&quot;)&lt;/script&gt; &amp; &#39;x&#39;|y.sh"))
        XCTAssertTrue(html.contains("Mallory &quot;&lt;img src=x onerror=alert(1)&gt;&quot; &amp; co"))
        XCTAssertTrue(html.contains("R&amp;D &lt;ops&gt; &quot;core&quot;"))
        XCTAssertFalse(html.contains("<img"))
        for rest in html.components(separatedBy: "&").dropFirst() {
            XCTAssertTrue(["amp;", "lt;", "gt;", "quot;", "#39;"].contains { rest.hasPrefix($0) },
                          "raw & before: \(rest.prefix(20))")
        }
    }

    /// Loads the page in headless Chromium: the script runs under the page's CSP (the filter form is revealed and
    /// counts the rows) and a real picture comes out.
    func testRendersInChromiumAndTheFilterRuns() throws {
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        guard let chromium = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            try TestPrerequisites.unavailable("Chromium is not installed", install: "apt-get install chromium; scripts/setup.sh installs it")
        }
        let dir = try temporaryDirectory(self)
        let page = dir + "/register.html", png = dir + "/register.png"
        try Self.html.write(toFile: page, atomically: true, encoding: .utf8)
        func run(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: chromium)
            process.arguments = ["--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--user-data-dir=\(dir)/profile"]
                + arguments + [URL(fileURLWithPath: page).absoluteString]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0)
            return String(decoding: data, as: UTF8.self)
        }
        let dom = try run(["--dump-dom"])
        XCTAssertTrue(dom.contains(#"<form id="filters" class="filters" role="search""#), "the script revealed the filter")
        XCTAssertTrue(dom.contains("all \(Self.register.credentials.count) shown"), "the script counted the rows")
        _ = try run(["--screenshot=\(png)", "--window-size=1280,2400"])
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        XCTAssertEqual(Array(data.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG")
        XCTAssertGreaterThan(data.count, 60_000, "the screenshot looks empty")
    }
}
