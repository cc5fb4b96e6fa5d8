import Testing
@testable import Validation

/// The figures and the target rules, on constructed numbers.
@Suite struct ValidationReportTests {
    @Test func percentilesAreNearestRank() {
        let values = (1...100).map(Double.init)
        let (mean, p50, p95, p99) = LevelFigures.summary(values)
        #expect(mean == 50.5 && p50 == 50 && p95 == 95 && p99 == 99)
        #expect(LevelFigures.summary([]) == (0, 0, 0, 0))
    }

    @Test func errorToleranceIsTheLargerOfShareAndPoints() {
        // 20% of 1,000 measured errors beats 0.2 points of 10,000 requests (20).
        #expect(ValidationReport.errorTolerance(measured: 1000, requests: 10_000) == 200)
        // With 10 measured, the 0.2 points (20 of 10,000) win.
        #expect(ValidationReport.errorTolerance(measured: 10, requests: 10_000) == 20)
    }

    @Test func capacityErrorsLeave429sOut() {
        var f = LevelFigures()
        f.requests = 1000
        f.errors = ["rateLimited": 300, "rateLimitedFalse": 100, "poolTimeout": 5]
        #expect(f.capacityErrorShare == 0.005)
        #expect(!ValidationReport.saturated(f, baselineP99: nil))
        f.errors["timeout"] = 10
        #expect(ValidationReport.saturated(f, baselineP99: nil))
        var g = LevelFigures()
        g.p99Ms = 101
        #expect(ValidationReport.saturated(g, baselineP99: 10) && !ValidationReport.saturated(g, baselineP99: 11))
    }

    @Test func meanOfReplications() {
        var a = LevelFigures(), b = LevelFigures()
        a.p99Ms = 10; b.p99Ms = 20
        a.errors = ["upstream": 1]; b.errors = ["upstream": 4, "timeout": 2]
        let m = LevelFigures.mean([a, b])
        #expect(m.p99Ms == 15 && m.errors["upstream"] == 3 && m.errors["timeout"] == 1)
    }

    @Test func relativeErrorOfAZeroMeasurement() {
        #expect(ValidationReport.relative(0, 0) == 0)
        #expect(ValidationReport.relative(1, 0) == nil)
        #expect(ValidationReport.relative(110, 100)! > 0.0999 && ValidationReport.relative(110, 100)! < 0.1001)
    }
}
