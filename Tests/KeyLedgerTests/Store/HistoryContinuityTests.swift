import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// Ids and due dates the store gave once stay what they were, so the weekly report's counts add up and a due date
/// is the same in every output of one store.
final class HistoryContinuityTests: XCTestCase {
    func run(_ paths: [String], exports: [String], store: String, asOf: String) throws -> Register {
        var options = ScanOptions(request: ScanRequest(paths: paths))
        options.matcher = sharedMatcher
        options.exports = exports
        options.storePath = store
        options.asOf = ISODate.parse(asOf)!
        options.generatedAt = options.asOf
        options.configuration = KeyLedgerConfig()
        return try ScanPipeline.run(options).register
    }

    func testAProviderListedKeyFoundLaterKeepsItsIdAndTheReportCountsNoChurn() throws {
        var keys = CredentialFactory(seed: 0xC0471)
        let pair = keys.awsKeyPair()
        let dir = try temporaryDirectory(self)
        try write("""
        {"AccessKeyMetadata":[{"AccessKeyId":"\(pair.id)","CreateDate":"2026-01-05T10:00:00+00:00","Status":"Active","UserName":"deployer"}]}
        """, to: "exports/aws-list-access-keys.json", in: dir)
        try write("nothing here\n", to: "app/README.md", in: dir)
        let store = dir + "/history.sqlite"

        // Week 1: the provider lists the key; no scanned source holds it.
        let week1 = try run([dir + "/app"], exports: [dir + "/exports"], store: store, asOf: "2026-11-13")
        XCTAssertEqual(week1.credentials.count, 1)
        let listed = try XCTUnwrap(week1.credentials.first)
        XCTAssertNil(listed.fingerprint)

        // Week 2: the pair is committed; the found credential links to the listed key by its id.
        try write("AWS_ACCESS_KEY_ID=\(pair.id)\nAWS_SECRET_ACCESS_KEY=\(pair.secret)\n", to: "app/.env", in: dir)
        let week2 = try run([dir + "/app"], exports: [dir + "/exports"], store: store, asOf: "2026-11-20")
        let found = try XCTUnwrap(week2.credential(for: pair.secret))
        XCTAssertEqual(found.id, listed.id, "the same key keeps its id when its secret turns up")
        XCTAssertEqual(week2.credentials.map(\.id).filter { $0 == listed.id }.count, 1)

        let report = try HistoryStore.openExisting(path: store).withClose {
            try WeeklyReport.build(store: $0, asOf: "2026-11-20", periodDays: 7)
        }
        XCTAssertEqual(report.newCredentials.count, 0, "found-after-listed is not new")
        XCTAssertEqual(report.resolved.count, 0, "and its listed row did not vanish")

        // Week 3: the id stays the listed one (not the fingerprint's).
        let week3 = try run([dir + "/app"], exports: [dir + "/exports"], store: store, asOf: "2026-11-27")
        XCTAssertEqual(week3.credential(for: pair.secret)?.id, listed.id)
    }

    func testATreatmentKeepsTheFirstDueDateItWasGiven() throws {
        var keys = CredentialFactory(seed: 0xD0E)
        let key = keys.openAIProjectKey()
        let dir = try temporaryDirectory(self)
        try write("OPENAI_API_KEY=\(key)\n", to: "app/.env", in: dir)
        let store = dir + "/history.sqlite"
        let first = try run([dir + "/app"], exports: [], store: store, asOf: "2026-11-13")
        let firstDue = try XCTUnwrap(first.credential(for: key)?.treatment.first?.due)
        // Medium (35–59 points) is due 30 days after the scan that first raised it.
        XCTAssertEqual(first.credential(for: key)?.risk.severity, .medium)
        XCTAssertEqual(firstDue, "2026-12-13")
        let later = try run([dir + "/app"], exports: [], store: store, asOf: "2026-11-20")
        XCTAssertEqual(later.credential(for: key)?.treatment.first?.due, firstDue, "the due date does not slide with the scan")
        let exported = try HistoryStore.openExisting(path: store).withClose { try $0.register(of: try XCTUnwrap($0.latestScan())) }
        XCTAssertEqual(exported.credential(for: key)?.treatment.first?.due, firstDue, "the store's register says the same")
    }
}

extension HistoryStore {
    func withClose<T>(_ body: (HistoryStore) throws -> T) rethrows -> T {
        defer { close() }
        return try body(self)
    }
}
