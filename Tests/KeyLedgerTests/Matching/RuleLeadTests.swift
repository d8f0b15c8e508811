import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Rules whose matches all start with a long keyword group enter the Vectorscan database as that lead only; the
/// regex then runs anchored at each lead. The results must be those of the whole pattern.
final class RuleLeadTests: XCTestCase {
    func testLeadIsTheLeadingNonCapturingGroup() {
        XCTAssertEqual(RuleMatcher.lead(of: #"(?i:coinlayer)[\w.-]{0,20}["']?\s{0,5}(?:=|:)\s{0,5}["']?([a-f0-9]{32})\b"#), "(?i:coinlayer)")
        XCTAssertEqual(RuleMatcher.lead(of: #"(?:^|[^A-Za-z0-9])(?i:line[_ .-]?token)\s*=\s*([A-Za-z0-9]{40})"#),
                       "(?:^|[^A-Za-z0-9])(?i:line[_ .-]?token)")
        XCTAssertEqual(RuleMatcher.lead(of: #"\b(?i:(?:weatherstack|weather_stack))\W{0,5}([a-f0-9]{32})"#), #"\b(?i:(?:weatherstack|weather_stack))"#)
        // The capture itself, an optional group, or no group at all: no lead.
        XCTAssertNil(RuleMatcher.lead(of: #"(?:^|[^A-Za-z0-9_-])(sk-proj-[A-Za-z0-9_-]{74}T3BlbkFJ[A-Za-z0-9_-]{74})"#))
        XCTAssertNil(RuleMatcher.lead(of: #"(?i:acme)?[_.-]?token=([a-z0-9]{32})"#))
        XCTAssertNil(RuleMatcher.lead(of: #"\bhttps?://[^:@/\s]{1,64}:([^\s@]{8,128})@"#))
        XCTAssertNil(RuleMatcher.lead(of: #"(?i:(acme))token=([a-z0-9]{32})"#), "a capture inside the lead")
    }

    /// A rule with a lead finds what its whole pattern finds, in crowded text too: keyword mentions that are not
    /// assignments, several keys in one file, a key right after another match.
    func testLeadRuleFindsEveryMatchOfItsPattern() throws {
        let rule = Rule(id: "acme.api-key", name: "Acme", provider: "acme", kind: "api-key", description: "d",
                        pattern: #"(?i:acmeweather)[\w.-]{0,20}["']?\s{0,5}(?:=|:)\s{0,5}["']?([a-f0-9]{32})(?:[^a-f0-9]|$)"#,
                        keywords: ["acmeweather"], entropy: 3.0, validator: nil, decoder: nil, normalize: nil, precedence: 0,
                        context: nil, identity: RuleIdentity(reveals: "r"), privilege: "unknown", examples: [], negativeExamples: [],
                        source: "test")
        let matcher = try RuleMatcher(rules: [rule], cache: nil)
        var keys = CredentialFactory()
        let secrets = (0..<5).map { _ in keys.random(32, from: CredentialFactory.hexLower) }
        var text = String(repeating: "we use AcmeWeather for forecasts; acmeweather is great.\n", count: 200)
        for (i, secret) in secrets.enumerated() {
            text += "ACMEWEATHER_KEY_\(i)=\(secret)\n" + String(repeating: "acmeweather ", count: 30) + "\n"
        }
        text += "acmeweather_key: \"\(keys.random(32, from: CredentialFactory.hexLower))\" acmeweather_token=\(secrets[0])\n"
        let found = Array(text.utf8).withUnsafeBytes { matcher.matches(in: $0, workspace: matcher.makeWorkspace()) }
        let fingerprints = Set(found.map(\.secret.fingerprint))
        for secret in secrets { XCTAssertTrue(fingerprints.contains(Secret(secret).fingerprint), "a key after its lead is found") }
        XCTAssertEqual(found.count, 7)
    }
}
