import Foundation

/// Finds the signature of a stolen key being used: daily spend after the credential first appeared in a
/// repository jumps far above its spend before.
///
/// Compares the mean daily spend of the `window` days from the exposure day on (up to as-of) with the mean of the
/// `window` days before it. Days inside a window without a usage row count as zero spend, since exports omit idle
/// days. Needs at least `minimumBaselineDays` of history before exposure, otherwise it says it cannot judge.
public struct SpendAnomalyDetector: Sendable {
    public var multiple: Double
    public var minimumDailySpend: Double
    public var window = 14
    public var minimumBaselineDays = 3

    public init(multiple: Double = 5, minimumDailySpend: Double = 5) {
        self.multiple = multiple
        self.minimumDailySpend = minimumDailySpend
    }

    public enum Verdict: Sendable, Equatable {
        /// Spend jumped after exposure: means before and after, and their ratio (infinite when nothing was spent before).
        case anomaly(before: Double, after: Double, ratio: Double)
        case normal(before: Double, after: Double)
        /// Not enough data before or after exposure to compare.
        case insufficientData(String)
    }

    /// `daily`: (YYYY-MM-DD, cost); `exposed`: the day the credential first appeared in a scanned source.
    public func assess(daily: [(day: String, cost: Double)], exposed: String, asOf: String) -> Verdict {
        let covered = daily.map(\.day).filter { $0 <= asOf }
        guard let firstData = covered.min() else { return .insufficientData("no usage data") }
        var byDay: [String: Double] = [:]
        for d in daily { byDay[d.day, default: 0] += d.cost }
        guard let exposedDate = ISODate.parse(exposed), let asOfDate = ISODate.parse(asOf) else {
            return .insufficientData("unknown exposure date")
        }
        func day(_ offset: Int) -> String { ISODate.day(exposedDate.addingTimeInterval(Double(offset) * 86_400)) }
        // Before: the window preceding exposure, but not earlier than the first day the exports cover.
        let beforeDays = (1...window).map { day(-$0) }.filter { $0 >= firstData }
        guard beforeDays.count >= minimumBaselineDays else {
            return .insufficientData("usage data starts \(firstData), fewer than \(minimumBaselineDays) days before exposure on \(exposed)")
        }
        let lastDay = min(ISODate.day(asOfDate), covered.max() ?? exposed)
        let afterDays = (0..<window).map { day($0) }.filter { $0 <= lastDay }
        guard !afterDays.isEmpty else { return .insufficientData("no usage data after exposure on \(exposed)") }
        let before = beforeDays.reduce(0) { $0 + (byDay[$1] ?? 0) } / Double(beforeDays.count)
        let after = afterDays.reduce(0) { $0 + (byDay[$1] ?? 0) } / Double(afterDays.count)
        let ratio = before > 0 ? after / before : (after > 0 ? .infinity : 0)
        if after >= minimumDailySpend && ratio >= multiple {
            return .anomaly(before: before, after: after, ratio: ratio)
        }
        return .normal(before: before, after: after)
    }

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
