import Foundation

/// Where the rows of one usage scope go: one credential, the credentials of a project/workspace/account, the
/// organisation, or nowhere (and why).
enum LedgerTarget: Equatable {
    /// One credential, and how the row named it (`api key id`, `secret hash`, `IAM principal`).
    case credential(Int, how: String)
    /// A project, workspace or account and its credentials (possibly none).
    case group(String, members: [Int])
    /// The provider's whole organisation.
    case organization
    /// No credential can carry it (a key id no listing names, an ambiguous principal).
    case unresolved(String, reason: String)
}

/// One cost ledger per credential and day, fed by every usage and cost row of every export.
///
/// Each day of each credential gets one figure, made by the best source that covers it (`CostBasis`, best first):
/// 1. **provider cost by key**: the provider billed this key (OpenAI costs by `api_key_id`, CUR 2.0 by IAM principal,
///    LiteLLM spend by key hash);
/// 2. **provider cost apportioned**: the provider billed the key's project or workspace (Anthropic's cost report cannot
///    be grouped by key); what the keys billed by key do not cover is shared among the other keys by their priced
///    usage that day, so a key without usage gets $0 (approximate);
/// 3. **price table**: the key's own tokens priced by class (uncached, cached, cache writes 5 min / 1 h, batch) from the
///    dated table (estimated);
/// 4. **account approximation**: project- or account-level spend with nothing to apportion it by, split evenly across
///    the project's credentials (approximate).
///
/// Before that, identical buckets read from different files (two overlapping monthly pulls) count once, and when two
/// formats of one provider bill the same scope and day (LiteLLM spend logs and its daily spend tables) one format is
/// taken for that day. Organisation-level rows, projects without a listed credential and keys no listing names are
/// **unattributed**: credited to no credential but kept, so attributed + unattributed = what the exports say was spent.
/// Amounts are never added across currencies: `rates` (keyledger.yml `currency_rates`) converts into `rates.currency`
/// first, and amounts without a rate stay in their own currency.
struct CostLedger {
    /// One credential-day.
    struct Figure {
        var costs: [String: Double] = [:]
        var basis: CostBasis?
        var detail: String?
        var tokens = 0
        var requests = 0
        var files: Set<String> = []
    }

    /// Spend no credential carries, per provider, scope and day.
    struct Unattributed: Equatable {
        var provider: String
        var scope: String
        var day: String
        var amount: Double
        var currency: String
        var reason: String
        var estimated: Bool
    }

    private(set) var days: [[String: Figure]]
    private(set) var unattributed: [Unattributed] = []
    /// Tokens of unpriced models per credential (nil: rows no credential carries), model → tokens.
    private(set) var unpriced: [Int?: [String: Int]] = [:]
    /// How each credential's key-level rows were matched (`api key id`).
    private(set) var exactHow: [Set<String>]
    /// Buckets dropped because an identical one was read from another file.
    private(set) var duplicateBuckets = 0
    /// Per credential: files whose rows were dropped because another format of the same provider covered the day.
    private(set) var supersededFormats: [Int: Set<String>] = [:]
    private(set) var derivedUnits: [Int: Set<String>] = [:]
    /// Per export file, the first day it has a row for (any scope): from then on the file covers the days, so a day it
    /// has no row for a key on spent nothing on that key (`UsageSource.coveredFrom`, the spend detector's series start).
    private(set) var firstDayOfFile: [String: String] = [:]
    /// Per credential, from its key-level rows that name a model: model → day → cost (billed, else priced; 0 when
    /// neither); and the formats of its rows that name none (the model-mix signal, `ModelUsage`).
    private(set) var modelDays: [Int: [String: [String: Double]]] = [:]
    private(set) var unnamedModelFormats: [Int: Set<String>] = [:]

    /// The formats of one provider that bill the same rows, preferred first: LiteLLM's daily tables are the proxy's own
    /// rollup of its spend logs and outlive the logs' retention.
    static let formatPreference = ["litellm.daily-spend", "litellm.spend-logs"]

    init(records input: [UsageRecord], credentials: Int, resolve: (UsageScope) -> LedgerTarget, prices: PriceTable,
         rates: CurrencyRates = CurrencyRates()) {
        days = Array(repeating: [:], count: credentials)
        exactHow = Array(repeating: [], count: credentials)
        let records = Self.oneSourcePerPeriod(Self.deduplicated(input.map(rates.convert), dropped: &duplicateBuckets))
        for r in input where firstDayOfFile[r.source].map({ r.day < $0 }) ?? true { firstDayOfFile[r.source] = r.day }

        // Accumulators: billed and priced amounts at key, group and organisation level, per day.
        typealias Money = [String: Double]
        var keyBilled: [Int: [String: Money]] = [:]
        var keyPriced: [Int: [String: Double]] = [:]
        var groupBilled: [String: [String: Money]] = [:]
        var groupPriced: [String: [String: Double]] = [:]
        var groupFiles: [String: Set<String>] = [:]
        var groupMembers: [String: [Int]] = [:]
        var groupProvider: [String: String] = [:]
        var orgBilled: [String: [String: Money]] = [:]
        var orgPriced: [String: [String: Double]] = [:]
        // What the finer levels hold per provider and day, for the organisation-level residual.
        var finerBilled: [String: [String: Money]] = [:]
        var finerPriced: [String: [String: Double]] = [:]
        var keyHasData: [Int: Set<String>] = [:]

        for (r, superseded) in records {
            let target = resolve(r.scope)
            var priced: Double?
            if r.cost == nil, r.inputTokens + r.outputTokens > 0 {
                priced = prices.estimate(r)
                if priced == nil {
                    let model = r.model ?? "unnamed model"
                    let owner: Int? = { if case .credential(let i, _) = target { return i }; return nil }()
                    unpriced[owner, default: [:]][model, default: 0] += r.inputTokens + r.outputTokens
                }
            }
            if case .organization = target {} else {
                if let cost = r.cost { finerBilled[r.provider, default: [:]][r.day, default: [:]][r.currency, default: 0] += cost }
                if let priced { finerPriced[r.provider, default: [:]][r.day, default: 0] += priced }
            }
            switch target {
            case .credential(let i, let how):
                exactHow[i].insert(how)
                if let superseded { supersededFormats[i, default: []].insert(superseded) }
                if let unit = r.derivedTokenUnit { derivedUnits[i, default: []].insert(unit) }
                keyHasData[i, default: []].insert(r.day)
                var f = days[i][r.day] ?? Figure()
                f.tokens += r.inputTokens + r.outputTokens
                f.requests += r.requests
                f.files.insert(r.source)
                days[i][r.day] = f
                if let cost = r.cost { keyBilled[i, default: [:]][r.day, default: [:]][r.currency, default: 0] += cost }
                if let priced { keyPriced[i, default: [:]][r.day, default: 0] += priced }
                if let model = r.model, !model.isEmpty {
                    modelDays[i, default: [:]][model, default: [:]][r.day, default: 0] += r.cost ?? priced ?? 0
                } else {
                    unnamedModelFormats[i, default: []].insert(r.format.isEmpty ? r.source : r.format)
                }
            case .group(let name, let members):
                let g = r.provider + ":" + name
                groupMembers[g] = members
                groupProvider[g] = name
                groupFiles[g, default: []].insert(r.source)
                if let cost = r.cost { groupBilled[g, default: [:]][r.day, default: [:]][r.currency, default: 0] += cost }
                if let priced { groupPriced[g, default: [:]][r.day, default: 0] += priced }
            case .organization:
                if let cost = r.cost { orgBilled[r.provider, default: [:]][r.day, default: [:]][r.currency, default: 0] += cost }
                if let priced { orgPriced[r.provider, default: [:]][r.day, default: 0] += priced }
            case .unresolved(let scope, let reason):
                if let cost = r.cost {
                    unattributed.append(Unattributed(provider: r.provider, scope: scope, day: r.day, amount: cost, currency: r.currency,
                                                     reason: reason, estimated: false))
                } else if let priced {
                    unattributed.append(Unattributed(provider: r.provider, scope: scope, day: r.day, amount: priced, currency: "USD",
                                                     reason: reason, estimated: true))
                }
            }
        }

        // 1 and 3: the key's own billed cost, else its priced tokens.
        for (i, byDay) in keyBilled {
            for (day, money) in byDay {
                days[i][day, default: Figure()].costs = money
                days[i][day, default: Figure()].basis = .providerCostByKey
            }
        }
        for (i, byDay) in keyPriced {
            for (day, usd) in byDay where days[i][day, default: Figure()].basis == nil && usd > 0 {
                days[i][day, default: Figure()].costs = ["USD": usd]
                days[i][day, default: Figure()].basis = .priceTable
            }
        }

        // 2 and 4: project / workspace / account-level rows.
        for g in Set(groupBilled.keys).union(groupPriced.keys).sorted() {
            let members = groupMembers[g] ?? []
            let name = groupProvider[g] ?? g
            let provider = String(g.prefix { $0 != ":" })
            let billedDays = groupBilled[g] ?? [:]
            for (day, money) in billedDays {
                for (currency, amount) in money {
                    let covered = members.reduce(0.0) { $0 + (keyBilled[$1]?[day]?[currency] ?? 0) }
                    let residual = amount - covered
                    guard residual > 0.000_001 else { continue }
                    let candidates = members.filter { keyBilled[$0]?[day] == nil }
                    let weights = candidates.map { keyPriced[$0]?[day] ?? 0 }
                    let total = weights.reduce(0, +)
                    if total > 0 {
                        for (m, w) in zip(candidates, weights) where w > 0 {
                            set(m, day, currency: currency, amount: residual * w / total, basis: .providerCostApportioned,
                                detail: "\(name) cost apportioned by priced usage", files: groupFiles[g] ?? [])
                        }
                    } else if !candidates.isEmpty {
                        // Nothing to apportion by: the spend belongs to the keys the exports never report by key, when there
                        // are such; else to every key without its own bill that day.
                        let unreported = candidates.filter { keyHasData[$0] == nil }
                        let shares = unreported.isEmpty ? candidates : unreported
                        for m in shares {
                            set(m, day, currency: currency, amount: residual / Double(shares.count), basis: .accountApproximation,
                                detail: "\(name)-level spend" + (shares.count > 1 ? " split across \(shares.count) credentials" : ""),
                                files: groupFiles[g] ?? [])
                        }
                    } else {
                        unattributed.append(Unattributed(
                            provider: provider, scope: name, day: day, amount: residual, currency: currency,
                            reason: members.isEmpty ? "no listed or scanned credential belongs to \(name)" : "\(name) cost beyond what its keys were billed",
                            estimated: false))
                    }
                }
            }
            for (day, usd) in groupPriced[g] ?? [:] where billedDays[day] == nil && usd > 0 {
                // Finer rows of the same project that day are the same usage seen closer: nothing left to place.
                guard !members.contains(where: { keyHasData[$0]?.contains(day) ?? false }) else { continue }
                if members.isEmpty {
                    unattributed.append(Unattributed(provider: provider, scope: name, day: day, amount: usd, currency: "USD",
                                                     reason: "no listed or scanned credential belongs to \(name)", estimated: true))
                    continue
                }
                for m in members {
                    set(m, day, currency: "USD", amount: usd / Double(members.count), basis: .accountApproximation,
                        detail: "\(name)-level usage" + (members.count > 1 ? " split across \(members.count) credentials" : ""),
                        files: groupFiles[g] ?? [])
                }
            }
        }

        // Organisation-level rows: what the finer rows of the same provider and day do not already hold.
        for (provider, byDay) in orgBilled {
            for (day, money) in byDay {
                for (currency, amount) in money {
                    let residual = amount - (finerBilled[provider]?[day]?[currency] ?? 0)
                    guard residual > 0.005 else { continue }
                    unattributed.append(Unattributed(provider: provider, scope: "organization", day: day, amount: residual, currency: currency,
                                                     reason: "organisation-level cost (not grouped by key or project)", estimated: false))
                }
            }
        }
        for (provider, byDay) in orgPriced {
            for (day, usd) in byDay where orgBilled[provider]?[day] == nil {
                let residual = usd - (finerPriced[provider]?[day] ?? 0)
                guard residual > 0.005 else { continue }
                unattributed.append(Unattributed(provider: provider, scope: "organization", day: day, amount: residual, currency: "USD",
                                                 reason: "organisation-level usage (not grouped by key or project)", estimated: true))
            }
        }
        unattributed.sort { ($0.provider, $0.scope, $0.day, $0.currency) < ($1.provider, $1.scope, $1.day, $1.currency) }
    }

    /// Gives credential `m` an approximate figure for `day` unless a better basis already made it.
    private mutating func set(_ m: Int, _ day: String, currency: String, amount: Double, basis: CostBasis, detail: String, files: Set<String>) {
        var f = days[m][day] ?? Figure()
        if let current = f.basis, current < basis { return }
        if f.basis != basis { f.costs = [:] }
        f.costs[currency, default: 0] += amount
        f.basis = basis
        f.detail = detail
        f.files.formUnion(files)
        days[m][day] = f
    }

    // MARK: de-duplication and one source per period

    /// Everything of a record but the file it came from.
    private struct BucketKey: Hashable {
        var provider: String, scope: UsageScope, day: String, model: String?, bucket: String?, format: String
        var cost: Double?, currency: String, input: Int, output: Int, requests: Int
        var cached: Int, write5m: Int, write1h: Int, batch: Bool
        init(_ r: UsageRecord) {
            provider = r.provider; scope = r.scope; day = r.day; model = r.model; bucket = r.bucket; format = r.format
            cost = r.cost; currency = r.currency; input = r.inputTokens; output = r.outputTokens; requests = r.requests
            cached = r.cachedInputTokens; write5m = r.cacheWrite5mTokens; write1h = r.cacheWrite1hTokens; batch = r.batch
        }
    }

    /// Identical buckets from different files count once; within one file every row counts (a file's rows are distinct
    /// buckets by construction, and a row repeated in one file is kept as often as that file repeats it).
    static func deduplicated(_ records: [UsageRecord], dropped: inout Int) -> [UsageRecord] {
        var perFile: [BucketKey: [String: Int]] = [:]
        for r in records { perFile[BucketKey(r), default: [:]][r.source, default: 0] += 1 }
        // The most rows any one file holds of each bucket: how many of it count.
        let allowedPerBucket = perFile.mapValues { $0.values.max() ?? 0 }
        var kept: [BucketKey: Int] = [:]
        var out: [UsageRecord] = []
        for r in records {
            let key = BucketKey(r)
            let allowed = allowedPerBucket[key, default: 0]
            if kept[key, default: 0] < allowed {
                kept[key, default: 0] += 1
                out.append(r)
            } else {
                dropped += 1
            }
        }
        return out
    }

    /// When two formats of one provider bill the same scope and day, the day's rows come from one format (the first of
    /// `formatPreference`, else the first by name); the other format's file is returned with each kept row.
    static func oneSourcePerPeriod(_ records: [UsageRecord]) -> [(UsageRecord, superseded: String?)] {
        struct Slot: Hashable { var provider: String; var scope: UsageScope; var day: String }
        var formats: [Slot: Set<String>] = [:]
        for r in records where r.cost != nil { formats[Slot(provider: r.provider, scope: r.scope, day: r.day), default: []].insert(r.format) }
        func rank(_ f: String) -> (Int, String) { (formatPreference.firstIndex(of: f) ?? formatPreference.count, f) }
        var out: [(UsageRecord, String?)] = []
        for r in records {
            guard r.cost != nil, let set = formats[Slot(provider: r.provider, scope: r.scope, day: r.day)], set.count > 1 else {
                out.append((r, nil)); continue
            }
            let chosen = set.min { rank($0) < rank($1) }!
            if r.format == chosen { out.append((r, set.subtracting([chosen]).sorted().joined(separator: ", "))) }
        }
        return out
    }
}

/// keyledger.yml `currency_rates`: how many units of `currency` one unit of each other currency is worth.
public struct CurrencyRates: Sendable, Equatable {
    /// The currency amounts are converted into (`USD` unless the section says `currency:`).
    public var currency: String
    public var rates: [String: Double]

    public init(currency: String = "USD", rates: [String: Double] = [:]) {
        self.currency = currency.uppercased()
        self.rates = Dictionary(rates.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// The record with its cost in `currency` when a rate is known; unchanged otherwise.
    func convert(_ record: UsageRecord) -> UsageRecord {
        guard let cost = record.cost, record.currency.uppercased() != currency, let rate = rates[record.currency.uppercased()] else {
            return record
        }
        var r = record
        r.cost = cost * rate
        r.currency = currency
        return r
    }
}
