import Testing
import Analysis
import PlatformModel

/// `Estimate` (mean and 95% Student-t half-width over replications), paired differences
/// (common random numbers) and `ReplicationSummary` over hand-made runs.
@Suite struct ReplicationSummaryTests {
    /// Student t quantiles from the printed tables (6 decimals).
    static let t975 = [2: 4.302653, 5: 2.570582, 7: 2.364624]
    static let t995df7 = 3.499483

    /// Mean and sample standard deviation, computed here.
    static func meanAndSD(_ xs: [Double]) -> (Double, Double) {
        let m = xs.reduce(0, +) / Double(xs.count)
        let ss = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (m, (ss / Double(xs.count - 1)).squareRoot())
    }

    static func close(_ a: Double, _ b: Double, _ relative: Double = 1e-6) -> Bool { abs(a - b) <= relative * Swift.max(abs(a), abs(b)) }

    /// Eight samples with mean 13.5 and s^2 = 42 / 7 = 6: the half-width is t * s / sqrt(8),
    /// 2.364624 x 0.866025 = 2.047824 at 95% and 3.499483 x 0.866025 = 3.030641 at 99%.
    @Test func halfWidthIsTTimesTheStandardError() {
        let xs: [Double] = [12, 15, 11, 14, 13, 16, 10, 17]
        let (m, s) = Self.meanAndSD(xs)
        #expect(m == 13.5 && Self.close(s * s, 6, 1e-12))
        let e = Estimate(xs)
        #expect(e.replications == 8)
        #expect(Self.close(e.mean, 13.5, 1e-12))
        #expect(Self.close(e.halfWidth, Self.t975[7]! * s / 8.0.squareRoot()))
        #expect(Self.close(e.halfWidth, 2.047824, 1e-6))
        #expect(Self.close(Estimate(xs, confidence: 0.99).halfWidth, Self.t995df7 * s / 8.0.squareRoot()))
        // Three samples: the small-sample quantile (4.30, not 1.96) must be the one used.
        let three: [Double] = [1, 2, 6]
        let (_, s3) = Self.meanAndSD(three)
        #expect(Self.close(Estimate(three).halfWidth, Self.t975[2]! * s3 / 3.0.squareRoot()))
        // One replication says nothing about the spread.
        let one = Estimate([42])
        #expect(one.mean == 42 && one.halfWidth == .infinity && one.replications == 1 && !one.excludesZero)
    }

    /// The paired interval is built from the differences: for b_i = a_i - (2.5, 1.8, 1.9, 2.1,
    /// 1.6, 2.4)_i, mean 2.05 and s^2 = 0.615 / 5, so 2.570582 x 0.350714 / sqrt 6 = 0.368051.
    ///
    /// The relation to the unpaired intervals is an identity: s_d^2 = s_a^2 + s_b^2 - 2 cov(a, b)
    /// for the sample moments, so with a positive sample covariance the paired half-width (same
    /// t quantile, n - 1 degrees of freedom) is below sqrt(h_a^2 + h_b^2), itself below
    /// h_a + h_b (the two intervals side by side); with a negative covariance it is above
    /// sqrt(h_a^2 + h_b^2).
    @Test func pairedDifferencesAreNarrowerForPositivelyCorrelatedSamples() {
        let a: [Double] = [100, 140, 90, 160, 120, 110]
        let shift: [Double] = [2.5, 1.8, 1.9, 2.1, 1.6, 2.4]
        let b = zip(a, shift).map { $0 - $1 }
        func covariance(_ x: [Double], _ y: [Double]) -> Double {
            let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
            return zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / Double(x.count - 1)
        }
        #expect(covariance(a, b) > 0)
        let d = Estimate.pairedDifference(a, b)
        let (md, sd) = Self.meanAndSD(shift)
        #expect(Self.close(d.mean, md, 1e-12) && Self.close(md, 2.05, 1e-12))
        #expect(Self.close(d.halfWidth, Self.t975[5]! * sd / 6.0.squareRoot()))
        #expect(Self.close(d.halfWidth, 0.368051, 1e-5))
        let ea = Estimate(a), eb = Estimate(b)
        #expect(d.halfWidth < (ea.halfWidth * ea.halfWidth + eb.halfWidth * eb.halfWidth).squareRoot())
        #expect(d.halfWidth < ea.halfWidth + eb.halfWidth)
        // Here the difference is clear paired, while the two intervals overlap.
        #expect(d.excludesZero)
        #expect(abs(ea.mean - eb.mean) < ea.halfWidth + eb.halfWidth)

        // Negatively correlated samples: pairing makes the interval wider, by the same identity.
        let c = [100, 60, 110, 40, 80, 90].map { Double($0) }
        #expect(covariance(a, c) < 0)
        let dc = Estimate.pairedDifference(a, c), ec = Estimate(c)
        #expect(dc.halfWidth > (ea.halfWidth * ea.halfWidth + ec.halfWidth * ec.halfWidth).squareRoot())
    }

    @Test func excludesZeroWhenTheIntervalDoes() {
        #expect(Estimate(mean: 1, halfWidth: 0.5, replications: 5).excludesZero)
        #expect(Estimate(mean: -1, halfWidth: 0.5, replications: 5).excludesZero)
        #expect(!Estimate(mean: 0.3, halfWidth: 0.5, replications: 5).excludesZero)
        #expect(!Estimate(mean: -0.3, halfWidth: 0.5, replications: 5).excludesZero)
        #expect(!Estimate(mean: 0.5, halfWidth: 0.5, replications: 5).excludesZero)   // touches zero
        #expect(!Estimate(mean: 1e9, halfWidth: .infinity, replications: 1).excludesZero)
        #expect(Estimate([3, 4, 5]).excludesZero)          // 4 +- 2.48
        #expect(!Estimate([-1, 0, 2]).excludesZero)        // 0.33 +- 3.79
    }

    /// Every figure of the summary is the `Estimate` of that figure over the runs; error kinds
    /// are shares of each run's requests; bottlenecks are counted, ties going to the first name.
    @Test func summaryEstimatesEachFigureOverTheRuns() {
        func run(_ i: Int, throughput: Double, p99: Double, rateLimited: Int, requests: Int, apiUtil: Double, bottleneck: String, cost: Double) -> DiagnosedRun {
            var e = ErrorCounts()
            e[.rateLimited] = rateLimited
            let r = Constructed.run(requests: requests, p99: p99, errors: e,
                                    components: [Constructed.component("api", kind: .apiProcess, utilization: apiUtil, meanWaitMs: Double(i))],
                                    throughput: throughput)
            let cause = Cause(kind: .busiest, component: bottleneck, componentKind: nil, utilization: apiUtil, requestShare: 0, reason: "test")
            let costs = CostBreakdown(provider: "test", monthlyUSD: cost, perThousandUsersUSD: 0, items: [CostItem(name: "api", monthlyUSD: cost / 2, basis: "")])
            return DiagnosedRun(result: r, diagnosis: Diagnosis(causes: [cause], headroom: nil, tail: nil, cost: costs))
        }
        let runs = [
            run(1, throughput: 100, p99: 200, rateLimited: 10, requests: 1000, apiUtil: 0.40, bottleneck: "redis", cost: 1000),
            run(2, throughput: 110, p99: 260, rateLimited: 30, requests: 1500, apiUtil: 0.50, bottleneck: "api", cost: 1100),
            run(3, throughput: 120, p99: 230, rateLimited: 0, requests: 500, apiUtil: 0.45, bottleneck: "redis", cost: 1200),
            run(4, throughput: 130, p99: 210, rateLimited: 8, requests: 800, apiUtil: 0.55, bottleneck: "api", cost: 1300),
        ]
        let s = ReplicationSummary(runs)
        #expect(s.replications == 4 && s.users == runs[0].result.users && s.config == "test")
        #expect(s.throughput == Estimate([100, 110, 120, 130]))
        #expect(s.latencyP99Ms == Estimate([200, 260, 230, 210]))
        #expect(s.errors["rateLimited"] == Estimate([0.01, 0.02, 0, 0.01]))
        #expect(s.errors["timeout"] == Estimate([0, 0, 0, 0]))
        #expect(s.errorRate == Estimate([0.01, 0.02, 0, 0.01]))
        #expect(s.utilization["api"] == Estimate([0.40, 0.50, 0.45, 0.55]))
        #expect(s.p99WaitMs["api"] == Estimate([1, 2, 3, 4]))
        #expect(s.monthlyCostUSD == Estimate([1000, 1100, 1200, 1300]))
        #expect(s.costItemsUSD["api"] == Estimate([500, 550, 600, 650]))
        // 2-2 tie between api and redis: the first name in order wins.
        #expect(s.bottlenecks == ["api": 2, "redis": 2])
        #expect(s.usualBottleneck == "api")
        #expect(ReplicationSummary(Array(runs.prefix(3))).usualBottleneck == "redis")
    }
}
