import Foundation

/// How long `scan --validate` reuses an answer the history store kept (`keyledger.yml` `validation: cache_for:`,
/// `scan --validate-cache`), so that several scans in a day — many targets recorded into one store, a re-run, a CI job
/// beside the weekly one — ask each provider about a key once.
///
/// Only lasting answers are kept: `active` (the key works) and `revoked` (the provider refuses it). `unknown` (a
/// timeout, a rate limit, a provider error) and `error` (no call possible, an unexpected answer) are asked again on
/// the next run. A reused answer keeps its own `checked_at` and `detail` and is marked `cached: true`.
///
/// The two lasting answers age differently. "Still works" is the answer that must be fresh (a key revoked since must
/// not stay red on the weekly page), so `active` is reused for `window` (a day by default: the weekly scan asks again).
/// A refusal rarely changes — a deleted OpenAI or GitHub key never works again; an AWS key set Inactive can be made
/// Active again, so not forever — so `revoked` is reused for `revokedWindow` (30 days by default, never less than
/// `window`): the weekly scan of a history full of dead keys does not re-ask each of them every week.
public struct ValidationCachePolicy: Sendable, Equatable {
    /// One day: a day's scans ask once; the weekly scan asks again about keys that worked.
    public static let defaultWindow: TimeInterval = 86_400
    /// Thirty days for refusals: a weekly run re-asks about a dead key once a month.
    public static let defaultRevokedWindow: TimeInterval = 30 * 86_400
    /// A year and a day: beyond it an answer says little about today.
    public static let maximumWindow: TimeInterval = 366 * 86_400

    /// Seconds an `active` answer is reused; 0 always asks (about every key, refused ones too).
    public var window: TimeInterval
    /// Seconds a `revoked` answer is reused (at least `window`; 0 when `window` is 0).
    public var revokedWindow: TimeInterval

    public init(window: TimeInterval = ValidationCachePolicy.defaultWindow,
                revokedWindow: TimeInterval = ValidationCachePolicy.defaultRevokedWindow) {
        self.window = window
        self.revokedWindow = window == 0 ? 0 : max(window, revokedWindow)
    }

    /// The window for one answer's status.
    public func window(for status: ValidationStatus) -> TimeInterval { status == .revoked ? revokedWindow : window }

    /// What a `cache_for` value must look like, for messages.
    public static let durationHelp = "0 (always ask) or a duration like 12h, 1d, 7d or 2w, up to 366d"

    /// `0` → 0, `12h`, `1d`, `2w` → seconds (`DurationText`: a bare number is days); nil for anything else or beyond
    /// `maximumWindow`.
    public static func duration(_ text: String) -> TimeInterval? {
        guard let seconds = DurationText.seconds(text), seconds <= maximumWindow else { return nil }
        return seconds
    }

    /// `12h`, `1d`, `2w`: the window as written back in messages and reports.
    public static func text(_ window: TimeInterval) -> String {
        let hours = Int(window / 3_600)
        if hours == 0 { return "0" }
        if hours % (7 * 24) == 0 { return "\(hours / (7 * 24))w" }
        if hours % 24 == 0 { return "\(hours / 24)d" }
        return "\(hours)h"
    }

    /// Whether `answer` is still good at `asOf` (the run's today): a lasting status, given less than `window` before
    /// it. An answer given after `asOf` (a scan with an earlier `--as-of`) is also reused.
    public func reuses(_ answer: CredentialValidation, asOf: Date) -> Bool {
        let window = window(for: answer.status)
        guard window > 0, StoredValidation.isKept(answer.status), let checked = ISODate.parse(answer.checkedAt) else { return false }
        return asOf.timeIntervalSince(checked) < window
    }
}

/// `scan --validate` around the history store: credentials whose stored answer is still good reuse it, the others go
/// to `ValidationStage`, and the lasting answers it brings back are handed to the store (`HistoryStore.record`).
/// The stage itself knows nothing of the store.
struct CachedValidation {
    var stage: ValidationStage
    var policy: ValidationCachePolicy
    /// The stored answers by fingerprint.
    var stored: [String: StoredValidation]
    var asOf: Date

    struct Outcome {
        var credentials: [LinkedCredential]
        /// Lasting answers the providers gave this run, cleaned, for the store.
        var answers: [StoredValidation]
    }

    /// `credentials` with `validation` set; `clean` is the run's sanitiser (an answer may echo a secret, and what
    /// the store keeps must be as clean as the register).
    func run(_ credentials: [LinkedCredential], clean: (String) -> String) -> Outcome {
        var out = credentials
        var ask: [Int] = []
        for (i, c) in credentials.enumerated() {
            if let entry = c.entry, let kept = stored[entry.fingerprint], kept.provider == entry.rule.provider,
               policy.reuses(kept.validation, asOf: asOf) {
                out[i] = Self.apply(kept, to: c)
            } else {
                ask.append(i)
            }
        }
        guard !ask.isEmpty else { return Outcome(credentials: out, answers: []) }
        let answered = stage.validate(ask.map { credentials[$0] })
        var answers: [StoredValidation] = []
        // The stage returns its input in order, `validation` set where a validator covers the credential.
        for (index, after) in zip(ask, answered) {
            let before = credentials[index]
            out[index] = after
            guard let v = after.validation, let entry = after.entry, StoredValidation.isKept(v.status) else { continue }
            // What the answer added to the identity: the stage fills only what linking left unknown.
            let principal = before.identity.principal == nil ? after.identity.principal : nil
            let account = before.identity.account == nil ? after.identity.account : nil
            let privilege = before.privilege.level == .unknown && after.privilege != before.privilege ? after.privilege : nil
            answers.append(StoredValidation(
                fingerprint: entry.fingerprint, provider: entry.rule.provider, rule: entry.rule.id,
                validation: CredentialValidation(status: v.status, checkedAt: v.checkedAt, detail: clean(v.detail)),
                principal: principal.map(clean), account: account.map(clean),
                privilege: privilege.map { Privilege(level: $0.level, scopes: $0.scopes.map(clean)) }))
        }
        return Outcome(credentials: out, answers: answers)
    }

    /// The credential as the stage would have left it had the provider given the stored answer again.
    static func apply(_ kept: StoredValidation, to credential: LinkedCredential) -> LinkedCredential {
        var c = credential
        var validation = kept.validation
        validation.cached = true
        c.validation = validation
        if validation.status == .active {
            if c.identity.principal == nil, let principal = kept.principal { c.identity.principal = principal }
            if c.identity.account == nil, let account = kept.account { c.identity.account = account }
            if c.privilege.level == .unknown, let privilege = kept.privilege { c.privilege = privilege }
        }
        return c
    }
}
