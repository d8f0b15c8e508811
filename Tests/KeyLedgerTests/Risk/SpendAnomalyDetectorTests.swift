import XCTest
@testable import KeyLedger

/// The abuse signature on a battery of crafted daily series (issue 12): each case pins the detector's exact verdict.
/// Series are written as exports write them: a day without spend has no row.
final class SpendAnomalyDetectorTests: XCTestCase {
    let detector = SpendAnomalyDetector(multiple: 5, minimumDailySpend: 5, minimumDays: 3)
    let asOf = "2026-11-20"

    /// Rows for `count` days from `from`, with the cost of day `i`; days costing nothing are left out.
    func rows(from: String = "2026-10-01", days count: Int, _ cost: (Int) -> Double) -> [(day: String, cost: Double)] {
        let start = ISODate.parse(from)!
        return (0..<count).compactMap { i in
            let c = cost(i)
            return c > 0 ? (ISODate.day(start.addingTimeInterval(Double(i) * 86_400)), c) : nil
        }
    }

    /// The case: a key created 10-27 and committed 10-28 spends $2.50/day; from 11-05 (8 days after the
    /// leak) $270/day. The fixed windows gave up ("too little history before the leak").
    func testNewKeyWithDelayedAbuse() {
        let series = rows(from: "2026-10-27", days: 24) { $0 < 9 ? 2.5 : 270 }
        let verdict = detector.assess(daily: series, exposed: "2026-10-28", asOf: asOf, created: "2026-10-27")
        XCTAssertEqual(verdict, .anomaly(.init(start: "2026-11-05", before: 2.5, after: 270, baselineDays: 9, days: 15, elevatedDays: 15)))
    }

    /// A long, noisy baseline and abuse from the day after the commit.
    func testLongBaselineWithImmediateAbuse() {
        let series = rows(days: 50) { $0 >= 28 ? 92 + Double($0 % 7) * 6 : 3.2 + Double($0 % 4) * 0.4 }
        guard case .anomaly(let shift) = detector.assess(daily: series, exposed: "2026-10-28", asOf: asOf) else {
            return XCTFail("immediate abuse missed")
        }
        XCTAssertEqual(shift.start, "2026-10-29")
        XCTAssertEqual(shift.baselineDays, 28)
        XCTAssertEqual(shift.before, 3.8, accuracy: 0.001)
        XCTAssertEqual(shift.days, 22)
        XCTAssertEqual(shift.elevatedDays, 22)
    }

    /// Abuse three weeks after the leak, on a key with months of history.
    func testAbuseWeeksAfterTheLeak() {
        let series = rows(from: "2026-08-01", days: 111) { $0 >= 92 ? 140 : 12 }
        guard case .anomaly(let shift) = detector.assess(daily: series, exposed: "2026-10-10", asOf: asOf) else {
            return XCTFail("late abuse missed")
        }
        XCTAssertEqual(shift.start, "2026-11-01")
        XCTAssertEqual(shift.before, 12, accuracy: 0.001)
        XCTAssertEqual(shift.after, 140, accuracy: 0.001)
    }

    /// +5% a day for 90 days is 80× overall, but never a step.
    func testSteadyGrowthIsQuiet() {
        let series = rows(from: "2026-08-22", days: 90) { 10 * pow(1.05, Double($0)) }
        XCTAssertEqual(detector.assess(daily: series, exposed: "2026-10-01", asOf: asOf),
                       .normal("no lasting rise of 5× or more since exposure on 2026-10-01"))
    }

    /// A product launch (test traffic, then real traffic) before the key leaked.
    func testLaunchBeforeTheLeakIsQuiet() {
        let series = rows(days: 50) { $0 < 9 ? 0.4 : 50 }
        XCTAssertEqual(detector.assess(daily: series, exposed: "2026-10-28", asOf: asOf),
                       .normal("spend rose from $0.40/day to $50.00/day on 2026-10-10, before exposure on 2026-10-28"))
    }

    /// Busy weekdays, idle weekends (no rows at all): a 30× swing every Monday that is not a shift.
    func testWeekdayRhythmIsQuiet() {
        // 2026-09-28 is a Monday.
        let series = rows(from: "2026-09-28", days: 53) { $0 % 7 >= 5 ? 0 : 60 }
        XCTAssertEqual(detector.assess(daily: series, exposed: "2026-10-28", asOf: asOf),
                       .normal("no lasting rise of 5× or more since exposure on 2026-10-28"))
    }

    /// Abuse on a key with a weekday rhythm is still found.
    func testAbuseOnAWeekdayRhythmIsFound() {
        let series = rows(from: "2026-09-28", days: 53) { $0 >= 38 ? 900 : ($0 % 7 >= 5 ? 1 : 30) }
        guard case .anomaly(let shift) = detector.assess(daily: series, exposed: "2026-10-28", asOf: asOf) else {
            return XCTFail("abuse on a rhythmic key missed")
        }
        XCTAssertEqual(shift.start, "2026-11-05")
    }

    /// One expensive day (a batch job) after the leak does not persist.
    func testOneDayBlipIsQuiet() {
        let series = rows(days: 50) { $0 == 35 ? 900 : 20 }
        XCTAssertEqual(detector.assess(daily: series, exposed: "2026-10-28", asOf: asOf),
                       .normal("no lasting rise of 5× or more since exposure on 2026-10-28"))
    }

    /// Noise of ±40% around a steady level.
    func testNoisySteadySpendIsQuiet() {
        var state: UInt64 = 12
        let series = rows(days: 50) { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return 40 * (0.6 + 0.8 * Double(state >> 33) / Double(1 << 31))
        }
        XCTAssertEqual(detector.assess(daily: series, exposed: "2026-10-28", asOf: asOf),
                       .normal("no lasting rise of 5× or more since exposure on 2026-10-28"))
    }

    /// Heavy use that started (and stayed) before the key was committed is not blamed on the leak.
    func testAbuseBeforeExposureIsNotBlamedOnTheLeak() {
        let series = rows(days: 50) { $0 >= 9 ? 100 : 4 }
        XCTAssertEqual(detector.assess(daily: series, exposed: "2026-10-28", asOf: asOf),
                       .normal("spend rose from $4.00/day to $100.00/day on 2026-10-10, before exposure on 2026-10-28"))
    }

    /// Two rows three weeks apart say nothing either way.
    func testSparseDataSaysSo() {
        let series: [(day: String, cost: Double)] = [("2026-10-20", 3), ("2026-11-10", 300)]
        XCTAssertEqual(detector.assess(daily: series, exposed: "2026-10-28", asOf: asOf),
                       .insufficientData("spend rose from $0.14/day to $300.00/day on 2026-11-10, held 1 day before the data ends; 3 needed to call it abuse"))
        XCTAssertEqual(detector.assess(daily: [("2026-11-10", 300)], exposed: "2026-10-28", asOf: asOf),
                       .insufficientData("usage on one day only (2026-11-10)"))
        XCTAssertEqual(detector.assess(daily: [], exposed: "2026-10-28", asOf: asOf), .insufficientData("no usage data"))
    }

    /// A rise in the last two days of data: too early to call.
    func testRiseTooRecentToCall() {
        let series = rows(days: 50) { $0 >= 48 ? 200 : 5 }
        XCTAssertEqual(detector.assess(daily: series, exposed: "2026-10-28", asOf: asOf),
                       .insufficientData("spend rose from $5.00/day to $200.00/day on 2026-11-18, held 2 days before the data ends; 3 needed to call it abuse"))
    }

    /// Data that starts after the leak, at a level that never changes: the level before the leak is unknown.
    func testNoDataBeforeExposureAndNoShiftSaysSo() {
        XCTAssertEqual(detector.assess(daily: rows(days: 50) { _ in 100 }, exposed: "2026-10-01", asOf: asOf),
                       .insufficientData("usage data starts 2026-10-01, on the day of exposure on 2026-10-01: the level before the leak is unknown, and it has not shifted since"))
    }

    /// From nothing to heavy use is abuse; pennies to a dollar is not (below `minimumDailySpend`).
    func testFromNothingAndPennies() {
        guard case .anomaly(let shift) = detector.assess(daily: rows(days: 50) { $0 >= 28 ? 50 : ($0 == 0 ? 0.01 : 0) },
                                                         exposed: "2026-10-28", asOf: asOf) else {
            return XCTFail("zero-to-heavy missed")
        }
        XCTAssertEqual(shift.start, "2026-10-29")
        guard case .normal = detector.assess(daily: rows(days: 50) { $0 >= 28 ? 1 : 0.01 }, exposed: "2026-10-28", asOf: asOf) else {
            return XCTFail("pennies flagged as abuse")
        }
    }

    /// The creation date bounds the series: with exports known to cover earlier days, a key that spent nothing from
    /// its creation until abuse began has a zero baseline; days before creation are not the key's.
    func testCreationDateAndCoverage() {
        let series = rows(from: "2026-11-05", days: 15) { _ in 270 }
        XCTAssertEqual(detector.assess(daily: series, exposed: "2026-10-28", asOf: asOf, created: "2026-10-27", coveredFrom: "2026-10-01"),
                       .anomaly(.init(start: "2026-11-05", before: 0, after: 270, baselineDays: 9, days: 15, elevatedDays: 15)))
        // Created the day it leaked and busy from day one: nothing to compare with.
        guard case .insufficientData = detector.assess(daily: series, exposed: "2026-11-05", asOf: asOf, created: "2026-11-05", coveredFrom: "2026-10-01") else {
            return XCTFail("a launch on the leak day judged without a baseline")
        }
    }

    /// Persistence is a knob: with `minimumDays: 1` the blip would count, with 3 it does not.
    func testMinimumDaysKnob() {
        let series = rows(days: 50) { $0 == 35 || $0 == 36 ? 900 : 20 }
        XCTAssertEqual(detector.assess(daily: series, exposed: "2026-10-28", asOf: asOf),
                       .normal("no lasting rise of 5× or more since exposure on 2026-10-28"))
        let eager = SpendAnomalyDetector(multiple: 5, minimumDailySpend: 5, minimumDays: 2)
        guard case .anomaly(let shift) = eager.assess(daily: series, exposed: "2026-10-28", asOf: asOf) else {
            return XCTFail("two-day rise missed with minimumDays 2")
        }
        XCTAssertEqual(shift.start, "2026-11-05")
    }

    func testRecentSpikeWithoutExposure() {
        XCTAssertNotNil(detector.recentSpike(daily: rows(days: 50) { $0 >= 44 ? 90 : 5 }, asOf: "2026-11-19"))
        XCTAssertNil(detector.recentSpike(daily: rows(days: 50) { _ in 5 }, asOf: "2026-11-19"))
    }
}
