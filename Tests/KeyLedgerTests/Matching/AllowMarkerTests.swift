import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// `keyledger:allow <reason>` on a line: the reason is mandatory and travels with the location.
final class AllowMarkerTests: XCTestCase {
    func testMarkersAreReadFromCommentsOfAnyLanguage() {
        let cases: [(String, AllowMarker?)] = [
            ("KEY=x  # keyledger:allow test fixture, never issued", .allowed(reason: "test fixture, never issued")),
            ("key = 'x' // keyledger:allow: documentation example", .allowed(reason: "documentation example")),
            ("key: x /* keyledger:allow - sample value for the tutorial */", .allowed(reason: "sample value for the tutorial")),
            ("<key>x</key> <!-- keyledger:allow demo estate -->", .allowed(reason: "demo estate")),
            ("\"key\": \"x\", \"_note\": \"keyledger:allow mock server key\"", .allowed(reason: "mock server key")),
            ("KEY=x # keyledger:allow", .missingReason),
            ("KEY=x # keyledger:allow    ", .missingReason),
            ("KEY=x # keyledger:allow -- */", .missingReason),
            ("KEY=x # keyledger:allowlist is elsewhere", nil),
            // Other scanners' bare markers are honoured, with a reason naming them; keyledger's own reason wins.
            ("KEY=x # gitleaks:allow", .allowed(reason: "gitleaks:allow marker")),
            ("KEY=x # betterleaks:allow", .allowed(reason: "betterleaks:allow marker")),
            ("KEY=x # gitleaks:allow keyledger:allow rotated on 2026-11-02", .allowed(reason: "rotated on 2026-11-02")),
            ("KEY=x # gitleaks:allowlist", nil),
        ]
        for (line, expected) in cases {
            let found = Array(line.utf8).withUnsafeBytes { AllowMarker.find(onLineOf: 0, in: $0) }
            XCTAssertEqual(found, expected, line)
        }
    }

    /// A marker inside one-line JSON is followed by the key itself: the reason must stop before it, and no output,
    /// nor the history store, may carry the key.
    func testTheAllowedKeyNeverBecomesPartOfTheReason() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.openAIProjectKey()
        let other = keys.anthropicAPIKey()
        try write("{\"comment\": \"keyledger:allow demo key for docs\", \"openai\": {\"api_key\": \"\(key)\"}}\n", to: "one-line.json", in: dir)
        try write("KEY=\(other) # keyledger:allow rotated already, was \(other) in 2025\n", to: "b.env", in: dir)
        // A reason cut at its length limit, a line cut at the search window, a key quoted in base64: none may leak a
        // piece of the key either.
        let cut = keys.openAIProjectKey(), window = keys.openAIProjectKey(), encoded = keys.openAIProjectKey()
        try write("\(cut) # keyledger:allow \(String(repeating: "a", count: 37)) \(cut)\n", to: "cut.env", in: dir)
        try write("\(window)\(String(repeating: " ", count: 3820)) # keyledger:allow note \(window)\n", to: "window.env", in: dir)
        let b64 = Data(encoded.utf8).base64EncodedString()
        try write("apiVersion: v1\nkind: Secret\nmetadata:\n  name: d\ndata:\n  OPENAI_API_KEY: \(b64) # keyledger:allow test \(b64)\n",
                  to: "secret.yaml", in: dir)
        let (_, register) = try scanRegister([dir])
        let pieces = [cut, window, encoded, b64].flatMap { [String($0.prefix(40)), String($0.dropFirst(40).prefix(40)), String($0.suffix(40))] }
        assertNoPlaintext(try JSONReporter.render(register), [cut, window, encoded, b64] + pieces, "reasons quoting keys, cut or encoded")
        XCTAssertEqual(register.credential(for: cut)?.locations.first?.allowed, "[…] \(Secret(cut).redacted)")
        let first = try XCTUnwrap(register.credential(for: key))
        XCTAssertEqual(first.status, .allowed)
        XCTAssertEqual(first.locations.first?.allowed, "demo key for docs")
        let second = try XCTUnwrap(register.credential(for: other))
        XCTAssertEqual(second.locations.first?.allowed, "rotated already, was \(second.redacted) in 2025",
                       "a key quoted in a reason is redacted")
        let store = dir + "/history.sqlite"
        let history = try HistoryStore.open(path: store)
        try history.record(register)
        history.close()
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: store + "-wal"))) ?? Data()
        let raw = String(decoding: try Data(contentsOf: URL(fileURLWithPath: store)) + wal, as: UTF8.self)
        assertNoPlaintext(try JSONReporter.render(register) + CSVReporter.render(register) + MarkdownReporter.render(register)
                          + SARIFReporter.render(register, rules: sharedMatcher.rules, baseline: nil) + raw, [key, other], "outputs with allow reasons")
    }

    func testOnlyTheMarkerOnTheMatchedLineCounts() {
        let text = "A=1 # keyledger:allow first line\nB=2\nC=3 # keyledger:allow third line\n"
        Array(text.utf8).withUnsafeBytes { bytes in
            XCTAssertEqual(AllowMarker.find(onLineOf: 0, in: bytes), .allowed(reason: "first line"))
            let second = text.utf8.distance(from: text.utf8.startIndex, to: text.range(of: "B=2")!.lowerBound.samePosition(in: text.utf8)!)
            XCTAssertNil(AllowMarker.find(onLineOf: second + 2, in: bytes))
            XCTAssertNil(AllowMarker.find(onLine: 2, in: bytes))
            XCTAssertEqual(AllowMarker.find(onLine: 3, in: bytes), .allowed(reason: "third line"))
            XCTAssertNil(AllowMarker.find(onLine: 9, in: bytes))
        }
    }

    func testAllowedFindingsCarryTheReasonAndMarkersWithoutOneDoNotAllow() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let allowed = keys.openAIProjectKey()
        let noReason = keys.anthropicAPIKey()
        let plain = keys.groqKey()
        try write("""
            OPENAI_API_KEY=\(allowed)  # keyledger:allow fixture for the integration tests
            ANTHROPIC_API_KEY=\(noReason)  # keyledger:allow
            # keyledger:allow a marker on the line above does not cover the next one
            GROQ_API_KEY=\(plain)

            """, to: "config/.env", in: dir)
        let entries = Inventory.build(try Scanner(matcher: sharedMatcher).run(ScanRequest(paths: [dir])).findings)
        func entry(_ secret: String) throws -> InventoryEntry { try XCTUnwrap(entries.first { $0.fingerprint == Secret(secret).fingerprint }) }

        let allowedLocation = try XCTUnwrap(entry(allowed).locations.first)
        XCTAssertEqual(allowedLocation.allowReason, "fixture for the integration tests")
        XCTAssertEqual(AllowMarker.status(of: try entry(allowed).locations), .allowed)

        let unreasoned = try XCTUnwrap(entry(noReason).locations.first)
        XCTAssertNil(unreasoned.allowReason)
        XCTAssertEqual(unreasoned.note, AllowMarker.missingReasonNote)
        XCTAssertEqual(AllowMarker.status(of: try entry(noReason).locations), .open)

        XCTAssertNil(try entry(plain).locations.first?.allowReason)
    }

    func testALocationIsAllowedOnlyWhenEveryOccurrenceIs() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.huggingFaceToken()
        try write("A = '\(key)'  # keyledger:allow sample\nB = '\(key)'\n", to: "app.py", in: dir)
        let entries = Inventory.build(try Scanner(matcher: sharedMatcher).run(ScanRequest(paths: [dir])).findings)
        XCTAssertEqual(entries.count, 1)
        XCTAssertNil(entries.first?.locations.first?.allowReason, "line 2 carries no marker")
    }

    func testAMarkerAddedAfterTheKeyWasCommittedDoesNotAllowItsHistory() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let fromTheStart = keys.perplexityKey()
        let later = keys.openRouterKey()
        let repo = try GitFixtureRepository(path: dir + "/r")
        try repo.commit(["a.env": "PPLX_API_KEY=\(fromTheStart) # keyledger:allow load-test stub\n",
                         "b.env": "OPENROUTER_API_KEY=\(later)\n"], message: "keys", date: "2026-01-01")
        try repo.commit(["b.env": "OPENROUTER_API_KEY=\(later) # keyledger:allow revoked already\n"], message: "mark", date: "2026-01-02")
        let entries = Inventory.build(try Scanner(matcher: sharedMatcher).run(ScanRequest(paths: [dir + "/r"])).findings)
        let first = try XCTUnwrap(entries.first { $0.fingerprint == Secret(fromTheStart).fingerprint })
        XCTAssertEqual(first.locations.map(\.allowReason), ["load-test stub"])
        let second = try XCTUnwrap(entries.first { $0.fingerprint == Secret(later).fingerprint })
        XCTAssertEqual(second.locations.map(\.allowReason), [nil], "the first commit exposed it without a marker")
    }
}
