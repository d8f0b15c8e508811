import Foundation

public struct Usage: Codable, Sendable, Equatable {
    /// `spend_30d`: spend in the 30 days ending `as_of`, in `currency`.
    public var spend30d: Double
    /// `spend_7d`: spend in the 7 days ending `as_of`, in `currency`.
    public var spend7d: Double
    /// `requests_30d`: requests in those 30 days.
    public var requests30d: Int
    /// `tokens_30d`: tokens (input and output, cached included) in those 30 days.
    public var tokens30d: Int
    /// `currency`: ISO 4217 code of the amounts.
    public var currency: String
    /// `link`: how spend was tied to the key (`exact: api key id`, `approximate: …`).
    public var link: String?
    /// Extension: part of the cost was estimated from tokens with the dated price table.
    public var estimated: Bool?
    /// Extension: daily spend, tokens and requests, oldest first (the spend-anomaly signal).
    public var daily: [DailyUsageRecord]?
    /// Extension: which source made the figures, one entry per cost basis, best first (see `CostLedger`).
    public var sources: [UsageSource]? = nil
    /// Extension: token usage the price table could not price ("N tokens of MODEL"); its cost is unknown, not $0.
    public var unpriced: [String]? = nil

    public init(spend30d: Double, spend7d: Double, requests30d: Int, tokens30d: Int, currency: String, link: String?,
                estimated: Bool?, daily: [DailyUsageRecord]?, sources: [UsageSource]? = nil, unpriced: [String]? = nil) {
        self.spend30d = spend30d; self.spend7d = spend7d; self.requests30d = requests30d; self.tokens30d = tokens30d
        self.currency = currency; self.link = link; self.estimated = estimated; self.daily = daily
        self.sources = sources; self.unpriced = unpriced
    }

    enum CodingKeys: String, CodingKey {
        case currency, link, estimated, daily, sources, unpriced
        case spend30d = "spend_30d"
        case spend7d = "spend_7d"
        case requests30d = "requests_30d"
        case tokens30d = "tokens_30d"
    }

    public static let none = Usage(spend30d: 0, spend7d: 0, requests30d: 0, tokens30d: 0, currency: "USD", link: nil, estimated: nil, daily: nil)

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(spend30d, forKey: .spend30d)
        try c.encode(spend7d, forKey: .spend7d)
        try c.encode(requests30d, forKey: .requests30d)
        try c.encode(tokens30d, forKey: .tokens30d)
        try c.encode(currency, forKey: .currency)
        try c.encode(link, forKey: .link)
        try c.encodeIfPresent(estimated, forKey: .estimated)
        try c.encodeIfPresent(daily, forKey: .daily)
        try c.encodeIfPresent(sources, forKey: .sources)
        try c.encodeIfPresent(unpriced, forKey: .unpriced)
    }
}

/// One cost basis of a credential's figures: how much of the 30-day spend it made, on how many days, from which files.
public struct UsageSource: Codable, Sendable, Equatable {
    /// `basis`: which precedence level made the figures.
    public var basis: CostBasis
    /// `spend_30d`: spend in the 30 days ending `as_of`, in `currency`.
    public var spend30d: Double
    /// Days (of all the exports cover) whose figure this basis made.
    public var days: Int
    /// The export files the figures were read from.
    public var files: [String]
    /// What was apportioned or split (`wrkspc_01 cost`), when the basis is an approximation.
    public var detail: String?

    /// `covered_from` (extension): the first day the files cover (the earliest row of any scope in them), `YYYY-MM-DD`:
    /// from then on a day without a row for this credential spent nothing, which is what the spend-anomaly detector's
    /// series starts from.
    public var coveredFrom: String? = nil

    enum CodingKeys: String, CodingKey {
        case basis, days, files, detail
        case spend30d = "spend_30d"
        case coveredFrom = "covered_from"
    }
}

/// One day of a credential's usage in the register.
public struct DailyUsageRecord: Codable, Sendable, Equatable {
    /// `date`: the day, `YYYY-MM-DD`.
    public var date: String
    /// `cost`: that day's spend, in the usage's `currency`.
    public var cost: Double
    /// `tokens`: that day's tokens.
    public var tokens: Int
    /// `requests`: that day's requests.
    public var requests: Int
}
