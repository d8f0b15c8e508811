import XCTest
@testable import KeyLedger

/// The abuse signature on crafted daily series: flat, growing, spike after exposure, spike before exposure.
final class SpendAnomalyDetectorTests: XCTestCase {
    let detector = SpendAnomalyDetector(multiple: 5, minimumDailySpend: 5)

    /// Days 2026-10-01 … 2026-11-19 with costs from `cost(dayIndex)`.
    func series(_ cost: (Int) -> Double) -> [(day: String, cost: Double)] {
        let start = ISODate.parse("2026-10-01")!
        return (0..<50).map { (ISODate.day(start.addingTimeInterval(Double($0) * 86_400)), cost($0)) }
    }

    func testFlatSpendIsNormal() {
        let verdict = detector.assess(daily: series { _ in 20 }, exposed: "2026-10-28", asOf: "2026-11-20")
        XCTAssertEqual(verdict, .normal(before: 20, after: 20))
    }

    func testSteadyGrowthIsNotAnAnomaly() {
        // +5% a day: about 2× across the comparison windows, well under 5×.
        guard case .normal(let before, let after) = detector.assess(daily: series { 10 * pow(1.05, Double($0)) }, exposed: "2026-10-28", asOf: "2026-11-20") else {
            return XCTFail("steady growth flagged as abuse")
        }
        XCTAssertGreaterThan(after / before, 1.5)
        XCTAssertLessThan(after / before, 5)
    }

    func testSpikeAfterExposureIsAnAnomaly() {
        // Exposed on day 27 (2026-10-28); spend goes from ~4/day to ~100/day from day 28.
        let verdict = detector.assess(daily: series { $0 >= 28 ? 100 : 4 }, exposed: "2026-10-28", asOf: "2026-11-20")
        guard case .anomaly(let before, let after, let ratio) = verdict else { return XCTFail("spike after exposure missed: \(verdict)") }
        XCTAssertEqual(before, 4, accuracy: 0.001)
        XCTAssertGreaterThan(after, 80)
        XCTAssertGreaterThanOrEqual(ratio, 5)
    }

    func testSpikeBeforeExposureIsNotBlamedOnTheLeak() {
        // Heavy use that ended before the key was committed.
        let verdict = detector.assess(daily: series { $0 < 20 ? 100 : 4 }, exposed: "2026-10-28", asOf: "2026-11-20")
        guard case .normal = verdict else { return XCTFail("spike before exposure flagged: \(verdict)") }
    }

    func testFromNothingToHeavyUseIsAnAnomalyAndTinySpendIsNot() {
        guard case .anomaly(_, _, let ratio) = detector.assess(daily: series { $0 >= 28 ? 50 : 0 }, exposed: "2026-10-28", asOf: "2026-11-20") else {
            return XCTFail("zero-to-heavy missed")
        }
        XCTAssertTrue(ratio.isInfinite)
        guard case .normal = detector.assess(daily: series { $0 >= 28 ? 1 : 0.01 }, exposed: "2026-10-28", asOf: "2026-11-20") else {
            return XCTFail("pennies flagged as abuse")
        }
    }

    func testNoBaselineMeansNoVerdict() {
        let verdict = detector.assess(daily: series { _ in 100 }, exposed: "2026-10-01", asOf: "2026-11-20")
        guard case .insufficientData = verdict else { return XCTFail("judged without a baseline: \(verdict)") }
    }

    func testRecentSpikeWithoutExposure() {
        XCTAssertNotNil(detector.recentSpike(daily: series { $0 >= 44 ? 90 : 5 }, asOf: "2026-11-19"))
        XCTAssertNil(detector.recentSpike(daily: series { _ in 5 }, asOf: "2026-11-19"))
    }
}
