import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `scan --validate`: asks each found credential's own provider, read-only, whether it still works. A secret is only
/// ever sent to its provider's official host or to the base URL `keyledger.yml`'s `endpoints:` sets for that provider;
/// redirects are never followed (a redirect could carry the secret elsewhere), 401/403 are never retried, each call
/// has a timeout and each provider a concurrency limit. Nothing of the secret reaches a result's `detail`.

/// Base URLs per endpoint name: the official host, or the one `keyledger.yml` sets (gateways, sovereign clouds, tests).
/// Each validator names its endpoint and official host; `collect` sources without a validator (LiteLLM, a
/// self-hosted proxy) have no official host and must be configured.
public struct ValidationEndpoints: Sendable, Equatable {
    /// The official hosts, by endpoint name: every built-in validator's.
    public static let defaults: [String: URL] = {
        var map: [String: URL] = [:]
        for v in ValidatorRegistry.builtin.validators.values { if let base = v.officialBase { map[v.endpoint] = map[v.endpoint] ?? base } }
        return map
    }()
    /// Endpoint names with no official host: a self-hosted service `keyledger collect` reads (the LiteLLM proxy).
    public static let selfHosted: Set<String> = ["litellm"]
    /// The endpoint names `endpoints:` may set: every built-in validator's (those whose host is per resource, such as
    /// Azure OpenAI, too) and the self-hosted services; `isKnown` also takes the providers whose built-in rules
    /// declare a `validation:` call.
    public static var providers: Set<String> { Set(ValidatorRegistry.builtin.validators.values.map(\.endpoint)).union(selfHosted) }

    /// The providers whose built-in rules declare a `validation:` call (read once, when a name is not in `providers`).
    public static let ruleDeclared: Set<String> = Set(((try? RuleLoader.builtin()) ?? []).filter { $0.validation != nil }.map(\.provider))

    /// Whether `endpoints:` may name `name`.
    public static func isKnown(_ name: String) -> Bool { providers.contains(name) || ruleDeclared.contains(name) }

    /// `endpoints:` of keyledger.yml, by endpoint name.
    public var overrides: [String: URL] = [:]

    public init(overrides: [String: URL] = [:]) { self.overrides = overrides }

    /// Where `endpoint`'s secrets may be sent: the configured base URL, else the official host.
    public func base(for endpoint: String) -> URL? { overrides[endpoint] ?? Self.defaults[endpoint] }

    /// A base URL a secret may be sent to: https, or http to the loopback host only (local gateways, tests); no
    /// credentials, query or fragment. The trailing `/` is dropped so paths append cleanly.
    public static func baseURL(_ text: String) -> URL? {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased(), !host.isEmpty,
              components.user == nil, components.password == nil, components.query == nil, components.fragment == nil
        else { return nil }
        switch scheme {
        case "https": break
        case "http" where ["127.0.0.1", "localhost"].contains(host): break
        default: return nil
        }
        return URL(string: trimmed)
    }
}

/// One HTTP request. A header or the body may carry a secret: neither is ever logged.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?
    public init(method: String = "GET", url: URL, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method; self.url = url; self.headers = headers; self.body = body
    }
}

/// One HTTP answer, as a validator reads it. Header names are lower-cased.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status; self.headers = headers; self.body = body
    }
    /// The body as a JSON object, when it is one.
    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
}

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as seconds from `now`, at most `cap`; nil when
/// the value is neither. `collect` and `scan --validate` read it here.
public enum RetryAfter {
    public static func seconds(_ value: String?, now: Date, cap: TimeInterval) -> TimeInterval? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite, seconds >= 0 { return min(seconds, cap) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return min(max(0, date.timeIntervalSince(now)), cap) }
        }
        return nil
    }
}

/// What one HTTP call came to.
public enum HTTPOutcome: Sendable {
    case answer(HTTPAnswer)
    case timedOut
    /// The call could not be made; the reason is a fixed phrase (never a URL, header or body).
    case failed(String)
}

/// Makes the read-only calls. The default is URLSession; tests reach a local server through `endpoints:` instead of
/// replacing this.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest, timeout: TimeInterval) -> HTTPOutcome
}

extension HTTPTransport {
    public func get(_ url: URL, headers: [String: String], timeout: TimeInterval) -> HTTPOutcome {
        send(HTTPRequest(url: url, headers: headers), timeout: timeout)
    }
}

/// What a provider's answer says about a credential.
public struct ValidationOutcome: Sendable, Equatable {
    public var status: ValidationStatus
    public var detail: String
    /// Who the key acts as (a login, a user or organisation name), when the answer says.
    public var principal: String?
    /// The account or organisation behind it, when the answer says.
    public var account: String?
    /// What the key can do, when the answer says (GitHub scopes, a Hugging Face token role).
    public var privilege: Privilege?

    public init(status: ValidationStatus, detail: String, principal: String? = nil, account: String? = nil, privilege: Privilege? = nil) {
        self.status = status; self.detail = detail; self.principal = principal; self.account = account; self.privilege = privilege
    }
}

/// What a validator knows of the credential it checks: the secret, the rule that found it, and what the scan learned
/// nearby (an AWS secret key's access key id, an Azure OpenAI key's resource endpoint).
public struct ValidationSubject: Sendable {
    public var secret: Secret
    public var ruleId: String
    public var kind: String
    public var identity: Identity
    public init(secret: Secret, ruleId: String, kind: String, identity: Identity) {
        self.secret = secret; self.ruleId = ruleId; self.kind = kind; self.identity = identity
    }
}

/// One read-only call a validator asks for: method, the path (and query) below the endpoint's base URL, headers and
/// body. One header, the query or the body carries the secret (or a signature made with it).
public struct ValidationCall: Sendable {
    public var method: String
    public var path: String
    public var headers: [String: String]
    public var body: Data?
    public init(method: String = "GET", path: String, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method; self.path = path; self.headers = headers; self.body = body
    }
}

/// One provider's read-only check. The stage makes the call; the validator says where and how, and reads a 2xx
/// answer. 401/403 are `revoked` for every provider; other answers and timeouts are `unknown` or `error`.
public protocol Validator: Sendable {
    /// The rule provider it serves (`openai`): the registry's key.
    var provider: String { get }
    /// The `endpoints:` name its base URL is configured under; the provider unless it differs (`aws_sts`).
    var endpoint: String { get }
    /// The provider's official base URL (no trailing `/`), used unless `endpoints:` sets another.
    /// nil when the host is per resource (Azure OpenAI: the resource's own host, built from the subject).
    var officialBase: URL? { get }
    /// Whether this credential kind can be checked with the call (an admin key or a refresh token cannot).
    func accepts(kind: String) -> Bool
    /// The call for this credential; nil when it cannot be checked (an AWS secret key without its key id).
    /// `base` is the endpoint's base URL, for signatures over the host.
    func call(for subject: ValidationSubject, base: URL, at date: Date) -> ValidationCall?
    /// Reads a 2xx answer (which may still say the key is refused: Slack's `"ok": false`).
    func active(_ answer: HTTPAnswer) -> ValidationOutcome
    /// Reads a 4xx answer other than 429 before the stage's rule, for providers whose refusal or partial answer is
    /// not a plain 401/403 (Google's 400 `API_KEY_INVALID`, a Stripe restricted key's 403 for a missing permission).
    /// nil keeps the stage's rule (401/403 revoked, others error).
    func refusal(_ answer: HTTPAnswer) -> ValidationOutcome?
    /// Reads a 2xx answer knowing which credential asked (one provider, two calls: an admin key's). Defaults to `active(_:)`.
    func active(_ answer: HTTPAnswer, for subject: ValidationSubject) -> ValidationOutcome
    /// Where this credential's call goes: `configured` (`endpoints:`) when set, else the official base. A provider whose
    /// host is per resource (Azure OpenAI) builds it from the subject, and returns nil when it cannot (not checked).
    func base(for subject: ValidationSubject, configured: URL?) -> URL?
    /// The provider's own error code in a non-2xx answer (AWS `InvalidClientTokenId`), for `detail`; nil by default.
    /// A fixed token the validator checks (no free text: an answer may echo what was sent).
    func errorCode(_ answer: HTTPAnswer) -> String?
}

extension Validator {
    public var endpoint: String { provider }
    public func refusal(_ answer: HTTPAnswer) -> ValidationOutcome? { nil }
    public func active(_ answer: HTTPAnswer, for subject: ValidationSubject) -> ValidationOutcome { active(answer) }
    public func base(for subject: ValidationSubject, configured: URL?) -> URL? { configured ?? officialBase }
    public func errorCode(_ answer: HTTPAnswer) -> String? { nil }
}

/// Validators whose call is one request with the secret in headers: they give the path and headers.
public protocol HeaderValidator: Validator {
    func request(for secret: Secret) -> (path: String, headers: [String: String])
}

extension HeaderValidator {
    public func call(for subject: ValidationSubject, base: URL, at date: Date) -> ValidationCall? {
        let (path, headers) = request(for: subject.secret)
        return ValidationCall(path: path, headers: headers)
    }
}

/// Validators by rule provider.
public struct ValidatorRegistry: Sendable {
    public var validators: [String: any Validator]

    public init(_ validators: [any Validator]) {
        self.validators = Dictionary(validators.map { ($0.provider, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// OpenAI, Anthropic, GitHub, Hugging Face, AWS and Azure OpenAI, then the API-key providers (`apiKeyValidators`).
    public static let builtin = ValidatorRegistry([OpenAIValidator(), AnthropicValidator(), GitHubValidator(), HuggingFaceValidator()]
                                                  + [AWSValidator(), AzureOpenAIValidator()] + apiKeyValidators)

    public func validator(for provider: String) -> (any Validator)? { validators[provider] }
}

/// The stage: runs after linking, before the register is built and sanitised.
public struct ValidationStage: Sendable {
    public var endpoints: ValidationEndpoints
    /// Seconds per call.
    public var timeout: TimeInterval
    /// Calls in flight per provider at most.
    public var concurrencyPerProvider: Int
    /// Calls started per provider per second at most (0: no pacing beyond the concurrency limit). A history full of
    /// one provider's keys does not become a burst its rate limiter answers with 429s.
    public var callsPerSecondPerProvider: Double
    /// A `429` whose `Retry-After` asks for at most this many seconds holds the provider's calls that long and the call
    /// is made once more; a longer wait (or none given) leaves the key `unknown`, never retried in a loop.
    public var maxRetryAfter: TimeInterval
    public var registry: ValidatorRegistry
    public var transport: any HTTPTransport

    public init(endpoints: ValidationEndpoints = ValidationEndpoints(), timeout: TimeInterval = 5, concurrencyPerProvider: Int = 4,
                callsPerSecondPerProvider: Double = 10, maxRetryAfter: TimeInterval = 10,
                registry: ValidatorRegistry = .builtin, transport: (any HTTPTransport)? = nil) {
        self.endpoints = endpoints
        self.timeout = timeout
        self.concurrencyPerProvider = max(1, concurrencyPerProvider)
        self.callsPerSecondPerProvider = max(0, callsPerSecondPerProvider)
        self.maxRetryAfter = max(0, maxRetryAfter)
        self.registry = registry
        self.transport = transport ?? URLSessionTransport(maxBodyBytes: 1 << 20)
    }

    /// The credentials with `validation` set where a validator covers them (identity and privilege hints filled in
    /// where they were unknown). Credentials whose secret was not seen, identifiers and other providers are unchanged.
    public func validate(_ credentials: [LinkedCredential], now: @escaping @Sendable () -> Date = { Date() }) -> [LinkedCredential] {
        var jobs: [(index: Int, validator: any Validator, subject: ValidationSubject, base: URL?)] = []
        for (index, c) in credentials.enumerated() {
            guard let entry = c.entry, !entry.rule.isIdentifier else { continue }
            // A validator in code for the provider when it takes this kind, else the call the rule declares.
            let coded = registry.validator(for: entry.rule.provider).flatMap { $0.accepts(kind: entry.rule.kind) ? $0 : nil }
            guard let validator = coded ?? RuleDeclaredValidator(rule: entry.rule) else { continue }
            var identity = c.identity
            identity.keyId = identity.keyId ?? entry.identity.keyId
            identity.account = identity.account ?? entry.identity.account
            identity.name = identity.name ?? entry.identity.name
            let subject = ValidationSubject(secret: entry.secret, ruleId: entry.rule.id, kind: entry.rule.kind, identity: identity)
            jobs.append((index, validator, subject, validator.base(for: subject, configured: endpoints.overrides[validator.endpoint])))
        }
        guard !jobs.isEmpty else { return credentials }
        let results = ResultBox(count: credentials.count)
        let group = DispatchGroup()
        let (transport, timeout, maxRetryAfter) = (self.transport, self.timeout, self.maxRetryAfter)
        // Per provider, at most `concurrencyPerProvider` threads take the provider's calls in turn, spaced by the
        // provider's pacer. Threads of their own, not the shared Dispatch pool: each blocks on its call, and a blocked
        // pool starves URLSession's own work.
        for lane in Dictionary(grouping: jobs, by: { $0.validator.provider }).values {
            let queue = JobQueue(count: lane.count)
            let pacer = ProviderPacer(interval: callsPerSecondPerProvider > 0 ? 1 / callsPerSecondPerProvider : 0)
            for _ in 0..<min(concurrencyPerProvider, lane.count) {
                group.enter()
                let thread = Thread {
                    defer { group.leave() }
                    while let next = queue.next() {
                        let job = lane[next]
                        pacer.wait()
                        var started = now()
                        var (outcome, retryAfter) = Self.check(job.subject, with: job.validator, base: job.base, transport: transport,
                                                               timeout: timeout, at: started, maxRetryAfter: maxRetryAfter)
                        if let retryAfter {
                            // Rate limited with a short wait asked: the provider's other calls hold too, then one more try.
                            pacer.hold(for: retryAfter)
                            pacer.wait()
                            started = now()
                            (outcome, _) = Self.check(job.subject, with: job.validator, base: job.base, transport: transport,
                                                      timeout: timeout, at: started, maxRetryAfter: 0)
                        }
                        results.set(job.index, Self.withoutEcho(outcome, of: job.subject.secret), at: started)
                    }
                }
                thread.start()
            }
        }
        group.wait()
        var out = credentials
        for (index, value) in results.all() {
            guard let (outcome, checked) = value else { continue }
            var c = out[index]
            c.validation = CredentialValidation(status: outcome.status, checkedAt: ISODate.timestamp(checked), detail: outcome.detail)
            if outcome.status == .active {
                if c.identity.principal == nil, let principal = outcome.principal { c.identity.principal = principal }
                if c.identity.account == nil, let account = outcome.account { c.identity.account = account }
                if c.privilege.level == .unknown, let privilege = outcome.privilege { c.privilege = privilege }
            }
            out[index] = c
        }
        return out
    }

    /// One call, read: 2xx by the validator, 401/403 revoked (never retried), anything else unknown or error. A 429
    /// whose `Retry-After` asks for at most `maxRetryAfter` seconds also returns that wait (the caller tries once more).
    static func check(_ subject: ValidationSubject, with validator: any Validator, base: URL?, transport: any HTTPTransport,
                      timeout: TimeInterval, at date: Date, maxRetryAfter: TimeInterval = 0) -> (ValidationOutcome, retryAfter: TimeInterval?) {
        guard let base, let call = validator.call(for: subject, base: base, at: date) else {
            return (ValidationOutcome(status: .unknown, detail: "not checked: what the call needs besides the secret was not found nearby"), nil)
        }
        guard let url = URL(string: base.absoluteString + call.path) else { return (ValidationOutcome(status: .error, detail: "invalid endpoint"), nil) }
        let host = url.host ?? "?"
        switch transport.send(HTTPRequest(method: call.method, url: url, headers: call.headers, body: call.body), timeout: timeout) {
        case .timedOut:
            return (ValidationOutcome(status: .unknown, detail: "no answer from \(host) within \(Self.seconds(timeout))"), nil)
        case .failed(let reason):
            return (ValidationOutcome(status: .error, detail: "\(host): \(reason)"), nil)
        case .answer(let answer):
            if (400..<500).contains(answer.status), answer.status != 429, let read = validator.refusal(answer) { return (read, nil) }
            var outcome = check(answer, validator: validator, subject: subject, host: host)
            if !(200..<300).contains(answer.status), let code = Self.plain(validator.errorCode(answer)) { outcome.detail += " (\(code))" }
            if answer.status == 429, maxRetryAfter > 0,
               let wait = RetryAfter.seconds(answer.headers["retry-after"], now: Date(), cap: .infinity), wait <= maxRetryAfter {
                return (outcome, wait)
            }
            return (outcome, nil)
        }
    }

    /// An answer read: 2xx by the validator, 401/403 revoked, 429 and 5xx unknown, anything else an error.
    static func check(_ answer: HTTPAnswer, validator: any Validator, subject: ValidationSubject, host: String) -> ValidationOutcome {
        switch answer.status {
        case 200..<300: return validator.active(answer, for: subject)
        case 401, 403: return ValidationOutcome(status: .revoked, detail: "HTTP \(answer.status) from \(host): the provider refuses the key")
        case 429: return ValidationOutcome(status: .unknown, detail: "HTTP 429 from \(host): rate limited, not checked")
        case 500..<600: return ValidationOutcome(status: .unknown, detail: "HTTP \(answer.status) from \(host): provider error, not checked")
        case 300..<400: return ValidationOutcome(status: .error, detail: "HTTP \(answer.status) from \(host): redirect not followed")
        default: return ValidationOutcome(status: .error, detail: "HTTP \(answer.status) from \(host): unexpected answer")
        }
    }

    /// The outcome with every value that repeats part of `secret` dropped: an answer may echo the key whole (the
    /// sanitiser replaces it) or in pieces too short for any net — a login of two halves, an ARN holding it. Any run of
    /// 8 characters of the secret past its first 8 (the provider's public prefix) counts; a `detail` that holds one is
    /// replaced by what the status says.
    static func withoutEcho(_ outcome: ValidationOutcome, of secret: Secret) -> ValidationOutcome {
        let key = Array(secret.value.utf8)
        let window = 8
        guard key.count >= 2 * window else { return outcome }
        var grams = Set<ArraySlice<UInt8>>()
        for start in window...(key.count - window) { grams.insert(key[start..<(start + window)]) }
        func echoes(_ text: String?) -> Bool {
            guard let text else { return false }
            let t = Array(text.utf8)
            guard t.count >= window else { return false }
            return (0...(t.count - window)).contains { grams.contains(t[$0..<($0 + window)]) }
        }
        var out = outcome
        if echoes(out.principal) { out.principal = nil }
        if echoes(out.account) { out.account = nil }
        if var privilege = out.privilege, privilege.scopes.contains(where: echoes) {
            privilege.scopes.removeAll(where: echoes)
            out.privilege = privilege
        }
        if echoes(out.detail) {
            let said: String
            switch out.status {
            case .active: said = "the provider accepted the key"
            case .revoked: said = "the provider refuses the key"
            case .unknown: said = "the provider's answer did not say whether the key works"
            case .error: said = "the provider's answer was not the expected one"
            }
            out.detail = said + " (values in its answer repeated part of the key and were dropped)"
        }
        return out
    }

    static func seconds(_ t: TimeInterval) -> String {
        t == t.rounded() ? "\(Int(t))s" : String(format: "%.1fs", t)
    }

    /// Values from an answer that go into `detail` or identity: printable, one line, and dropped — not shortened —
    /// when longer than `limit`: an answer may echo the key, and a cut piece of a key is no longer something the
    /// sanitiser can recognise (a whole echoed key is).
    static func plain(_ text: String?, limit: Int = 64) -> String? {
        guard let text else { return nil }
        let cleaned = String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init)).trimmingCharacters(in: .whitespaces)
        guard !cleaned.isEmpty, cleaned.count <= limit else { return nil }
        return cleaned
    }
}

/// Spaces one provider's calls (`interval` apart at least, across its threads) and holds them all after a 429.
private final class ProviderPacer: @unchecked Sendable {
    private let lock = NSLock()
    private let interval: TimeInterval
    private var next = Date.distantPast
    init(interval: TimeInterval) { self.interval = interval }

    /// Blocks until this thread's call may start.
    func wait() {
        lock.lock()
        let now = Date()
        let start = max(now, next)
        next = start.addingTimeInterval(interval)
        lock.unlock()
        let delay = start.timeIntervalSince(now)
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
    }

    /// No call starts for `seconds` from now.
    func hold(for seconds: TimeInterval) {
        lock.lock()
        next = max(next, Date().addingTimeInterval(seconds))
        lock.unlock()
    }
}

/// Hands out job numbers to a provider's threads.
private final class JobQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var taken = 0
    private let count: Int
    init(count: Int) { self.count = count }
    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard taken < count else { return nil }
        taken += 1
        return taken - 1
    }
}

/// Results written from worker threads.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [(ValidationOutcome, Date)?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ outcome: ValidationOutcome, at date: Date) { lock.lock(); values[index] = (outcome, date); lock.unlock() }
    func all() -> [(Int, (ValidationOutcome, Date)?)] { lock.lock(); defer { lock.unlock() }; return Array(values.enumerated()) }
}

/// URLSession (FoundationNetworking on Linux): ephemeral (no cookies, no cache), a timeout per call, redirects refused.
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    /// The most body bytes one answer may bring; past it the call is cancelled (`answer too large`), so a gateway
    /// streaming without end cannot exhaust memory.
    public let maxBodyBytes: Int

    /// 64 MiB: `collect`'s largest pages; validation answers are a few KiB (`ValidationStage` asks for 1 MiB).
    public init(maxBodyBytes: Int = 64 << 20) { self.maxBodyBytes = max(1, maxBodyBytes) }

    public func send(_ outgoing: HTTPRequest, timeout: TimeInterval) -> HTTPOutcome {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let call = CallDelegate(limit: maxBodyBytes)
        let session = URLSession(configuration: configuration, delegate: call, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        var request = URLRequest(url: outgoing.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = outgoing.method
        request.httpBody = outgoing.body
        for (name, value) in outgoing.headers { request.setValue(value, forHTTPHeaderField: name) }
        request.setValue(request.value(forHTTPHeaderField: "User-Agent") ?? "keyledger/\(KeyLedgerVersion.current)", forHTTPHeaderField: "User-Agent")
        let task = session.dataTask(with: request)
        task.resume()
        // A backstop past the session's own timeout: a call never holds the run longer.
        if call.done.wait(timeout: .now() + timeout + 2) == .timedOut {
            task.cancel()
            return .timedOut
        }
        return call.outcome ?? .failed("no HTTP answer")
    }

    static func phrase(_ code: URLError.Code) -> String {
        switch code {
        case .cannotConnectToHost: return "cannot connect"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .notConnectedToInternet, .networkConnectionLost: return "network unavailable"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
             .serverCertificateHasUnknownRoot, .clientCertificateRejected: return "TLS failed"
        case .cancelled: return "cancelled"
        default: return "request failed (URLError \(code.rawValue))"
        }
    }
}

/// One call's state: the body as it arrives (cut off past `limit`), the answer, and the signal that it is over.
/// Redirects are refused: the 3xx answer is returned as it is, and the secret goes nowhere else.
private final class CallDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let limit: Int
    let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var body = Data()
    private var tooLarge = false
    private var result: HTTPOutcome?

    init(limit: Int) { self.limit = limit }

    var outcome: HTTPOutcome? { lock.lock(); defer { lock.unlock() }; return result }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        if body.count + data.count > limit {
            tooLarge = true
            lock.unlock()
            dataTask.cancel()
            return
        }
        body.append(data)
        lock.unlock()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        if tooLarge {
            result = .failed("answer too large (over \(limit >> 20 > 0 ? "\(limit >> 20) MiB" : "\(limit) bytes"))")
        } else if let http = task.response as? HTTPURLResponse, error == nil {
            var fields: [String: String] = [:]
            for (k, v) in http.allHeaderFields { if let k = k as? String, let v = v as? String { fields[k.lowercased()] = v } }
            result = .answer(HTTPAnswer(status: http.statusCode, headers: fields, body: body))
        } else if let error = error as? URLError {
            result = error.code == .timedOut ? .timedOut : .failed(URLSessionTransport.phrase(error.code))
        } else {
            result = .failed("no HTTP answer")
        }
        lock.unlock()
        done.signal()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
