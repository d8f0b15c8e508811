import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Baselines: accepted credentials stay in the register as `suppressed` until their entry expires.
final class BaselineTests: XCTestCase {
    let today = ISODate.parse("2026-11-20")!

    func testRecordingWritesASortedReviewableFileKeyedByFingerprintWithoutSecrets() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let secrets = [keys.openAIProjectKey(), keys.anthropicAPIKey(), keys.groqKey()]
        try write("OPENAI_API_KEY=\(secrets[0])\nANTHROPIC_API_KEY=\(secrets[1])\n", to: "svc/.env", in: dir)
        try write("GROQ_API_KEY=\(secrets[2])\n", to: "jobs/groq.env", in: dir)
        let (_, register) = try scanRegister([dir])

        let baseline = Baseline.record(register, defaults: .init(reason: "rotation planned in Q1", owner: "team-ml"), asOf: today)
        XCTAssertEqual(Set(baseline.credentials.keys), Set(secrets.map { Secret($0).fingerprint }))
        let entry = try XCTUnwrap(baseline.credentials[Secret(secrets[0]).fingerprint])
        XCTAssertEqual(entry.reason, "rotation planned in Q1")
        XCTAssertEqual(entry.owner, "team-ml")
        XCTAssertEqual(entry.expires, "2027-02-18", "90 days after the day it was recorded")
        XCTAssertEqual(entry.firstSeen, "2026-11-20")
        XCTAssertEqual(entry.paths, ["svc/.env"])
        XCTAssertEqual(entry.rule, "openai.project-key")
        XCTAssertEqual(entry.redacted, Secret(secrets[0]).redacted)

        let text = try baseline.rendered()
        assertNoPlaintext(text, secrets, "baseline file")
        let fingerprintsInFileOrder = text.split(separator: "\n").compactMap { line -> String? in
            guard let r = line.range(of: "\"sha256:") else { return nil }
            return String(line[r.lowerBound...].dropFirst().prefix(71))
        }
        XCTAssertEqual(fingerprintsInFileOrder, fingerprintsInFileOrder.sorted(), "entries are sorted by fingerprint")
        XCTAssertTrue(text.contains("\"schema\" : \"keyledger.baseline/v1\""))

        let file = dir + "/baseline.json"
        try baseline.write(to: file)
        XCTAssertEqual(try Baseline.load(path: file), baseline)
    }

    func testDefaultsNameTheOwnerFromTheRegisterAndAskForAReason() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        try write("HF_TOKEN=\(keys.huggingFaceToken())\n", to: ".env", in: dir)
        let (_, register) = try scanRegister([dir])
        let entry = try XCTUnwrap(Baseline.record(register, defaults: .init(expiresInDays: 30), asOf: today).credentials.values.first)
        XCTAssertEqual(entry.owner, "unassigned")
        XCTAssertTrue(entry.reason.contains("say why it is accepted"))
        XCTAssertEqual(entry.expires, "2026-12-20")
    }

    func testBaselinedCredentialsAreSuppressedKeptAndDoNotBlock() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let accepted = keys.perplexityKey()
        let fresh = keys.openRouterKey()
        try write("PPLX_API_KEY=\(accepted)\n", to: "a.env", in: dir)
        let (_, before) = try scanRegister([dir])
        let baseline = Baseline.record(before, defaults: .init(reason: "sandbox key, 5 USD cap", owner: "team-search"), asOf: today)

        try write("OPENROUTER_API_KEY=\(fresh)\n", to: "b.env", in: dir)
        var (_, register) = try scanRegister([dir])
        let outcome = baseline.apply(to: &register, asOf: today)
        XCTAssertEqual(outcome, Baseline.Outcome(suppressed: 1, expired: 0, newLocations: 0))
        let suppressed = try XCTUnwrap(register.credential(for: accepted))
        XCTAssertEqual(suppressed.status, .suppressed)
        XCTAssertTrue(suppressed.notes.contains("accepted in the baseline until 2027-02-18 by team-search: sandbox key, 5 USD cap"))
        XCTAssertEqual(register.credential(for: fresh)?.status, .open)
        XCTAssertEqual(register.credentials.count, 2, "accepted risk stays in the register")
        XCTAssertEqual(PreCommitReporter.blocking(register).map(\.fingerprint), [Secret(fresh).fingerprint])
    }

    func testAnExpiredEntryComesBackAsOpen() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.deepSeekKey()
        try write("DEEPSEEK_API_KEY=\(key)\n", to: ".env", in: dir)
        let (_, first) = try scanRegister([dir])
        let baseline = Baseline.record(first, defaults: .init(reason: "demo", owner: "dx", expiresInDays: 10), asOf: today)

        let later = ISODate.parse("2026-11-30")!
        var (_, register) = try scanRegister([dir], asOf: "2026-11-30")
        XCTAssertEqual(baseline.apply(to: &register, asOf: later).expired, 1)
        let record = try XCTUnwrap(register.credential(for: key))
        XCTAssertEqual(record.status, .open)
        XCTAssertTrue(record.notes.contains { $0.hasPrefix("baseline acceptance expired on 2026-11-30") })

        var (_, dayBefore) = try scanRegister([dir], asOf: "2026-11-29")
        baseline.apply(to: &dayBefore, asOf: ISODate.parse("2026-11-29")!)
        XCTAssertEqual(dayBefore.credential(for: key)?.status, .suppressed, "still accepted the day before it expires")
    }

    func testANewLocationOfABaselinedSecretIsStillSuppressedButListed() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let key = keys.googleAPIKey()
        try write("GOOGLE_API_KEY=\(key)\n", to: "web/.env", in: dir)
        let (_, first) = try scanRegister([dir])
        let baseline = Baseline.record(first, defaults: .init(reason: "browser key restricted by referrer", owner: "web"), asOf: today)

        try write("maps:\n  key: \(key)\n", to: "mobile/config.yaml", in: dir)
        var (_, register) = try scanRegister([dir])
        XCTAssertEqual(baseline.apply(to: &register, asOf: today).newLocations, 1)
        let record = try XCTUnwrap(register.credential(for: key))
        XCTAssertEqual(record.status, .suppressed)
        XCTAssertEqual(Set(record.locations.map(\.path)), ["web/.env", "mobile/config.yaml"])
        XCTAssertTrue(record.notes.contains { $0.hasPrefix("found where the baseline does not list it: mobile/config.yaml") })
    }

    func testUpdateKeepsReasonsOfEntriesStillFoundAndDropsTheGoneOnes() throws {
        let dir = try temporaryDirectory(self)
        var keys = CredentialFactory()
        let staying = keys.anthropicAdminKey()
        let leaving = keys.replicateToken()
        let arriving = keys.openAIServiceAccountKey()
        try write("ANTHROPIC_ADMIN_KEY=\(staying)\n", to: "ops/admin.env", in: dir)
        try write("REPLICATE_API_TOKEN=\(leaving)\n", to: "ml/replicate.env", in: dir)
        let (_, first) = try scanRegister([dir])
        var baseline = Baseline.record(first, defaults: .init(owner: "platform"), asOf: today)
        // A reviewer writes the real reason into the file.
        baseline.credentials[Secret(staying).fingerprint]?.reason = "break-glass key in the vault runbook"

        try FileManager.default.removeItem(atPath: dir + "/ml/replicate.env")
        try write("OPENAI_API_KEY=\(arriving)\n", to: "svc/openai.env", in: dir)
        try write("ANTHROPIC_ADMIN_KEY=\(staying)\n", to: "ops/moved.env", in: dir)
        try FileManager.default.removeItem(atPath: dir + "/ops/admin.env")
        let later = ISODate.parse("2026-12-01")!
        let (_, second) = try scanRegister([dir], asOf: "2026-12-01")
        let (updated, summary) = baseline.updated(with: second, defaults: .init(reason: "new, under review", owner: "svc"), asOf: later)

        XCTAssertEqual(summary, Baseline.UpdateSummary(kept: 1, added: 1, dropped: 1))
        XCTAssertNil(updated.credentials[Secret(leaving).fingerprint], "a credential no longer found is dropped")
        let kept = try XCTUnwrap(updated.credentials[Secret(staying).fingerprint])
        XCTAssertEqual(kept.reason, "break-glass key in the vault runbook")
        XCTAssertEqual(kept.owner, "platform")
        XCTAssertEqual(kept.expires, "2027-02-18", "an update does not extend an acceptance")
        XCTAssertEqual(kept.firstSeen, "2026-11-20")
        XCTAssertEqual(kept.lastSeen, "2026-12-01")
        XCTAssertEqual(kept.paths, ["ops/moved.env"])
        let added = try XCTUnwrap(updated.credentials[Secret(arriving).fingerprint])
        XCTAssertEqual(added.reason, "new, under review")
        XCTAssertEqual(added.owner, "svc")
        XCTAssertEqual(added.expires, "2027-03-01")
    }

    func testBrokenFilesAreRejectedWithThePathAndWhatIsWrong() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/baseline.json"
        try "{ not json".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Baseline.load(path: path)) { XCTAssertEqual("\($0)", "\(path): not a keyledger baseline: not valid JSON") }

        try #"{"schema": "keyledger.baseline/v1"}"#.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Baseline.load(path: path)) { XCTAssertEqual("\($0)", "\(path): not a keyledger baseline: credentials is missing") }

        let fingerprint = "sha256:" + String(repeating: "ab", count: 32)
        func entry(expires: String, reason: String = "ok") -> String {
            #"{"schema": "keyledger.baseline/v1", "credentials": {"\#(fingerprint)": {"redacted": "sk-…abcd", "provider": "openai", "rule": null, "paths": [], "reason": "\#(reason)", "owner": "o", "expires": "\#(expires)", "first_seen": "2026-01-01", "last_seen": "2026-01-01"}}}"#
        }
        try entry(expires: "next year").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Baseline.load(path: path)) {
            XCTAssertEqual("\($0)", "\(path): sha256:abababababab… (sk-…abcd): expires must be a day from 1970-01-01 to 9999-12-31 "
                + "written YYYY-MM-DD, like 2027-02-18 (value not shown)")
        }
        try entry(expires: "2027-01-01", reason: " ").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Baseline.load(path: path)) { XCTAssertTrue("\($0)".contains("reason is empty")) }
        try entry(expires: "2027-01-01").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Baseline.load(path: path).credentials[fingerprint]?.expires, "2027-01-01")
        XCTAssertThrowsError(try Baseline.load(path: dir + "/missing.json")) { XCTAssertTrue("\($0)".hasPrefix(dir + "/missing.json: cannot read")) }
    }
}
