import Foundation

/// The models a credential's own usage rows name, by day, as the cost ledger read them.
public struct ModelUsage: Sendable, Equatable {
    /// Model → day (`YYYY-MM-DD`) → cost (billed, else priced from tokens; 0 when neither), from the key-level rows
    /// that name a model.
    public var byModel: [String: [String: Double]]
    /// The export formats whose key-level rows for this credential name no model (OpenAI's cost export by line item,
    /// a CUR without a model column): they cannot show a change of model mix.
    public var unnamedFormats: [String]

    public init(byModel: [String: [String: Double]], unnamedFormats: [String] = []) {
        self.byModel = byModel
        self.unnamedFormats = unnamedFormats
    }
}

/// A second, independent abuse signal from the spend and usage exports (CloudTrail's per-model calls give the same
/// signal as `cloudtrail.new-model-after-exposure`): after the exposure, the key starts calling a model it never
/// called before, and that model takes a meaningful share of its spend.
///
/// A model is *new* when the key's rows name it first on or after the exposure day, while rows from before that day
/// name other models (without usage before the exposure there is nothing to compare with). Its *share* is its cost
/// from its first day to the end of the data over the cost of every model the key's rows name over the same days. The
/// earliest new model with a share ≥ `minimumShare` and a cost ≥ `minimumSpend` is reported.
public struct ModelMixShift: Sendable {
    public var minimumShare: Double
    public var minimumSpend: Double

    public init(minimumShare: Double = 0.25, minimumSpend: Double = 5) {
        self.minimumShare = minimumShare
        self.minimumSpend = minimumSpend
    }

    public struct Finding: Sendable, Equatable {
        public var model: String
        /// The first day the key's rows name the model.
        public var since: String
        /// Its share (0–1) of the key's spend from `since` on, and its cost over those days.
        public var share: Double
        public var spend: Double
        /// Models the key used before the exposure, sorted.
        public var previous: [String]
        /// Other new models that also passed the bar.
        public var others: Int
    }

    public enum Verdict: Sendable, Equatable {
        case shift(Finding)
        /// No new model at a meaningful share, or nothing from before the exposure to compare with.
        case none
        /// The key has usage rows, none of which name a model: the formats are named.
        case noModelData([String])
    }

    public func assess(_ usage: ModelUsage, exposed: String, asOf: String) -> Verdict {
        let byModel = usage.byModel.mapValues { $0.filter { $0.key <= asOf } }.filter { !$0.value.isEmpty }
        guard !byModel.isEmpty else { return usage.unnamedFormats.isEmpty ? .none : .noModelData(usage.unnamedFormats) }
        let previous = byModel.filter { $0.value.keys.contains { $0 < exposed } }.keys.sorted()
        guard !previous.isEmpty else { return .none }
        let findings: [Finding] = byModel.compactMap { model, days in
            guard let first = days.keys.min(), first >= exposed else { return nil }
            let spend = days.values.reduce(0, +)
            let total = byModel.values.reduce(0.0) { sum, d in sum + d.filter { $0.key >= first }.values.reduce(0, +) }
            guard total > 0 else { return nil }
            let share = spend / total
            guard share >= minimumShare, spend >= minimumSpend else { return nil }
            return Finding(model: model, since: first, share: share, spend: spend, previous: previous, others: 0)
        }.sorted { ($0.since, $0.model) < ($1.since, $1.model) }
        guard var first = findings.first else { return .none }
        first.others = findings.count - 1
        return .shift(first)
    }
}
