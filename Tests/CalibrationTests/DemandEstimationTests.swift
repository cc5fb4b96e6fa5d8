import Foundation
import SimulationEngine
import Testing
@testable import Calibration

/// The utilization regression on a series made with a known CPU per request.
@Suite struct DemandEstimationTests {
    @Test func recoversAKnownDemandWithinItsInterval() throws {
        // Two hours of one-minute intervals; the request rate follows a slow wave plus noise,
        // busy cores = 0.2 + 0.004 s x rate + noise.
        var rng = Xoshiro256StarStar(seed: 11)
        var perMinute: [Int: Int] = [:]
        var series: [(start: Double, end: Double, busy: Double)] = []
        let start = 29_000_000
        for m in 0..<120 {
            let rate = 40 + 25 * sin(Double(m) / 9) + 5 * Distribution.standardNormal(&rng)
            let n = Int((rate * 60).rounded())
            perMinute[start + m] = n
            let busy = 0.2 + 0.004 * Double(n) / 60 + 0.01 * Distribution.standardNormal(&rng)
            series.append((Double(start + m) * 60, Double(start + m + 1) * 60, busy))
        }
        let d = try DemandEstimation.estimate(series: series, perMinute: perMinute, file: "u.csv")
        #expect(d.intervals == 120)
        #expect(d.low <= 0.004 && 0.004 <= d.high, "\(d.low) ... \(d.high)")
        #expect(d.high - d.low < 0.001)
        #expect(abs(d.background - 0.2) < 0.05)
    }

    @Test func refusesSeriesItCannotUse() throws {
        #expect(throws: CalibrationError("expected a header with the columns time and busy_cores, got 'time,cpu'", file: "u.csv", line: 1)) {
            _ = try DemandEstimation.readSeries("time,cpu\n1,2\n", file: "u.csv")
        }
        #expect(throws: CalibrationError("the times do not increase (1700000000)", file: "u.csv", line: 3)) {
            _ = try DemandEstimation.readSeries("time,busy_cores\n1700000060,0.5\n1700000000,0.4\n", file: "u.csv")
        }
        let flat = (0..<20).map { (start: Double($0) * 60, end: Double($0 + 1) * 60, busy: 0.5) }
        let counts = Dictionary(uniqueKeysWithValues: (0..<20).map { ($0, 100) })
        #expect(throws: CalibrationError.self) { _ = try DemandEstimation.estimate(series: flat, perMinute: counts, file: "u.csv") }
    }
}
