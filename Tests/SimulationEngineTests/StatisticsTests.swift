import Testing
@testable import SimulationEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Statistics: tallies, time averages, Student t and confidence intervals")
struct StatisticsTests {
    // MARK: Tally

    @Test func tallyMatchesTwoPassMoments() {
        var rng = Xoshiro256StarStar(seed: 1)
        let xs = (0..<10_000).map { _ in 3 + 2 * Distribution.standardNormal(&rng) }
        var t = Tally()
        for x in xs { t.record(x) }
        let s = SampleMoments(xs)
        #expect(t.count == xs.count)
        expectClose(t.mean, s.mean, relative: 1e-12, "tally mean")
        expectClose(t.variance, s.variance, relative: 1e-10, "tally variance")
        expectClose(t.sum, xs.reduce(0, +), relative: 1e-12, "tally sum")
        #expect(t.min == xs.min()! && t.max == xs.max()!)
    }

    /// Welford's update stays accurate where the textbook sum of squares cancels catastrophically.
    @Test func tallyIsStableWithALargeOffset() {
        var t = Tally()
        for x in [4.0, 7, 13, 16] { t.record(1e9 + x) }
        // Data 4, 7, 13, 16 shifted by 1e9: mean 1e9 + 10, sample variance 90 / 3 = 30.
        #expect(t.mean == 1e9 + 10)
        expectClose(t.variance, 30, relative: 1e-9, "variance with offset 1e9")
    }

    @Test func tallyEmptyAndSingle() {
        var t = Tally()
        #expect(t.count == 0 && t.mean == 0 && t.variance == 0 && t.min == .infinity && t.max == -.infinity)
        t.record(5)
        #expect(t.count == 1 && t.mean == 5 && t.variance == 0 && t.min == 5 && t.max == 5)
        t.reset()
        #expect(t == Tally())
    }

    /// Merging tallies of parts, in any grouping and with empty parts, equals recording everything.
    @Test func tallyMergeEqualsRecordingAll() {
        var rng = Xoshiro256StarStar(seed: 2)
        let d = try! Distribution.lognormal(mean: 50, cv: 2)
        let xs = (0..<30_000).map { _ in d.sample(&rng) }
        var all = Tally()
        for x in xs { all.record(x) }
        // Uneven parts, two of them empty.
        let cuts = [0, 0, 17, 5000, 5001, 12_345, 12_345, 30_000]
        var parts: [Tally] = []
        for i in 1..<cuts.count {
            var t = Tally()
            for x in xs[cuts[i - 1]..<cuts[i]] { t.record(x) }
            parts.append(t)
        }
        var leftToRight = Tally()
        for p in parts { leftToRight.merge(p) }
        var rightToLeft = Tally()
        for p in parts.reversed() { rightToLeft.merge(p) }
        // Pairwise tree: ((p0 p1) (p2 p3)) ((p4 p5) p6)
        func merged(_ a: Tally, _ b: Tally) -> Tally { var m = a; m.merge(b); return m }
        let tree = merged(merged(merged(parts[0], parts[1]), merged(parts[2], parts[3])),
                          merged(merged(parts[4], parts[5]), parts[6]))
        for (m, label) in [(leftToRight, "left to right"), (rightToLeft, "right to left"), (tree, "tree")] {
            #expect(m.count == all.count, "\(label) count")
            expectClose(m.mean, all.mean, relative: 1e-12, "\(label) mean")
            expectClose(m.variance, all.variance, relative: 1e-10, "\(label) variance")
            #expect(m.min == all.min && m.max == all.max, "\(label) extremes")
        }
        var empty = Tally()
        empty.merge(Tally())
        #expect(empty == Tally())
    }

    // MARK: TimeAverage

    /// A hand-drawn path: 0 on [0,1), 2 on [1,3), 5 on [3,4), 4 on [4,6]; area 0 + 4 + 5 + 8 = 17.
    @Test func timeAverageOfAHandMadePath() {
        var a = TimeAverage(initial: 0, at: 0)
        a.update(to: 2, at: 1)
        a.update(to: 5, at: 3)
        // Queried part way through a level, before the next change.
        expectClose(a.average(at: 3.5), (0 + 4 + 2.5) / 3.5, relative: 1e-15, "average part way through a level")
        a.add(-1, at: 4)
        #expect(a.current == 4)
        #expect(a.maximum == 5)
        expectClose(a.integral(at: 6), 17, relative: 1e-15, "integral")
        expectClose(a.average(at: 6), 17.0 / 6, relative: 1e-15, "average")
        // A new window at t=4 keeps the level 4 and forgets the rest.
        a.reset(at: 4)
        #expect(a.startTime == 4 && a.maximum == 4)
        expectClose(a.average(at: 6), 4, relative: 1e-15, "average after reset")
        a.update(to: 0, at: 5)
        expectClose(a.average(at: 8), 4.0 / 4, relative: 1e-15, "4 for 1 time unit of 4")
        // An empty window reports the current level.
        let b = TimeAverage(initial: 3, at: 10)
        #expect(b.average(at: 10) == 3 && b.integral(at: 10) == 0)
        expectClose(b.average(at: 12), 3, relative: 1e-15, "constant path")
    }

    // MARK: Student t

    /// Table values t_{0.975, df} (any statistics text) to their printed 3 decimals, and the
    /// normal limit 1.95996 for a very large df.
    @Test func studentTQuantilesMatchTables() {
        let table: [(df: Double, t: Double)] = [(1, 12.706), (2, 4.303), (4, 2.776), (10, 2.228), (30, 2.042), (120, 1.980)]
        for (df, t) in table {
            #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: df) - t) < 5e-4, "t(0.975, \(df))")
            #expect(abs(StudentT.critical(confidence: 0.95, degreesOfFreedom: df) - t) < 5e-4, "critical 95%, df \(df)")
        }
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 1e7) - 1.959964) < 1e-5)
        #expect(abs(StudentT.quantile(0.995, degreesOfFreedom: 5) - 4.032) < 5e-4)
        #expect(abs(StudentT.quantile(0.95, degreesOfFreedom: 20) - 1.725) < 5e-4)
        #expect(abs(StudentT.critical(confidence: 0.999, degreesOfFreedom: 9) - 4.781) < 5e-4)
        #expect(StudentT.quantile(0.5, degreesOfFreedom: 3) == 0)
        expectClose(StudentT.quantile(0.025, degreesOfFreedom: 7), -StudentT.quantile(0.975, degreesOfFreedom: 7), relative: 1e-12, "symmetry")
    }

    /// Exact closed forms: df 1 is Cauchy, F(t) = 1/2 + atan(t)/pi and q(p) = tan(pi (p - 1/2));
    /// df 2 has F(t) = 1/2 + t / (2 sqrt(2 + t^2)) and q(p) = (2p - 1) / sqrt(2 p (1 - p));
    /// df 4 has F(t) = 1/2 + (3/8) (t / sqrt(1 + t^2/4)) (1 - t^2 / (12 (1 + t^2/4))).
    @Test func studentTAgainstClosedForms() {
        for t in [-30.0, -3, -1, -0.2, 0, 0.5, 1, 2.5, 10, 100] {
            expectClose(StudentT.cdf(t, degreesOfFreedom: 1), 0.5 + atan(t) / Double.pi, relative: 1e-10, "cdf df 1 at \(t)")
            expectClose(StudentT.cdf(t, degreesOfFreedom: 2), 0.5 + t / (2 * (2 + t * t).squareRoot()), relative: 1e-10, "cdf df 2 at \(t)")
            let u = t * t / 4
            expectClose(StudentT.cdf(t, degreesOfFreedom: 4), 0.5 + 0.375 * (t / (1 + u).squareRoot()) * (1 - t * t / (12 * (1 + u))),
                        relative: 1e-10, "cdf df 4 at \(t)")
            // A very large df is the standard normal.
            #expect(abs(StudentT.cdf(t, degreesOfFreedom: 1e8) - 0.5 * erfc(-t / 2.0.squareRoot())) < 1e-8, "cdf df 1e8 at \(t)")
        }
        for p in [0.6, 0.9, 0.975, 0.995, 0.9995] {
            expectClose(StudentT.quantile(p, degreesOfFreedom: 1), tan(Double.pi * (p - 0.5)), relative: 1e-9, "quantile df 1 at \(p)")
            expectClose(StudentT.quantile(p, degreesOfFreedom: 2), (2 * p - 1) / (2 * p * (1 - p)).squareRoot(), relative: 1e-9, "quantile df 2 at \(p)")
            for df in [3.0, 7.5, 25, 300] {
                expectClose(StudentT.cdf(StudentT.quantile(p, degreesOfFreedom: df), degreesOfFreedom: df), p, relative: 1e-10, "round trip df \(df) at \(p)")
            }
        }
    }

    // MARK: Confidence intervals

    /// Hand computation: samples 1...5 have mean 3 and sd sqrt(2.5); t_{0.975,4} = 2.7764451.
    @Test func confidenceIntervalArithmetic() {
        let ci = ConfidenceInterval(samples: [1, 2, 3, 4, 5])
        #expect(ci.mean == 3 && ci.samples == 5 && ci.confidence == 0.95)
        expectClose(ci.halfWidth, 2.7764451052 * (2.5 / 5).squareRoot(), relative: 1e-9, "half-width")
        #expect(ci.contains(3 + 0.99 * ci.halfWidth) && !ci.contains(3 + 1.01 * ci.halfWidth))
        #expect(ci.lower == 3 - ci.halfWidth && ci.upper == 3 + ci.halfWidth)
        #expect(ConfidenceInterval(samples: [7]).halfWidth == .infinity)
        #expect(ConfidenceInterval(samples: []).halfWidth == .infinity)
    }

    /// Batch means of 0...99 in 4 batches are 12, 37, 62, 87 (sd sqrt(3125/3)); t_{0.975,3} = 3.1824463.
    @Test func batchMeansArithmetic() {
        let series = (0..<103).map(Double.init)  // the 3 left over after 4 batches of 25 are dropped
        let ci = ConfidenceInterval.batchMeans(series, batches: 4)
        #expect(ci.mean == 49.5 && ci.samples == 4)
        expectClose(ci.halfWidth, 3.1824463053 * (3125.0 / 3).squareRoot() / 2, relative: 1e-9, "batch-means half-width")
    }

    /// Student t intervals from normal samples are exact: over 2000 intervals of 10 samples
    /// each, the 95% ones cover the true mean 95% of the time (binomial standard error 0.5%),
    /// and the 99.9% ones miss about 2 times.
    @Test func confidenceIntervalCoverage() {
        var rng = Xoshiro256StarStar(seed: 3 &+ seedOffset)
        let trials = 2000
        var covered95 = 0, covered999 = 0
        for _ in 0..<trials {
            let xs = (0..<10).map { _ in 7 + 3 * Distribution.standardNormal(&rng) }
            if ConfidenceInterval(samples: xs, confidence: 0.95).contains(7) { covered95 += 1 }
            if ConfidenceInterval(samples: xs, confidence: 0.999).contains(7) { covered999 += 1 }
        }
        expectProportion(covered95, of: trials, equals: 0.95, "95% coverage")
        // Misses of the 99.9% interval are Binomial(2000, 0.001): P(more than 12) < 1e-5.
        #expect(trials - covered999 <= 12, "99.9% interval missed \(trials - covered999) times")
    }

    /// Batch means give honest intervals for autocorrelated output where the naive interval
    /// does not: AR(1) with phi 0.9 (variance inflation (1 + phi)/(1 - phi) = 19). Batches of
    /// 500 are much longer than the correlation time, so coverage is near 95%; the naive
    /// interval, about sqrt(19) = 4.4 times too narrow, covers only about 35%.
    @Test func batchMeansCoverageOnCorrelatedSeries() {
        var rng = Xoshiro256StarStar(seed: 4 &+ seedOffset)
        let trials = 300, length = 10_000, phi = 0.9
        var batchCovered = 0, naiveCovered = 0
        for _ in 0..<trials {
            var x = Distribution.standardNormal(&rng) / (1 - phi * phi).squareRoot()  // stationary start
            var series = [Double]()
            series.reserveCapacity(length)
            for _ in 0..<length {
                series.append(x)
                x = phi * x + Distribution.standardNormal(&rng)
            }
            if ConfidenceInterval.batchMeans(series, batches: 20).contains(0) { batchCovered += 1 }
            if ConfidenceInterval(samples: series).contains(0) { naiveCovered += 1 }
        }
        expectProportion(batchCovered, of: trials, equals: 0.95, "batch-means coverage")
        #expect(Double(naiveCovered) / Double(trials) < 0.6, "the naive interval should under-cover: \(naiveCovered) of \(trials)")
    }
}
