import Foundation

/// `keyledger collect`: pulls a provider's admin API into export files, page by page, in the shapes `scan --exports`
/// reads, so that a cron job can run `collect` and then `scan --db`, and an auditor can keep the raw answers.
///
/// Each endpoint is paged to its end (`CollectRetryPolicy` for 429, 5xx and timeouts); every page is written as it
/// arrives (atomically, `<out>/<provider>/<endpoint>-page-0001.json`), so a run that fails part-way keeps what it
/// fetched. The summary says pages and rows per endpoint, the period, and what failed (the endpoint's path and status,
/// never a header, key or answer body). The admin key goes only into the request headers.

/// The admin APIs `collect` reads.
public enum CollectProvider: String, Sendable, CaseIterable {
    case openai, anthropic, litellm

    /// The environment variable holding the admin key.
    public var keyVariable: String {
        switch self {
        case .openai: return "OPENAI_ADMIN_KEY"
        case .anthropic: return "ANTHROPIC_ADMIN_KEY"
        case .litellm: return "LITELLM_MASTER_KEY"
        }
    }

    /// The `endpoints:` name its base URL is configured under.
    public var endpointName: String { rawValue }

    /// Where to send the admin key: `url` (LiteLLM's `--url`), else `endpoints:`, else the official host. LiteLLM has
    /// no official host. Only addresses `ValidationEndpoints.baseURL` accepts (https, or http to the loopback host).
    public func base(endpoints: ValidationEndpoints, url: String?) throws -> URL {
        if let url {
            guard let parsed = ValidationEndpoints.baseURL(url) else {
                // The text is not repeated: a URL may carry a password.
                throw CollectError("--url must be an https:// address (http only to 127.0.0.1 or localhost) without user, password, query or fragment")
            }
            return parsed
        }
        if let base = endpoints.base(for: endpointName) { return base }
        throw CollectError("LiteLLM has no default address: pass --url https://your-proxy or set endpoints.litellm in keyledger.yml")
    }

    /// The headers that carry the admin key, and the ones the API asks for.
    func headers(for key: Secret) -> [String: String] {
        switch self {
        case .openai, .litellm: return ["Authorization": "Bearer " + key.value, "Accept": "application/json"]
        case .anthropic: return ["x-api-key": key.value, "anthropic-version": "2023-06-01", "Accept": "application/json"]
        }
    }
}

/// A `collect` error for the command line: what is wrong and what to do, never a key.
public struct CollectError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The admin key, from the environment or a file: never from the command line, where other users (`ps`) and shell
/// history see it.
public enum CollectAdminKey {
    /// Largest key file read.
    static let maxFileBytes = 64 << 10

    /// The key from `keyFile` when given (its content, trimmed), else from the provider's environment variable;
    /// warnings for a key file others may read.
    public static func load(_ provider: CollectProvider, environment: [String: String], keyFile: String?)
        throws -> (key: Secret, warnings: [String]) {
        var warnings: [String] = []
        let text: String
        if let keyFile {
            var st = stat()
            guard stat(keyFile, &st) == 0 else { throw CollectError("\(keyFile): cannot read the key file (\(String(cString: strerror(errno))))") }
            guard st.st_mode & S_IFMT == S_IFREG else { throw CollectError("\(keyFile): the key file must be a regular file") }
            guard Int(st.st_size) <= maxFileBytes, let data = FileManager.default.contents(atPath: keyFile) else {
                throw CollectError("\(keyFile): cannot read the key file (or it is larger than 64 KiB)")
            }
            if st.st_mode & 0o044 != 0 {
                warnings.append("\(keyFile) is readable by other users (mode \(String(st.st_mode & 0o777, radix: 8))): chmod 600 it")
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            guard let value = environment[provider.keyVariable], !value.isEmpty else {
                throw CollectError("no admin key: set \(provider.keyVariable) in the environment or pass --key-file FILE "
                                   + "(never the key itself on the command line)")
            }
            text = value
        }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let source = keyFile ?? provider.keyVariable
        if key.isEmpty { throw CollectError("\(source) holds no key") }
        if key.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw CollectError("\(source) must hold the admin key alone, on one line")
        }
        return (Secret(key), warnings)
    }
}

/// The days a run asks for: from `since` (00:00 UTC) through `until` (inclusive; nil = today).
public struct CollectPeriod: Sendable, Equatable {
    public var since: Date
    public var until: Date?
    public init(since: Date, until: Date? = nil) { self.since = since; self.until = until }

    /// The default window: the 30 days before `today` and today, the register's 30-day spend window.
    public static func lastThirtyDays(before today: Date) -> CollectPeriod {
        CollectPeriod(since: midnight(today, plusDays: -30))
    }

    /// The last day asked for.
    func lastDay(today: Date) -> Date { Self.midnight(until ?? today) }
    /// Exclusive end: the midnight after the last day, when `until` is given.
    var end: Date? { until.map { Self.midnight($0, plusDays: 1) } }
    /// 00:00 UTC of `date`'s day, moved by `days`.
    static func midnight(_ date: Date, plusDays days: Int = 0) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400 + Double(days) * 86_400)
    }
}

/// What one `collect` run asks for.
public struct CollectRequest: Sendable {
    public var provider: CollectProvider
    /// The folder the provider's folder is written under (`exports/` → `exports/openai/…`).
    public var outputFolder: String
    public var period: CollectPeriod
    public var adminKey: Secret
    public var base: URL
    public var policy: CollectRetryPolicy
    public var transport: any HTTPTransport
    /// Told what is being fetched (a terminal's progress line).
    public var progress: (@Sendable (String) -> Void)?
    public var now: @Sendable () -> Date

    public init(provider: CollectProvider, outputFolder: String, period: CollectPeriod, adminKey: Secret, base: URL,
                policy: CollectRetryPolicy = CollectRetryPolicy(), transport: (any HTTPTransport)? = nil,
                progress: (@Sendable (String) -> Void)? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.provider = provider; self.outputFolder = outputFolder; self.period = period; self.adminKey = adminKey
        self.base = base; self.policy = policy; self.transport = transport ?? URLSessionTransport(); self.progress = progress
        self.now = now
    }
}

/// Pages and rows one endpoint gave.
public struct CollectEndpointTally: Sendable, Equatable {
    /// The API path (`/v1/organization/usage/completions`).
    public var path: String
    /// The files' stem (`usage-completions`).
    public var name: String
    public var pages: Int
    public var rows: Int
}

/// An endpoint that could not be read to its end: its path, the HTTP status when there was one, and why.
public struct CollectFailure: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var status: Int?
    public var reason: String
    public var description: String { "GET \(path): \(reason)" }
}

/// The outcome of a run.
public struct CollectSummary: Sendable {
    public var provider: CollectProvider
    /// `YYYY-MM-DD`, both inclusive.
    public var since: String
    public var until: String
    /// The provider's folder.
    public var folder: String
    public var endpoints: [CollectEndpointTally] = []
    public var failures: [CollectFailure] = []
    /// The files written, relative to `folder`, in the order written.
    public var files: [String] = []
    /// The run stopped at a failure no other call could get past (401, an unreachable host): the endpoints after it
    /// were not asked.
    public var stopped = false

    public var pages: Int { endpoints.reduce(0) { $0 + $1.pages } }
    public var rows: Int { endpoints.reduce(0) { $0 + $1.rows } }
    /// Every endpoint read to its end.
    public var complete: Bool { failures.isEmpty }

    /// The summary as lines for a person: totals and period, one line per endpoint, each failure.
    public var lines: [String] {
        var out = ["\(provider.rawValue): \(pages) \(pages == 1 ? "page" : "pages"), \(rows) rows, \(since) to \(until), in \(folder)"]
        let width = endpoints.map(\.path.count).max() ?? 0
        for e in endpoints {
            out.append("  " + e.path.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                       + "\(e.pages) \(e.pages == 1 ? "page" : "pages"), \(e.rows) rows")
        }
        for f in failures { out.append("failed: \(f)") }
        if stopped { out.append("stopped: the endpoints after this failure were not asked") }
        if !complete {
            out.append("incomplete: \(failures.count) \(failures.count == 1 ? "endpoint" : "endpoints") could not be read to the end; "
                       + "the pages fetched are kept")
        }
        return out
    }
}

/// Runs one provider's collector.
public enum Collector {
    public static func run(_ request: CollectRequest) -> CollectSummary {
        let session = CollectSession(request)
        switch request.provider {
        case .openai: OpenAICollector.run(session)
        case .anthropic: AnthropicCollector.run(session)
        case .litellm: LiteLLMCollector.run(session)
        }
        session.finish()
        return session.summary
    }
}
