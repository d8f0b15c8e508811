import Foundation

/// Finds the signature of a stolen key being used: a lasting jump in a credential's daily spend that starts on or
/// after the day the key was first exposed.
///
/// The whole series is searched for level shifts (change points), not two fixed windows around the exposure: abuse
/// that starts weeks after a leak is found, and a key born the day before it leaked has a baseline of one day.
///
/// 1. The series runs from the first day the exports cover (the first usage row, or `coveredFrom` when the caller
///    knows the export started earlier) but not before the key's creation, to the last usage row. Exports omit idle
///    days, so a day inside that range without a row spent nothing.
/// 2. Spend is taken as `log(cost + ε)` (ε = a fifth of `minimumDailySpend`, at least 0.1), so that a jump is a
///    ratio and idle days do not dominate. With three weeks or more, each weekday's typical offset from a moving
///    7-day median is removed: a weekday/weekend rhythm is not a shift.
/// 3. Binary segmentation splits the series where the two sides' mean log-spend differ most (the CUSUM statistic
///    `√(k(m−k)/m)·|mean₁−mean₂| / σ`, σ from the median absolute day-to-day change), while that statistic stays
///    above `threshold`. The baseline of a segment is the mean daily spend of the one before it (at most its last 28
///    days), or of the 28 days before it when that is higher.
/// 4. A segment is abuse when it starts on or after the exposure day, its mean daily spend is at least `multiple` ×
///    the baseline and at least `minimumDailySpend`, and the new level
///    holds: with the segments after it that stay as high, at least `minimumDays` of its days are each that high.
///    The earliest such segment is reported.
///
/// Steady growth splits into many small steps, none `multiple` × the one before; a one-day blip does not persist; a
/// launch before the leak starts before the exposure.
public struct SpendAnomalyDetector: Sendable {
    public var multiple: Double
    public var minimumDailySpend: Double
    /// Days a new level must hold (each at least `multiple` × the baseline) before it counts as abuse.
    public var minimumDays: Int
    /// CUSUM statistic a split must exceed, in units of the series' day-to-day noise.
    public var threshold = 4.0
    /// The baseline is at most this many days of the segment before a shift.
    public var baselineWindow = 28

    public init(multiple: Double = 5, minimumDailySpend: Double = 5, minimumDays: Int = 3) {
        self.multiple = multiple
        self.minimumDailySpend = minimumDailySpend
        self.minimumDays = max(1, minimumDays)
    }

    /// A lasting upward change in daily spend.
    public struct Shift: Sendable, Equatable {
        /// The first day at the new level (`YYYY-MM-DD`).
        public var start: String
        /// Mean daily spend of the baseline: the segment before `start` (at most its last 28 days), or the 28 days before
        /// `start` when their mean is higher.
        public var before: Double
        /// Mean daily spend from `start` until the next change (or the end of the data).
        public var after: Double
        public var baselineDays: Int
        public var days: Int
        /// Days of the new level that were each at least `multiple` × `before`.
        public var elevatedDays: Int
        /// `after / before`; infinite when nothing was spent before.
        public var ratio: Double { before > 0 ? after / before : .infinity }
    }

    public enum Verdict: Sendable, Equatable {
        /// Spend rose to a new level on or after exposure and stayed there.
        case anomaly(Shift)
        /// Enough data, no abuse signature; the text says what was seen (e.g. a rise that began before exposure).
        case normal(String)
        /// Not enough data to judge; the text says what is missing.
        case insufficientData(String)
    }

    /// `daily`: (YYYY-MM-DD, cost) rows, several per day allowed; `exposed`: the day the credential first appeared in a
    /// scanned source; `created`: the provider's creation date, when known (no spend before it); `coveredFrom`: the
    /// first day the usage exports cover, when known to be earlier than the credential's first row.
    /// Amounts in the verdict's text are in `currency` (`Money.format`).
    public func assess(daily: [(day: String, cost: Double)], exposed: String, asOf: String,
                       created: String? = nil, coveredFrom: String? = nil, currency: String = "USD") -> Verdict {
        func money(_ v: Double) -> String { Money.format(v, currency) }
        var byDay: [String: Double] = [:]
        for d in daily where d.day <= asOf && d.cost.isFinite { byDay[d.day, default: 0] += max(0, d.cost) }
        guard let firstRow = byDay.keys.min(), let lastRow = byDay.keys.max() else { return .insufficientData("no usage data") }
        guard let exposedDate = ISODate.parse(exposed) else { return .insufficientData("unknown exposure date") }
        var start = min(coveredFrom ?? firstRow, firstRow)
        if let created, created > start, created <= firstRow { start = created }
        guard let startDate = ISODate.parse(start), let endDate = ISODate.parse(lastRow) else {
            return .insufficientData("unreadable usage dates")
        }
        let n = ISODate.days(from: startDate, to: endDate) + 1
        guard n >= 2, byDay.count >= 2 else { return .insufficientData("usage on one day only (\(firstRow))") }
        func day(_ i: Int) -> String { ISODate.day(startDate.addingTimeInterval(Double(i) * 86_400)) }
        let x = (0..<n).map { byDay[day($0)] ?? 0 }
        let exposedAt = ISODate.days(from: startDate, to: exposedDate)
        guard exposedAt < n else {
            return .insufficientData("usage data ends \(lastRow), before exposure on \(exposed)")
        }

        let segments = changePoints(x, weekdayOfFirstDay: Self.weekday(startDate))
        var pending: Shift?
        var earlyRise: Shift?
        for j in 1..<segments.count - 1 {
            let s = segments[j]
            // The baseline is the level just before: the previous segment, or the last 28 days when they were higher
            // (a run of idle days on an intermittently used key is not its normal level).
            let segmentFrom = max(segments[j - 1], s - baselineWindow), windowFrom = max(0, s - baselineWindow)
            let (baseFrom, before) = mean(x[windowFrom..<s]) > mean(x[segmentFrom..<s])
                ? (windowFrom, mean(x[windowFrom..<s])) : (segmentFrom, mean(x[segmentFrom..<s]))
            let high = max(multiple * before, minimumDailySpend)
            guard mean(x[s..<segments[j + 1]]) >= high else { continue }
            // The new level runs on through the following segments while they stay that high (a weekday rhythm or a
            // second step up splits it, a return to normal ends it).
            var next = segments[j + 1], k = j + 1
            while k + 1 < segments.count, mean(x[segments[k]..<segments[k + 1]]) >= high { k += 1; next = segments[k] }
            let bar = max(multiple * before, minimumDailySpend / 2)
            let shift = Shift(start: day(s), before: before, after: mean(x[s..<next]), baselineDays: s - baseFrom, days: next - s,
                              elevatedDays: x[s..<next].filter { $0 >= bar && $0 > 0 }.count)
            if s < exposedAt {
                if earlyRise == nil { earlyRise = shift }
                continue
            }
            if shift.elevatedDays >= minimumDays { return .anomaly(shift) }
            // Still rising at the end of the data, but not yet for long enough to call.
            if next == n, shift.days < minimumDays, pending == nil { pending = shift }
        }
        if let pending {
            return .insufficientData("spend rose from \(money(pending.before))/day to \(money(pending.after))/day on "
                + "\(pending.start), held \(pending.elevatedDays) day\(pending.elevatedDays == 1 ? "" : "s") before the data ends; "
                + "\(minimumDays) needed to call it abuse")
        }
        let rowsSinceExposure = byDay.keys.filter { $0 >= exposed }.count
        if rowsSinceExposure < minimumDays {
            return .insufficientData("usage on \(rowsSinceExposure) day\(rowsSinceExposure == 1 ? "" : "s") since exposure on \(exposed); "
                + "\(minimumDays) needed")
        }
        if exposedAt <= 0 {
            return .insufficientData("usage data starts \(start), \(exposedAt == 0 ? "on the day of" : "after") exposure on \(exposed): "
                + "the level before the leak is unknown, and it has not shifted since")
        }
        if let earlyRise {
            return .normal("spend rose from \(money(earlyRise.before))/day to \(money(earlyRise.after))/day on \(earlyRise.start), "
                + "before exposure on \(exposed)")
        }
        return .normal("no lasting rise of \(String(format: "%g", multiple))× or more since exposure on \(exposed)")
    }

    /// Segment starts of `x`, with 0 first and `x.count` last.
    func changePoints(_ x: [Double], weekdayOfFirstDay: Int) -> [Int] {
        let epsilon = max(0.1, minimumDailySpend / 5)
        var y = x.map { log($0 + epsilon) }
        if y.count >= 21 { y = removingWeekdayRhythm(y, weekdayOfFirstDay: weekdayOfFirstDay) }
        let diffs = zip(y.dropFirst(), y).map { abs($0 - $1) }.sorted()
        let mad = diffs.isEmpty ? 0 : diffs[diffs.count / 2]
        let sigma = max(0.1, mad / (0.6745 * 2.0.squareRoot()))
        var cuts: [Int] = []
        var stack = [(0, y.count)]
        while let (a, b) = stack.popLast() {
            guard b - a >= 2 else { continue }
            var total = 0.0
            for i in a..<b { total += y[i] }
            var left = 0.0, best = 0.0, bestAt = -1
            for k in (a + 1)..<b {
                left += y[k - 1]
                let n1 = Double(k - a), n2 = Double(b - k), m = Double(b - a)
                let stat = (n1 * n2 / m).squareRoot() * abs(left / n1 - (total - left) / n2) / sigma
                if stat > best { best = stat; bestAt = k }
            }
            guard best > threshold, bestAt > 0 else { continue }
            cuts.append(bestAt)
            stack.append((a, bestAt))
            stack.append((bestAt, b))
        }
        return [0] + cuts.sorted() + [y.count]
    }

    /// Subtracts each weekday's median offset from a centred 7-day moving median: what is left is the level.
    func removingWeekdayRhythm(_ y: [Double], weekdayOfFirstDay: Int) -> [Double] {
        var offsets: [[Double]] = Array(repeating: [], count: 7)
        for t in y.indices {
            let window = y[max(0, t - 3)...min(y.count - 1, t + 3)].sorted()
            offsets[(weekdayOfFirstDay + t) % 7].append(y[t] - window[window.count / 2])
        }
        let effect = offsets.map { o -> Double in
            let s = o.sorted()
            return s.isEmpty ? 0 : s[s.count / 2]
        }
        return y.indices.map { y[$0] - effect[(weekdayOfFirstDay + $0) % 7] }
    }

    /// 0 = Thursday 1970-01-01; only the cycle matters.
    static func weekday(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) % 7 }

    func mean(_ values: ArraySlice<Double>) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    /// A spike without a known exposure: the last 7 days against the 28 before them.
    public func recentSpike(daily: [(day: String, cost: Double)], asOf: String) -> (before: Double, after: Double)? {
        guard let end = ISODate.parse(asOf) else { return nil }
        var byDay: [String: Double] = [:]
        for d in daily { byDay[d.day, default: 0] += d.cost }
        guard let first = daily.map(\.day).min() else { return nil }
        func day(_ offset: Int) -> String { ISODate.day(end.addingTimeInterval(Double(-offset) * 86_400)) }
        let recent = (0..<7).map(day)
        let prior = (7..<35).map(day).filter { $0 >= first }
        guard prior.count >= 7 else { return nil }
        let after = recent.reduce(0) { $0 + (byDay[$1] ?? 0) } / 7
        let before = prior.reduce(0) { $0 + (byDay[$1] ?? 0) } / Double(prior.count)
        guard after >= minimumDailySpend, after >= multiple * max(before, 0.01) else { return nil }
        return (before, after)
    }
}
