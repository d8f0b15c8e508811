import XCTest
@testable import KeyLedger

/// The governance outputs people read, pinned against committed files.
/// Regenerate on purpose: `KEYLEDGER_UPDATE_GOLDEN=1 swift test --filter RegisterGoldenTests`.
final class RegisterGoldenTests: XCTestCase {

    /// A fixed register: no scan, no clock, no randomness.
    static var register: Register {
        func factor(_ id: String, _ points: Int, _ reason: String) -> RiskFactor { RiskFactor(id: id, points: points, reason: reason) }
        let abused = CredentialRecord(
            id: "kl_1111111111111111", fingerprint: "sha256:" + String(repeating: "a", count: 64), redacted: "ABSK…Tg==",
            provider: "aws", kind: "bedrock-api-key", rule: "aws.bedrock-long-term-key",
            identity: Identity(keyId: nil, name: "BedrockAPIKey-x1y2", principal: "arn:aws:iam::123456789012:user/BedrockAPIKey-x1y2"),
            owner: Owner(team: "ml-platform", contact: "ml@acme.example", source: "owners-file", costCentre: "CC-2077"),
            exposure: Exposure(firstSeen: "2026-10-28", lastSeen: "2026-11-20", inHead: true, locationsCount: 1, repositories: 1),
            locations: [LocationRecord(kind: "git", repository: "ml-platform", path: "infra/bedrock.env", line: 1, commit: "abc123",
                                       author: "Devin AI <bot@example.org>", date: "2026-10-28T12:00:00Z")],
            created: nil, ageDays: 23, lastUsed: nil,
            usage: Usage(spend30d: 2429.2, spend7d: 700, requests30d: 0, tokens30d: 0, currency: "USD", link: "exact: IAM principal"),
            privilege: Privilege(level: "write", scopes: ["AmazonBedrockLimitedAccess"]),
            risk: Risk(score: 100, severity: "critical", factors: [
                factor("exposure.git-head", 40, "in HEAD of ml-platform: anyone who can read the repository has it"),
                factor("spend.anomaly-after-exposure", 40, "daily spend rose 27× after the key appeared in a repository on 2026-10-28"),
                factor("privilege.write", 10, "can create, change or delete provider resources"),
                factor("spend.level", 10, "2429.20 USD in 30 days (high ≥ 1000)"),
            ]),
            controls: ["OWASP-NHI:NHI2", "NIST-CSF-2.0:DE.CM-06"],
            treatment: [Treatment(action: "investigate-abuse", due: "2026-11-21"), Treatment(action: "revoke", due: "2026-11-21")],
            status: "open")
        let hostile = CredentialRecord(
            id: "kl_2222222222222222", fingerprint: "sha256:" + String(repeating: "b", count: 64), redacted: "-----BEGIN PRIVATE KEY-----…xq==",
            provider: "generic", kind: "private-key", rule: "generic.private-key", identity: Identity(),
            owner: Owner(team: nil, contact: "=HYPERLINK(\"x\") <a@b>", source: "git-author"),
            exposure: Exposure(firstSeen: "2026-01-02", lastSeen: "2026-03-04", inHead: false, locationsCount: 1, repositories: 1),
            locations: [LocationRecord(kind: "git", repository: "svc", path: "keys/a|b <x>.pem", line: 3, commit: "def456", author: "x", date: nil)],
            created: nil, ageDays: 322, lastUsed: nil, usage: .none, privilege: Privilege(level: "unknown"),
            risk: Risk(score: 40, severity: "medium", factors: [
                factor("exposure.git-history", 30, "removed from HEAD (last present 2026-03-04) but still in git history; exposed until rotated"),
                factor("ownership.none", 10, "no team owner; fallback contact =HYPERLINK(\"x\") <a@b> (git-author)"),
                factor("privilege.unknown", 5, "privilege unknown"),
            ]),
            controls: ["OWASP-NHI:NHI2"], treatment: [Treatment(action: "rotate", due: "2026-12-20")], status: "open")
        return Register(generatedAt: "2026-11-20T00:00:00Z", asOf: "2026-11-20",
                        scan: ScanSummary(targets: ["estate/ml-platform", "estate/svc"], commits: 12, blobs: 30, files: 4, bytes: 1000,
                                          durationMs: 5, skipped: [:], problems: [], rules: 50, exports: nil),
                        summary: Summary(credentials: 2, bySeverity: ["critical": 1, "high": 0, "medium": 1, "low": 0],
                                         spend30d: 2429.2, currency: "USD", attributedSpendRatio: 1),
                        credentials: [abused, hostile])
    }


    func testCSV() throws {
        let csv = CSVReporter.render(Self.register)
        try assertGolden(csv, "register.csv")
        let header = csv.split(separator: "\r\n").first.map(String.init)
        XCTAssertEqual(header, CSVReporter.columns.joined(separator: ","))
        XCTAssertTrue(csv.contains("'=HYPERLINK"), "formula injection is neutralised")
        XCTAssertEqual(CSVParser.parse(csv).map(\.count), Array(repeating: CSVReporter.columns.count, count: 3))
    }

    func testMarkdown() throws {
        let md = MarkdownReporter.render(Self.register)
        try assertGolden(md, "register.md")
        XCTAssertTrue(md.contains("**1 critical credential, $2,429 of 30-day spend at risk, 100% of spend attributed to a team.**"))
        XCTAssertFalse(md.contains("<x>"), "hostile path text is escaped")
        XCTAssertTrue(md.contains("a\\|b"))
    }
}
