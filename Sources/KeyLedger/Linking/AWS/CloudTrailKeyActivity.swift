import Foundation

/// What CloudTrail says one access key did: when it was used, from where and with what, its Bedrock calls per day,
/// and the events the LLMjacking signatures look for (`Risk/LLMjackingSignatures.swift`).
///
/// Built event by event (`record(_:)`), so a trail of any length folds into bounded memory: addresses, agents and
/// invocation minutes are capped, and what was left out is counted.
public struct CloudTrailKeyActivity: Sendable, Equatable {
    /// `userIdentity.accessKeyId`: `AKIA…` (long-term) or `ASIA…` (temporary).
    public var accessKeyId: String
    /// `userIdentity.arn` of the first event that carried one.
    public var principal: String?
    public var firstUse: Int64
    public var lastUse: Int64
    public var events = 0
    /// Source address → first and last use, and the first Bedrock invocation from it.
    public var addresses: [String: SourceUse] = [:]
    /// User-agent product (`Boto3`, `aws-cli`, `python-requests`; versions dropped) → first and last use.
    public var agents: [String: SourceUse] = [:]
    /// `YYYY-MM-DD` → Bedrock runtime calls (`InvokeModel*`, `Converse*`).
    public var bedrockCallsByDay: [String: Int] = [:]
    /// Model id → `YYYY-MM-DD` → invocations.
    public var modelCallsByDay: [String: [String: Int]] = [:]
    /// Model listing and availability checks (`ListFoundationModels`, `GetFoundationModelAvailability`, …).
    public var reconnaissance: [TrailEvent] = []
    /// Model-access requests and agreements (`PutUseCaseForModelAccess`, `CreateFoundationModelAgreement`, …).
    public var modelAccess: [TrailEvent] = []
    /// The first invocation in each minute it was invoked (minute since 1970 → event).
    public var invocationsByMinute: [Int64: TrailEvent] = [:]
    /// Events not kept because a cap was reached (addresses, agents, minutes, recon events).
    public var dropped = 0

    /// When and how often an address or user agent was seen.
    public struct SourceUse: Sendable, Equatable {
        public var first: Int64
        public var last: Int64
        public var count: Int
        /// The first Bedrock invocation from this source.
        public var firstInvocation: TrailEvent?
    }

    /// One event, as evidence: name, time, source address and user-agent product.
    public struct TrailEvent: Sendable, Equatable {
        public var name: String
        public var time: Int64
        public var address: String?
        public var agent: String?
        public var model: String?
    }

    static let maxSources = 1_000
    static let maxEvents = 5_000
    static let maxMinutes = 200_000

    /// Bedrock runtime calls that run a model.
    public static let invocationEvents: Set<String> = ["InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream"]
    /// Calls that list models or check which ones the key may use: the reconnaissance before LLMjacking
    /// (Prowler `cloudtrail_threat_detection_llm_jacking`, Elastic's Bedrock enumeration rule).
    public static let reconnaissanceEvents: Set<String> = [
        "ListFoundationModels", "GetFoundationModel", "GetFoundationModelAvailability", "ListFoundationModelAgreementOffers",
        "GetUseCaseForModelAccess", "ListInferenceProfiles", "GetModelInvocationLoggingConfiguration", "ListProvisionedModelThroughputs",
    ]
    /// Calls that request access to a model or accept its terms: an attacker enabling models the owner never used.
    public static let modelAccessEvents: Set<String> = [
        "PutUseCaseForModelAccess", "CreateFoundationModelAgreement", "PutFoundationModelEntitlement", "AcceptAgreementRequest",
    ]

    public init(accessKeyId: String, firstUse: Int64, lastUse: Int64) {
        self.accessKeyId = accessKeyId; self.firstUse = firstUse; self.lastUse = lastUse
    }

    /// Whether the key is long-term (an IAM user's access key), the kind the enumeration-then-invocation rule is about.
    public var isLongTerm: Bool { accessKeyId.hasPrefix("AKIA") }

    /// Folds one event in.
    mutating func record(name: String, source: String, time: Int64, principal: String?, address: String?, agent: String?, model: String?) {
        events += 1
        firstUse = min(firstUse, time)
        lastUse = max(lastUse, time)
        if self.principal == nil { self.principal = principal }
        let isBedrock = source == "bedrock.amazonaws.com"
        let invocation = isBedrock && Self.invocationEvents.contains(name)
        let event = TrailEvent(name: name, time: time, address: address, agent: agent, model: model)
        func note(_ key: String?, in table: inout [String: SourceUse]) {
            guard let key else { return }
            if var use = table[key] {
                if time < use.first { use.first = time }
                if time > use.last { use.last = time }
                use.count += 1
                if invocation, use.firstInvocation.map({ time < $0.time }) ?? true { use.firstInvocation = event }
                table[key] = use
            } else if table.count < Self.maxSources {
                table[key] = SourceUse(first: time, last: time, count: 1, firstInvocation: invocation ? event : nil)
            } else {
                dropped += 1
            }
        }
        note(address, in: &addresses)
        note(agent, in: &agents)
        guard isBedrock else { return }
        if invocation {
            let day = ISODate.day(time)
            bedrockCallsByDay[day, default: 0] += 1
            if let model { modelCallsByDay[model, default: [:]][day, default: 0] += 1 }
            let minute = time / 60
            if let kept = invocationsByMinute[minute] {
                if time < kept.time { invocationsByMinute[minute] = event }
            } else if invocationsByMinute.count < Self.maxMinutes {
                invocationsByMinute[minute] = event
            } else {
                dropped += 1
            }
        } else if Self.reconnaissanceEvents.contains(name) {
            if reconnaissance.count < Self.maxEvents { reconnaissance.append(event) } else { dropped += 1 }
        } else if Self.modelAccessEvents.contains(name) {
            if modelAccess.count < Self.maxEvents { modelAccess.append(event) } else { dropped += 1 }
        }
    }

    /// Combines what two trail files said about the same key.
    mutating func merge(_ other: CloudTrailKeyActivity) {
        events += other.events
        firstUse = min(firstUse, other.firstUse)
        lastUse = max(lastUse, other.lastUse)
        principal = principal ?? other.principal
        func combine(_ a: SourceUse, _ b: SourceUse) -> SourceUse {
            let invocation = [a.firstInvocation, b.firstInvocation].compactMap { $0 }.min { $0.time < $1.time }
            return SourceUse(first: min(a.first, b.first), last: max(a.last, b.last), count: a.count + b.count, firstInvocation: invocation)
        }
        for (k, v) in other.addresses {
            if let mine = addresses[k] { addresses[k] = combine(mine, v) } else if addresses.count < Self.maxSources { addresses[k] = v } else { dropped += 1 }
        }
        for (k, v) in other.agents {
            if let mine = agents[k] { agents[k] = combine(mine, v) } else if agents.count < Self.maxSources { agents[k] = v } else { dropped += 1 }
        }
        for (d, n) in other.bedrockCallsByDay { bedrockCallsByDay[d, default: 0] += n }
        for (m, days) in other.modelCallsByDay { for (d, n) in days { modelCallsByDay[m, default: [:]][d, default: 0] += n } }
        reconnaissance += other.reconnaissance.prefix(max(0, Self.maxEvents - reconnaissance.count))
        modelAccess += other.modelAccess.prefix(max(0, Self.maxEvents - modelAccess.count))
        for (minute, e) in other.invocationsByMinute {
            if let kept = invocationsByMinute[minute] {
                if e.time < kept.time { invocationsByMinute[minute] = e }
            } else if invocationsByMinute.count < Self.maxMinutes {
                invocationsByMinute[minute] = e
            } else {
                dropped += 1
            }
        }
        dropped += other.dropped
    }

    /// The activity up to `end` (seconds since 1970): what an as-of date in the past would have seen. Sources first seen
    /// later are dropped; day and model counts after that day too.
    public func until(_ end: Int64) -> CloudTrailKeyActivity {
        guard lastUse > end else { return self }
        var a = self
        a.lastUse = max(firstUse, min(lastUse, end))
        let lastDay = ISODate.day(end)
        func trim(_ table: [String: SourceUse]) -> [String: SourceUse] {
            table.filter { $0.value.first <= end }.mapValues { use in
                var u = use
                u.last = min(u.last, end)
                if let e = u.firstInvocation, e.time > end { u.firstInvocation = nil }
                return u
            }
        }
        a.addresses = trim(addresses)
        a.agents = trim(agents)
        a.bedrockCallsByDay = bedrockCallsByDay.filter { $0.key <= lastDay }
        a.modelCallsByDay = modelCallsByDay.mapValues { $0.filter { $0.key <= lastDay } }.filter { !$0.value.isEmpty }
        a.reconnaissance = reconnaissance.filter { $0.time <= end }
        a.modelAccess = modelAccess.filter { $0.time <= end }
        a.invocationsByMinute = invocationsByMinute.filter { $0.value.time <= end }
        return a
    }

    /// `Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux` → `Boto3`; `aws-cli/2.15.0 …` → `aws-cli`. Versions change
    /// with every upgrade; the product says which tool is calling.
    static func agentProduct(_ userAgent: String) -> String? {
        let first = userAgent.split(whereSeparator: { $0 == " " || $0 == "/" || $0 == "(" }).first.map(String.init) ?? ""
        let trimmed = first.trimmingCharacters(in: CharacterSet(charactersIn: "[]\"'"))
        return trimmed.isEmpty ? nil : String(trimmed.prefix(64))
    }

    /// Whether a `sourceIPAddress` value is a network address (not `bedrock.amazonaws.com` or `AWS Internal`, which
    /// AWS writes when a service calls on the key's behalf).
    static func isNetworkAddress(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 45 && text.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }
            && text.contains(where: \.isNumber)
    }
}
