import Foundation
import XCTest
@testable import KeyLedger
import KeyLedgerFixtures

/// A local server replaying the providers' documented answers for `collect` tests: `answer` serves the pages;
/// `faults` (per route, in order) are served first, so a test can put a 429 or a 500 before the real page; every
/// arrival is timed.
final class CollectReplay: @unchecked Sendable {
    typealias Response = LocalHTTPServer.Response
    private let lock = NSLock()
    private var faults: [String: [Response]] = [:]
    private var arrivals: [(route: String, at: Date)] = []
    private let answer: @Sendable (LocalHTTPServer.Request) -> Response
    private(set) var server: LocalHTTPServer!

    init(_ test: XCTestCase, answer: @escaping @Sendable (LocalHTTPServer.Request) -> Response) throws {
        self.answer = answer
        server = try LocalHTTPServer { [unowned self] request in self.handle(request) }
        let server = self.server!
        test.addTeardownBlock { server.stop() }
    }

    /// Serves `responses` to the next calls of `route` (the path the server sees, without query) before the answers.
    func fault(_ route: String, _ responses: Response...) {
        lock.lock(); faults[route, default: []] += responses; lock.unlock()
    }

    private func handle(_ request: LocalHTTPServer.Request) -> Response {
        lock.lock()
        arrivals.append((request.route, Date()))
        var fault: Response?
        if var queued = faults[request.route], !queued.isEmpty {
            fault = queued.removeFirst()
            faults[request.route] = queued
        }
        lock.unlock()
        return fault ?? answer(request)
    }

    var requests: [LocalHTTPServer.Request] { server.requests }
    func requests(_ route: String) -> [LocalHTTPServer.Request] { server.requests.filter { $0.route == route } }
    func arrivals(_ route: String) -> [Date] { lock.lock(); defer { lock.unlock() }; return arrivals.filter { $0.route == route }.map(\.at) }

    static func json(_ text: String) -> Response { Response(status: 200, body: text) }
    static let notFound = Response(status: 404, body: #"{"error":"not found"}"#)
}

/// The pieces every collect test shares.
enum CollectFixture {
    /// The day the tests stand on, and the first day they collect.
    static let today = ISODate.parse("2026-11-20")!
    static let since = ISODate.parse("2026-10-21")!
    /// Unix seconds of 2026-11-10 and 2026-11-11 00:00 UTC.
    static let day10: Int64 = 1_794_268_800
    static let day11: Int64 = 1_794_355_200

    /// Short waits so a test retries in milliseconds (429 still waits what Retry-After says, up to 5 s).
    static let fastPolicy = CollectRetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05, maxRetryAfter: 5, timeout: 3)

    /// keyledger.yml's `endpoints:` pointing `provider` at the replay server under `prefix`.
    static func config(_ provider: CollectProvider, _ replay: CollectReplay, prefix: String) throws -> KeyLedgerConfig {
        try KeyLedgerConfig.parse("endpoints:\n  \(provider.rawValue): \(replay.server.baseURL)/\(prefix)\n", source: "keyledger.yml")
    }

    /// Runs `collect` the way the CLI does: the base URL from `endpoints:`.
    static func collect(_ provider: CollectProvider, adminKey: String, replay: CollectReplay, prefix: String, out: String,
                        policy: CollectRetryPolicy = fastPolicy) throws -> CollectSummary {
        let base = try provider.base(endpoints: config(provider, replay, prefix: prefix).endpoints, url: nil)
        let request = CollectRequest(provider: provider, outputFolder: out, period: CollectPeriod(since: since), adminKey: Secret(adminKey),
                                     base: base, policy: policy, now: { today })
        return Collector.run(request)
    }

    /// Scans `envLine` in a folder with the collected exports: the run's outcome.
    static func scan(envLine: String, exports: String, in test: XCTestCase) throws -> ScanOutcome {
        let dir = try temporaryDirectory(test, "scan")
        try write(envLine, to: "app/.env", in: dir)
        var options = ScanOptions(request: ScanRequest(paths: [dir + "/app"], history: false))
        options.matcher = sharedMatcher
        options.exports = [exports]
        options.asOf = today
        options.generatedAt = today
        return try ScanPipeline.run(options)
    }

    /// The files under `folder`, relative to it, sorted.
    static func files(_ folder: String) -> [String] {
        ((try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    /// OpenAI's redaction of a key as observed in `redacted_value`: the first 8 characters, `*` for the middle, the
    /// last 4 (length kept).
    static func openAIRedaction(_ key: String) -> String {
        String(key.prefix(8)) + String(repeating: "*", count: key.count - 12) + String(key.suffix(4))
    }

    /// Anthropic's `partial_key_hint`: the first 16 characters, `...`, the last 4 (docs: `sk-ant-api03-R2D...igAA`).
    static func anthropicHint(_ key: String) -> String { String(key.prefix(16)) + "..." + String(key.suffix(4)) }
}

extension XCTestCase {
    /// The value of `header` on `request` carries `key` after `scheme` (compared by fingerprint, never printed).
    func assertCarriesKey(_ request: LocalHTTPServer.Request, header: String, scheme: String, key: String,
                          file: StaticString = #filePath, line: UInt = #line) {
        let value = request.headers[header] ?? ""
        XCTAssertTrue(value.hasPrefix(scheme), "\(header) does not start with `\(scheme)`", file: file, line: line)
        XCTAssertEqual(Secret(String(value.dropFirst(scheme.count))).fingerprint, Secret(key).fingerprint,
                       "\(header) of \(request.route) does not carry the admin key", file: file, line: line)
    }
}
