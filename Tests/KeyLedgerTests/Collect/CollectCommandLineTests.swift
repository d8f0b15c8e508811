import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// `keyledger collect` as a cron job runs it: the admin key in the environment (or a key file), the base URL from
/// `--config`'s `endpoints:`; the key appears in no output, file name, saved page or error, even when the server
/// echoes it back.
final class CollectCommandLineTests: XCTestCase {
    /// An OpenAI replay whose project listing quotes the admin key in a name (a 200 that echoes what it was sent), and
    /// which answers 401 with the key in the body once `refuse` is set.
    final class EchoingServer: @unchecked Sendable {
        let lock = NSLock()
        var refuse = false
        let key: String
        init(key: String) { self.key = key }

        func answer(_ request: LocalHTTPServer.Request) -> LocalHTTPServer.Response {
            lock.lock(); let refusing = refuse; lock.unlock()
            if refusing {
                return .init(status: 401, body: #"{"error":{"message":"Incorrect API key provided: \#(key)","code":"invalid_api_key"}}"#)
            }
            let route = request.route
            if route.hasSuffix("/organization/projects") {
                return .init(status: 200, body: #"{"object":"list","data":[{"id":"proj_echo","object":"organization.project","name":"echo \#(key)","created_at":1711471533,"archived_at":null,"status":"active"}],"first_id":"proj_echo","last_id":"proj_echo","has_more":false}"#)
            }
            if route.contains("/usage/") || route.hasSuffix("/costs") {
                return .init(status: 200, body: #"{"object":"page","data":[],"has_more":false,"next_page":null}"#)
            }
            return .init(status: 200, body: #"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#)
        }
    }

    func testTheAdminKeyReachesTheServerAndNoOutputFileOrError() throws {
        var f = CredentialFactory()
        let key = f.openAIAdminKey()
        let echo = EchoingServer(key: key)
        let server = try LocalHTTPServer { echo.answer($0) }
        addTeardownBlock { server.stop() }
        let dir = try temporaryDirectory(self)
        try write("endpoints:\n  openai: \(server.baseURL)/openai\n", to: "keyledger.yml", in: dir)
        let out = dir + "/exports"
        let arguments = ["collect", "openai", "--out", out, "--config", dir + "/keyledger.yml", "--since", "2026-10-21", "--as-of", "2026-11-20"]

        // A complete pull: exit 0, a summary, and the key only in the requests' Authorization header.
        let ok = try runKeyledger(arguments, environment: ["OPENAI_ADMIN_KEY": key])
        XCTAssertEqual(ok.status, 0, scrubbed(ok.stderr, [key]))
        XCTAssertTrue(ok.stdout.hasPrefix("openai: 13 pages, 1 rows, 2026-10-21 to 2026-11-20, in \(out)/openai"), scrubbed(ok.stdout, [key]))
        XCTAssertTrue(ok.stdout.contains("/v1/organization/usage/completions"))
        XCTAssertFalse(server.requests.isEmpty)
        for request in server.requests { assertCarriesKey(request, header: "authorization", scheme: "Bearer ", key: key) }
        let files = CollectFixture.files(out)
        XCTAssertEqual(files.filter { $0.hasSuffix(".json") }.count, 13)
        for name in files {
            assertNoPlaintext(name, [key], "a file name")
            assertNoPlaintext(String(decoding: try Data(contentsOf: URL(fileURLWithPath: out + "/" + name)), as: UTF8.self), [key], name)
        }
        assertNoPlaintext(ok.stdout + ok.stderr, [key], "collect's output")

        // The key file route, readable by others: a warning that names the file, not the key.
        try write(key + "\n", to: "admin.key", in: dir)
        chmod(dir + "/admin.key", 0o644)
        let fromFile = try runKeyledger(arguments + ["--key-file", dir + "/admin.key"], environment: ["OPENAI_ADMIN_KEY": ""])
        XCTAssertEqual(fromFile.status, 0, scrubbed(fromFile.stderr, [key]))
        XCTAssertTrue(fromFile.stderr.contains("admin.key is readable by other users"), scrubbed(fromFile.stderr, [key]))
        assertNoPlaintext(fromFile.stdout + fromFile.stderr, [key], "collect's output with --key-file")

        // Refused, with the key quoted in the answer: exit 2, the endpoint and status named, the key nowhere.
        echo.lock.lock(); echo.refuse = true; echo.lock.unlock()
        let refused = try runKeyledger(arguments, environment: ["OPENAI_ADMIN_KEY": key])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("failed: GET /v1/organization/projects: HTTP 401"), scrubbed(refused.stderr, [key]))
        XCTAssertTrue(refused.stderr.contains("incomplete: 1 endpoint"), scrubbed(refused.stderr, [key]))
        assertNoPlaintext(refused.stdout + refused.stderr, [key], "collect's output on a 401")
        for name in CollectFixture.files(out) {
            assertNoPlaintext(String(decoding: try Data(contentsOf: URL(fileURLWithPath: out + "/" + name)), as: UTF8.self), [key], name)
        }

        // No key: a usage error that says where the key is read from.
        let missing = try runKeyledger(arguments, environment: ["OPENAI_ADMIN_KEY": ""])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("set OPENAI_ADMIN_KEY in the environment or pass --key-file"), missing.stderr)
    }

    func testLiteLLMWithoutAnAddressIsAUsageError() throws {
        let result = try runKeyledger(["collect", "litellm", "--out", try temporaryDirectory(self)], environment: ["LITELLM_MASTER_KEY": "sk-unused-master-key-0000"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("pass --url"), result.stderr)
    }
}
