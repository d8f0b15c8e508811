import Foundation

/// How `collect` waits and retries. The CLI uses the defaults; a library user (or a test) may shorten them.
///
/// - `429`: waits what `Retry-After` says (seconds, or an HTTP-date), at most `maxRetryAfter`; without the header, as
///   for a 5xx.
/// - `5xx`, timeouts and connections that fail: exponential backoff with full jitter — a random wait between 0 and
///   `min(maxDelay, baseDelay × 2^(attempt−1))` — so many collectors started by one cron minute do not retry in step.
/// - `401`/`403` and every other answer: never retried.
public struct CollectRetryPolicy: Sendable {
    /// Calls per page at most, the first included.
    public var maxAttempts: Int
    /// Seconds: the first backoff's upper bound.
    public var baseDelay: TimeInterval
    /// Seconds: no backoff waits longer.
    public var maxDelay: TimeInterval
    /// Seconds: the longest `Retry-After` honoured (a longer one is cut to this).
    public var maxRetryAfter: TimeInterval
    /// Seconds each call may take.
    public var timeout: TimeInterval

    public init(maxAttempts: Int = 5, baseDelay: TimeInterval = 1, maxDelay: TimeInterval = 30, maxRetryAfter: TimeInterval = 120,
                timeout: TimeInterval = 30) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
        self.maxRetryAfter = max(0, maxRetryAfter)
        self.timeout = timeout > 0 ? timeout : 30
    }

    /// The backoff before attempt `attempt + 1`, with `unit` a random number in [0, 1).
    public func backoff(after attempt: Int, unit: Double) -> TimeInterval {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        return ceiling * min(max(unit, 0), 1)
    }

    /// The wait a `Retry-After` value asks for (delay-seconds or an HTTP-date, RFC 9110 §10.2.3), capped at
    /// `maxRetryAfter`; nil when the value is neither.
    public func retryAfter(_ value: String?, now: Date) -> TimeInterval? {
        RetryAfter.seconds(value, now: now, cap: maxRetryAfter)
    }
}

/// What fetching one page came to.
enum CollectFetch {
    case body(Data)
    /// The page could not be had: the HTTP status when there was one, and a fixed phrase (never a header, key or body);
    /// `fatal` when no other call can succeed either (401, a host that cannot be reached).
    case failure(status: Int?, reason: String, fatal: Bool)
}

/// GETs one page through `HTTPTransport` with `CollectRetryPolicy`. The admin key travels only in the headers it is
/// given; nothing of a request or an answer body goes into a failure's reason.
struct CollectClient: Sendable {
    var transport: any HTTPTransport
    var policy: CollectRetryPolicy
    /// Waits between attempts (the CLI: the thread sleeps).
    var sleep: @Sendable (TimeInterval) -> Void
    /// A random number in [0, 1) for the jitter.
    var unit: @Sendable () -> Double
    var now: @Sendable () -> Date
    /// Told before each wait: the attempt that failed, why, and how long the wait is.
    var retrying: (@Sendable (_ attempt: Int, _ reason: String, _ wait: TimeInterval) -> Void)?

    func get(_ url: URL, headers: [String: String]) -> CollectFetch {
        var last: (status: Int?, reason: String) = (nil, "no answer")
        // A host that cannot be reached at all (no connection, no name, no TLS) will not answer the next endpoint either.
        var unreachable = false
        for attempt in 1...policy.maxAttempts {
            let wait: TimeInterval
            switch transport.send(HTTPRequest(url: url, headers: headers), timeout: policy.timeout) {
            case .answer(let answer):
                switch answer.status {
                case 200..<300:
                    return .body(answer.body)
                case 401:
                    return .failure(status: 401, reason: "HTTP 401: the provider refuses the admin key (not retried)", fatal: true)
                case 403:
                    return .failure(status: 403, reason: "HTTP 403: the admin key may not read this (not retried)", fatal: false)
                case 429:
                    last = (429, "HTTP 429: rate limited")
                    wait = policy.retryAfter(answer.headers["retry-after"], now: now()) ?? policy.backoff(after: attempt, unit: unit())
                case 500..<600:
                    last = (answer.status, "HTTP \(answer.status): provider error")
                    wait = policy.backoff(after: attempt, unit: unit())
                case 300..<400:
                    return .failure(status: answer.status, reason: "HTTP \(answer.status): redirect not followed", fatal: false)
                default:
                    return .failure(status: answer.status, reason: "HTTP \(answer.status): unexpected answer (not retried)", fatal: false)
                }
            case .timedOut:
                last = (nil, "no answer within \(ValidationStage.seconds(policy.timeout))")
                unreachable = false
                wait = policy.backoff(after: attempt, unit: unit())
            case .failed(let reason):
                last = (nil, reason)
                unreachable = true
                wait = policy.backoff(after: attempt, unit: unit())
            }
            guard attempt < policy.maxAttempts else { break }
            retrying?(attempt, last.reason, wait)
            if wait > 0 { sleep(wait) }
        }
        let tries = policy.maxAttempts == 1 ? "1 attempt" : "\(policy.maxAttempts) attempts"
        return .failure(status: last.status, reason: "\(last.reason) (gave up after \(tries))", fatal: unreachable)
    }
}
