import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// The pieces of `collect` that need no server: waits, the admin key's sources, how pages are saved.
final class CollectPolicyTests: XCTestCase {
    func testRetryAfterSecondsAndHTTPDateAreHonouredAndCapped() {
        let policy = CollectRetryPolicy(maxRetryAfter: 60)
        let now = Date(timeIntervalSince1970: 1_794_268_800) // Tue, 10 Nov 2026 00:00:00 GMT
        XCTAssertEqual(policy.retryAfter("7", now: now), 7)
        XCTAssertEqual(policy.retryAfter(" 0 ", now: now), 0)
        XCTAssertEqual(policy.retryAfter("3600", now: now), 60, "capped")
        // RFC 9110's IMF-fixdate, and the obsolete RFC 850 and asctime forms.
        XCTAssertEqual(policy.retryAfter("Tue, 10 Nov 2026 00:00:20 GMT", now: now), 20)
        XCTAssertEqual(policy.retryAfter("Tuesday, 10-Nov-26 00:00:30 GMT", now: now), 30)
        XCTAssertEqual(policy.retryAfter("Tue Nov 10 00:00:40 2026", now: now), 40)
        XCTAssertEqual(policy.retryAfter("Mon, 09 Nov 2026 23:00:00 GMT", now: now), 0, "a date passed: no wait")
        XCTAssertNil(policy.retryAfter("soon", now: now))
        XCTAssertNil(policy.retryAfter(nil, now: now))
        XCTAssertNil(policy.retryAfter("-5", now: now))
    }

    func testBackoffIsFullJitterUnderAnExponentialCeiling() {
        let policy = CollectRetryPolicy(baseDelay: 1, maxDelay: 30)
        XCTAssertEqual(policy.backoff(after: 1, unit: 0.999), 0.999, accuracy: 1e-9)
        XCTAssertEqual(policy.backoff(after: 3, unit: 0.5), 2, accuracy: 1e-9, "ceiling 4 s on the third")
        XCTAssertEqual(policy.backoff(after: 10, unit: 0.5), 15, accuracy: 1e-9, "ceiling capped at 30 s")
        XCTAssertEqual(policy.backoff(after: 4, unit: 0), 0)
    }

    func testAdminKeyComesFromTheEnvironmentOrAFileNeverEmpty() throws {
        var f = CredentialFactory()
        let key = f.openAIAdminKey()
        let fromEnvironment = try CollectAdminKey.load(.openai, environment: ["OPENAI_ADMIN_KEY": key + "\n"], keyFile: nil)
        XCTAssertEqual(fromEnvironment.key.fingerprint, Secret(key).fingerprint)
        XCTAssertThrowsError(try CollectAdminKey.load(.anthropic, environment: ["OPENAI_ADMIN_KEY": key], keyFile: nil)) { error in
            XCTAssertTrue("\(error)".contains("ANTHROPIC_ADMIN_KEY"))
        }
        let dir = try temporaryDirectory(self)
        let file = dir + "/admin.key"
        try write(key + "\n", to: "admin.key", in: dir)
        chmod(file, 0o644)
        let loose = try CollectAdminKey.load(.openai, environment: [:], keyFile: file)
        XCTAssertEqual(loose.key.fingerprint, Secret(key).fingerprint)
        XCTAssertEqual(loose.warnings.count, 1)
        XCTAssertTrue(loose.warnings.first?.contains("chmod 600") ?? false)
        chmod(file, 0o600)
        XCTAssertEqual(try CollectAdminKey.load(.openai, environment: [:], keyFile: file).warnings, [])
        try write("\(key)\nsecond line\n", to: "two.key", in: dir)
        XCTAssertThrowsError(try CollectAdminKey.load(.openai, environment: [:], keyFile: dir + "/two.key")) { error in
            assertNoPlaintext("\(error)", [key], "the error")
        }
        XCTAssertThrowsError(try CollectAdminKey.load(.litellm, environment: ["LITELLM_MASTER_KEY": "  "], keyFile: nil))
    }

    func testSavedPagesKeepTheAnswerAddOnlyTheProjectAndNeverTheKey() throws {
        let page = Data(#"  {"object":"list","data":[]}"#.utf8)
        let stamped = CollectSession.stamped(page, [("project_id", "proj_abc")])
        XCTAssertEqual(String(decoding: stamped, as: UTF8.self), #"  {"project_id":"proj_abc","object":"list","data":[]}"#)
        XCTAssertEqual(String(decoding: CollectSession.stamped(Data("{ }".utf8), [("project_id", "p")]), as: UTF8.self), #"{"project_id":"p" }"#)
        XCTAssertEqual(CollectSession.stamped(Data("[1]".utf8), [("project_id", "p")]), Data("[1]".utf8), "only objects are stamped")

        var f = CredentialFactory()
        let key = f.openAIAdminKey()
        let echoed = Data(#"{"data":[{"name":"\#(key)"}],"note":"\#(key)"}"#.utf8)
        let scrubbed = String(decoding: CollectSession.scrubbed(echoed, Secret(key)), as: UTF8.self)
        assertNoPlaintext(scrubbed, [key], "the saved page")
        XCTAssertEqual(scrubbed.components(separatedBy: Secret(key).redacted).count, 3)
        XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(scrubbed.utf8)), "still JSON")
        // A changed name carries its hash: ids that read alike never share a file.
        XCTAssertEqual(CollectSession.fileStem("project-proj/../x y"), "project-proj_.._x_y-" + String(SHA256.hex("project-proj/../x y").prefix(8)))
        XCTAssertEqual(CollectSession.fileStem("project-proj_abc-api-keys"), "project-proj_abc-api-keys", "a clean name stays as it is")
        XCTAssertNotEqual(CollectSession.fileStem("project-proj_\u{e9}"), CollectSession.fileStem("project-proj_\u{fc}"))
        XCTAssertFalse(CollectSession.fileStem("..").hasPrefix("."), "never a hidden or parent name")
        XCTAssertEqual(CollectSession.segment(".."), "%2E%2E")
        XCTAssertEqual(CollectSession.segment("proj_a.b"), "proj_a.b")
        // An echo escaped in JSON (`\u0073k-…`, `\/`) is the key once read: replaced in every decoded string.
        var more = CredentialFactory(seed: 903)
        let admin = more.openAIAdminKey()
        let escaped = Data(#"{"data":[{"id":"proj_x","name":"\#("\\u0073" + admin.dropFirst())"}],"has_more":false}"#.utf8)
        let clean = CollectSession.scrubbed(escaped, Secret(admin))
        let decoded = try XCTUnwrap(try JSONSerialization.jsonObject(with: clean) as? [String: Any])
        XCTAssertFalse(String(describing: decoded).contains(admin), "the escaped echo survived")
        XCTAssertEqual(((decoded["data"] as? [[String: Any]])?.first?["id"]) as? String, "proj_x")
    }

    func testNextPageFollowsEachAPIsCursor() {
        let list: [String: Any] = ["object": "list", "data": [["id": "a"]], "has_more": true, "last_id": "a"]
        XCTAssertEqual(CollectSession.next(after: list, paging: .cursor(param: "after", field: "last_id"), page: 1)?.first?.1, "a")
        XCTAssertNil(CollectSession.next(after: ["has_more": false, "last_id": "a"], paging: .cursor(param: "after", field: "last_id"), page: 1))
        XCTAssertEqual(CollectSession.next(after: ["has_more": true, "next_page": "page_x"], paging: .nextPage, page: 1)?.first?.1, "page_x")
        XCTAssertNil(CollectSession.next(after: ["has_more": true, "next_page": NSNull()], paging: .nextPage, page: 1))
        XCTAssertEqual(CollectSession.next(after: ["keys": ["t"], "total_pages": 3], paging: .numbered(param: "page"), page: 2)?.first?.1, "3")
        XCTAssertNil(CollectSession.next(after: ["keys": ["t"], "total_pages": 3], paging: .numbered(param: "page"), page: 3))
        XCTAssertNil(CollectSession.next(after: ["keys": [], "total_pages": 9], paging: .numbered(param: "page"), page: 1), "an empty page ends")
    }
}
