import Foundation

/// The LLMjacking signatures in an access key's CloudTrail activity, each a named risk factor whose reason carries
/// the evidence (event names, times, address):
///
/// | factor | points | signature |
/// |---|---|---|
/// | `cloudtrail.enumeration-then-invocation` | 40 | on a long-term key (`AKIA…`), a model listing or availability check (`ListFoundationModels`, `GetFoundationModelAvailability`, …) followed within `window` by `InvokeModel*`/`Converse*` — the sequence of Prowler's `cloudtrail_threat_detection_llm_jacking` and Elastic's Bedrock enumeration-then-invocation rule |
/// | `cloudtrail.model-access-request` | 30 | `PutUseCaseForModelAccess`, `CreateFoundationModelAgreement`, `PutFoundationModelEntitlement`, `AcceptAgreementRequest`: enabling models |
/// | `cloudtrail.new-source-after-exposure` | 25 | a Bedrock invocation from an address or user-agent product the key never used before its exposure (needs activity from before the exposure to compare with) |
/// | `cloudtrail.new-model-after-exposure` | 15 | a model the key never invoked before its exposure, while it did invoke others (a change of model mix; alone it does not force critical: teams switch models too) |
///
/// Each signature is judged at its earliest occurrence on or after the exposure (else its earliest at all, which
/// then does not follow the leak). A signature that `forcesCritical` and `followsExposure` lets the risk model force
/// critical.
public struct LLMjackingSignatures: Sendable {
    /// How soon after reconnaissance an invocation must come.
    public var window: Int64 = 15 * 60

    public init() {}

    public struct Match: Sendable, Equatable {
        public var id: String
        public var points: Int
        /// Evidence and meaning, without the exposure clause (the risk model adds it).
        public var evidence: String
        public var time: Int64
        public var followsExposure: Bool
        /// An LLMjacking signature (not the weaker model-mix signal).
        public var forcesCritical = true
        /// The evidence in fields (`RiskFactor.evidence`); the risk model adds `exposed`.
        public var facts = RiskEvidence()
    }

    /// The fields of an event: its day and time, address and agent.
    static func facts(_ e: CloudTrailKeyActivity.TrailEvent, events: [String]) -> RiskEvidence {
        RiskEvidence(since: ISODate.day(e.time), events: events, time: ISODate.timestamp(e.time), address: e.address, agent: e.agent)
    }

    /// Events after `asOf` (end of that day) are not looked at, so a report for a past date reads the trail as it was.
    public func matches(_ whole: CloudTrailKeyActivity, exposed: Date?, asOf: Date? = nil) -> [Match] {
        let a = asOf.map { whole.until(Int64($0.timeIntervalSince1970) + 86_399) } ?? whole
        let exposedAt = exposed.map { Int64($0.timeIntervalSince1970) }
        func follows(_ t: Int64) -> Bool { exposedAt.map { t >= $0 } ?? false }
        /// The earliest candidate at or after exposure, else the earliest.
        func pick<T>(_ candidates: [T], time: (T) -> Int64) -> T? {
            let sorted = candidates.sorted { time($0) < time($1) }
            return sorted.first { follows(time($0)) } ?? sorted.first
        }
        var out: [Match] = []
        let minutes = a.invocationsByMinute.keys.sorted()

        if a.isLongTerm, !minutes.isEmpty {
            // Each reconnaissance event with the first invocation in the window after it.
            let sequences: [(recon: CloudTrailKeyActivity.TrailEvent, invocation: CloudTrailKeyActivity.TrailEvent)] =
                a.reconnaissance.compactMap { r in
                    guard let invocation = firstInvocation(after: r.time, within: window, minutes: minutes, in: a) else { return nil }
                    return (r, invocation)
                }
            if let hit = pick(sequences, time: { $0.invocation.time }) {
                // The reconnaissance leading up to that invocation, as the evidence shows it.
                let lead = a.reconnaissance.filter { $0.time <= hit.invocation.time && $0.time >= hit.invocation.time - window }
                    .sorted { ($0.time, $0.name) < ($1.time, $1.name) }
                let names = lead.prefix(4).map { "\($0.name) \(Self.clock($0.time))" }.joined(separator: ", ")
                let later = a.bedrockCallsByDay.filter { $0.key >= ISODate.day(hit.invocation.time) }.values.reduce(0, +)
                out.append(Match(id: "cloudtrail.enumeration-then-invocation", points: 40,
                                 evidence: "\(names), then \(hit.invocation.name) \(Self.clock(hit.invocation.time))\(Self.origin(hit.invocation)) "
                                    + "on long-term key \(a.accessKeyId) (\(later) Bedrock call\(later == 1 ? "" : "s") from that day on): "
                                    + "model enumeration followed by invocation, the LLMjacking pattern",
                                 time: hit.invocation.time, followsExposure: follows(hit.invocation.time),
                                 facts: Self.facts(hit.invocation, events: lead.prefix(4).map(\.name) + [hit.invocation.name])))
            }
        }

        if let first = pick(a.modelAccess, time: { $0.time }) {
            let names = Set(a.modelAccess.map(\.name)).sorted().joined(separator: ", ")
            out.append(Match(id: "cloudtrail.model-access-request", points: 30,
                             evidence: "\(first.name) \(Self.clock(first.time))\(Self.origin(first))"
                                + (names == first.name ? "" : " (all: \(names))")
                                + ": a request to enable Bedrock models, how stolen keys unlock models the owner never used",
                             time: first.time, followsExposure: follows(first.time),
                             facts: Self.facts(first, events: Set(a.modelAccess.map(\.name)).sorted())))
        }

        if let exposedAt {
            let knownAddresses = a.addresses.filter { $0.value.first < exposedAt }.keys.sorted()
            let knownAgents = a.agents.filter { $0.value.first < exposedAt }.keys.sorted()
            // Without activity before the exposure, every source is new: nothing to compare with.
            if !knownAddresses.isEmpty || !knownAgents.isEmpty {
                var candidates: [(what: String, event: CloudTrailKeyActivity.TrailEvent)] = []
                for (address, use) in a.addresses where use.first >= exposedAt {
                    if let e = use.firstInvocation { candidates.append(("address \(address)", e)) }
                }
                for (agent, use) in a.agents where use.first >= exposedAt && !knownAgents.isEmpty {
                    if let e = use.firstInvocation { candidates.append(("user agent \(agent)", e)) }
                }
                if let hit = candidates.sorted(by: { ($0.event.time, $0.what) < ($1.event.time, $1.what) }).first {
                    let before = (knownAddresses.prefix(3) + knownAgents.prefix(2)).joined(separator: ", ")
                    out.append(Match(id: "cloudtrail.new-source-after-exposure", points: 25,
                                     evidence: "\(hit.event.name) \(Self.clock(hit.event.time))\(Self.origin(hit.event)): \(hit.what) never "
                                        + "seen before the exposure (before it: \(before))",
                                     time: hit.event.time, followsExposure: true, facts: Self.facts(hit.event, events: [hit.event.name])))
                }
            }
        }
        if let exposedAt {
            let exposedDay = ISODate.day(exposedAt)
            let before = a.modelCallsByDay.filter { $0.value.keys.contains { $0 < exposedDay } }.keys.sorted()
            let new = a.modelCallsByDay.compactMap { model, days -> (model: String, first: String, calls: Int)? in
                guard let first = days.keys.min(), first >= exposedDay else { return nil }
                return (model, first, days.values.reduce(0, +))
            }.sorted { ($0.first, $0.model) < ($1.first, $1.model) }
            if !before.isEmpty, let first = new.first,
               let time = ISODate.parse(first.first).map({ Int64($0.timeIntervalSince1970) }) {
                let others = new.count > 1 ? " and \(new.count - 1) other new model\(new.count == 2 ? "" : "s")" : ""
                out.append(Match(id: "cloudtrail.new-model-after-exposure", points: 15,
                                 evidence: "\(first.model) first invoked \(first.first) (\(first.calls) call\(first.calls == 1 ? "" : "s"))\(others); "
                                    + "before the exposure only \(before.prefix(3).joined(separator: ", ")): the key's model mix changed",
                                 time: time, followsExposure: true, forcesCritical: false,
                                 facts: RiskEvidence(since: first.first, model: first.model)))
            }
        }
        return out
    }

    /// The earliest invocation at `time` or up to `window` seconds after it.
    func firstInvocation(after time: Int64, within window: Int64, minutes: [Int64],
                         in a: CloudTrailKeyActivity) -> CloudTrailKeyActivity.TrailEvent? {
        var lo = 0, hi = minutes.count
        while lo < hi { let mid = (lo + hi) / 2; if minutes[mid] < time / 60 { lo = mid + 1 } else { hi = mid } }
        for i in lo..<minutes.count {
            guard minutes[i] <= (time + window) / 60, let e = a.invocationsByMinute[minutes[i]] else { break }
            if e.time >= time && e.time <= time + window { return e }
        }
        return nil
    }

    /// `2026-11-08 03:12:05Z`
    static func clock(_ t: Int64) -> String {
        ISODate.timestamp(t).replacingOccurrences(of: "T", with: " ")
    }

    /// ` from 198.51.100.23 (python-requests)`
    static func origin(_ e: CloudTrailKeyActivity.TrailEvent) -> String {
        switch (e.address, e.agent) {
        case let (address?, agent?): return " from \(address) (\(agent))"
        case let (address?, nil): return " from \(address)"
        case let (nil, agent?): return " by \(agent)"
        default: return ""
        }
    }
}
