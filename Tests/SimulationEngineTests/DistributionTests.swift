import Testing
@testable import SimulationEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Each distribution is sampled with a fixed seed and its sample mean and variance are checked
// against exact moments derived here from the parameters a person gives (mean, cv, shape...),
// not from the engine's own `mean` and `variance`, which are checked against the same exact
// values separately. Where a closed-form CDF exists the whole shape is also checked with a
// Kolmogorov-Smirnov test.

private let n = 200_000

/// Phi(x) from libm's erfc, independent of the engine's helper.
private func phi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

/// Lognormal parameters (mu, sigma^2) for a mean and cv: E[X] = exp(mu + s2/2), cv^2 = exp(s2) - 1.
private func lognormalParameters(mean: Double, cv: Double) -> (mu: Double, s2: Double) {
    let s2 = log(1 + cv * cv)
    return (log(mean) - s2 / 2, s2)
}

/// Raw moment E[X^k] of a density on [a, b] by composite Simpson's rule.
private func numericalRawMoment(_ k: Int, from a: Double, to b: Double, intervals m: Int = 40_000,
                                density: (Double) -> Double) -> Double {
    let h = (b - a) / Double(m)
    var sum = 0.0
    for i in 0...m {
        let x = a + Double(i) * h
        let w: Double = (i == 0 || i == m) ? 1 : (i % 2 == 1 ? 4 : 2)
        sum += w * pow(x, Double(k)) * density(x)
    }
    return sum * h / 3
}

@Suite("Distributions: sample moments and shape against exact values")
struct DistributionMomentTests {
    @Test func exponential() {
        let m = 2.0
        let d = Distribution.exponential(mean: m)
        let exact = ExactMoments(mean: m, variance: m * m, fourthCentral: 9 * m * m * m * m)
        let xs = draws(n, seed: 101) { d.sample(&$0) }
        expectMoments(xs, exact, "exponential(2)")
        expectKolmogorovSmirnov(xs, cdf: { 1 - exp(-$0 / m) }, "exponential(2)")
        expectClose(d.mean, exact.mean, "exponential mean property")
        expectClose(d.variance, exact.variance, "exponential variance property")
    }

    @Test func deterministic() {
        let d = Distribution.deterministic(3.5)
        let xs = draws(1000, seed: 102) { d.sample(&$0) }
        #expect(xs.allSatisfy { $0 == 3.5 })
        #expect(d.mean == 3.5 && d.variance == 0 && d.squaredCV == 0)
    }

    @Test func uniform() {
        let (a, b) = (1.0, 4.0)
        let d = Distribution.uniform(low: a, high: b)
        let w = b - a
        let exact = ExactMoments(mean: (a + b) / 2, variance: w * w / 12, fourthCentral: w * w * w * w / 80)
        let xs = draws(n, seed: 103) { d.sample(&$0) }
        #expect(xs.allSatisfy { $0 >= a && $0 <= b })
        expectMoments(xs, exact, "uniform(1,4)")
        expectKolmogorovSmirnov(xs, cdf: { ($0 - a) / w }, "uniform(1,4)")
        expectClose(d.mean, exact.mean, "uniform mean property")
        expectClose(d.variance, exact.variance, "uniform variance property")
    }

    /// Normal(mu, sd) truncated at 0, moments by numerical integration of the density
    /// phi((x - mu)/sd) / (sd P(N > 0)) with P(N > 0) = Phi(mu / sd) from erfc. Cases: a mild cut
    /// (11% of the mass removed), and cuts far above the mean (a = -mu/sd = 6 and 10), where
    /// resampling until non-negative would need a billion tries per draw and 1 - Phi(a)
    /// cancels to nothing.
    @Test(arguments: [(1.0, 0.8), (-3.0, 0.5), (-10.0, 1.0)])
    func truncatedNormal(mu: Double, sd: Double) throws {
        let d = try Distribution.normal(mean: mu, standardDeviation: sd)
        let z = phi(mu / sd)
        let density = { (x: Double) in exp(-(x - mu) * (x - mu) / (2 * sd * sd)) / (sd * (2 * Double.pi).squareRoot() * z) }
        let exact = ExactMoments { k in numericalRawMoment(k, from: 0, to: Swift.max(mu, 0) + 14 * sd, density: density) }
        let xs = draws(n, seed: 104) { d.sample(&$0) }
        #expect(xs.allSatisfy { $0 >= 0 })
        expectMoments(xs, exact, "truncated normal(\(mu), \(sd))")
        // F(x) = 1 - P(N > x) / P(N > 0), both upper tails from erfc (no cancellation).
        expectKolmogorovSmirnov(xs, cdf: { 1 - phi((mu - $0) / sd) / z }, "truncated normal(\(mu), \(sd))")
        expectClose(d.mean, exact.mean, relative: 1e-8, "truncated normal mean property")
        expectClose(d.variance, exact.variance, relative: 1e-7, "truncated normal variance property")
    }

    /// Far from 0 the truncation is invisible: plain normal moments (mu4 = 3 sd^4).
    @Test func normalFarFromZero() throws {
        let d = try Distribution.normal(mean: 10, standardDeviation: 1)
        let xs = draws(n, seed: 105) { d.sample(&$0) }
        expectMoments(xs, ExactMoments(mean: 10, variance: 1, fourthCentral: 3), "normal(10, 1)")
        expectKolmogorovSmirnov(xs, cdf: { phi($0 - 10) }, "normal(10, 1)")
    }

    @Test(arguments: [(2.0, 1.0), (0.05, 0.5)])
    func lognormal(mean: Double, cv: Double) throws {
        let d = try Distribution.lognormal(mean: mean, cv: cv)
        let (mu, s2) = lognormalParameters(mean: mean, cv: cv)
        let exact = ExactMoments { k in exp(Double(k) * mu + Double(k * k) * s2 / 2) }
        // The parameters people give must come back exactly.
        expectClose(exact.mean, mean, "lognormal mean from mu, sigma")
        expectClose(exact.variance, cv * cv * mean * mean, relative: 1e-8, "lognormal variance from mu, sigma")
        let xs = draws(n, seed: 106) { d.sample(&$0) }
        expectMoments(xs, exact, "lognormal(\(mean), cv \(cv))")
        expectKolmogorovSmirnov(xs, cdf: { phi((log($0) - mu) / s2.squareRoot()) }, "lognormal(\(mean), cv \(cv))")
        expectClose(d.mean, mean, "lognormal mean property")
        expectClose(d.variance, cv * cv * mean * mean, relative: 1e-8, "lognormal variance property")
    }

    /// Gamma with shape k = 1/cv^2 and scale mean/k: mu4 = 3 k (k + 2) theta^4. cv 2 takes the shape < 1 path.
    @Test(arguments: [(3.0, 0.5), (1.0, 2.0), (0.5, 1.0)])
    func gamma(mean: Double, cv: Double) throws {
        let d = try Distribution.gamma(mean: mean, cv: cv)
        let k = 1 / (cv * cv), theta = mean / k
        let exact = ExactMoments(mean: mean, variance: k * theta * theta,
                                 fourthCentral: 3 * k * (k + 2) * theta * theta * theta * theta)
        let xs = draws(n, seed: 107) { d.sample(&$0) }
        #expect(xs.allSatisfy { $0 > 0 })
        expectMoments(xs, exact, "gamma(\(mean), cv \(cv))")
        if cv == 1 { expectKolmogorovSmirnov(xs, cdf: { 1 - exp(-$0 / mean) }, "gamma with cv 1 is exponential") }
        expectClose(d.mean, mean, "gamma mean property")
        expectClose(d.variance, cv * cv * mean * mean, "gamma variance property")
    }

    @Test(arguments: [(1, 0.7), (3, 1.5), (20, 4.0)])
    func erlang(phases k: Int, mean: Double) throws {
        let d = try Distribution.erlang(checkedPhases: k, mean: mean)
        let theta = mean / Double(k), kd = Double(k)
        let exact = ExactMoments(mean: mean, variance: kd * theta * theta,
                                 fourthCentral: 3 * kd * (kd + 2) * theta * theta * theta * theta)
        let xs = draws(n, seed: 108) { d.sample(&$0) }
        expectMoments(xs, exact, "erlang(\(k), \(mean))")
        let rate = 1 / theta
        expectKolmogorovSmirnov(xs, cdf: { x in
            var term = 1.0, sum = 0.0
            for j in 0..<k { if j > 0 { term *= rate * x / Double(j) }; sum += term }
            return 1 - exp(-rate * x) * sum
        }, "erlang(\(k), \(mean))")
        expectClose(d.mean, exact.mean, "erlang mean property")
        expectClose(d.variance, exact.variance, "erlang variance property")
    }

    /// Two-phase hyperexponential fitted to a mean and cv > 1 with balanced means.
    @Test(arguments: [(1.0, 2.0), (0.2, 1.2), (5.0, 4.0)])
    func hyperexponential(mean: Double, cv: Double) throws {
        let d = try Distribution.hyperexponential(mean: mean, cv: cv)
        guard case let .hyperexponential(p, r1, r2) = d else { Issue.record("wrong case \(d)"); return }
        #expect(p > 0 && p < 1 && r1 > 0 && r2 > 0)
        // The mixture's moments, E[X^j] = j! (p / r1^j + (1 - p) / r2^j), from its phases.
        let exact = ExactMoments { j in
            Double((1...j).reduce(1, *)) * (p / pow(r1, Double(j)) + (1 - p) / pow(r2, Double(j)))
        }
        expectClose(exact.mean, mean, "hyperexponential fit: mean")
        expectClose(exact.variance / (mean * mean), cv * cv, relative: 1e-9, "hyperexponential fit: cv^2")
        expectClose(p / r1, (1 - p) / r2, "hyperexponential fit: balanced means")
        let xs = draws(n, seed: 109) { d.sample(&$0) }
        expectMoments(xs, exact, "hyperexponential(\(mean), cv \(cv))")
        expectKolmogorovSmirnov(xs, cdf: { 1 - p * exp(-r1 * $0) - (1 - p) * exp(-r2 * $0) }, "hyperexponential(\(mean), cv \(cv))")
        expectClose(d.mean, mean, "hyperexponential mean property")
        expectClose(d.variance, cv * cv * mean * mean, relative: 1e-9, "hyperexponential variance property")
    }

    /// Weibull raw moments: lambda^j Gamma(1 + j/k).
    @Test(arguments: [(1.5, 2.0), (0.7, 1.0), (1.0, 3.0)])
    func weibull(shape k: Double, scale l: Double) throws {
        let d = try Distribution.weibull(checkedShape: k, scale: l)
        let exact = ExactMoments { j in pow(l, Double(j)) * tgamma(1 + Double(j) / k) }
        let xs = draws(n, seed: 110) { d.sample(&$0) }
        expectMoments(xs, exact, "weibull(\(k), \(l))")
        expectKolmogorovSmirnov(xs, cdf: { 1 - exp(-pow($0 / l, k)) }, "weibull(\(k), \(l))")
        expectClose(d.mean, exact.mean, "weibull mean property")
        expectClose(d.variance, exact.variance, relative: 1e-8, "weibull variance property")
    }

    /// Pareto with shape 6: the fourth moment is finite (shape > 4), so the sample variance has a
    /// finite standard error. Raw moments a xm^j / (a - j).
    @Test func paretoWithFiniteFourthMoment() throws {
        let (xm, a) = (2.0, 6.0)
        let d = try Distribution.pareto(checkedScale: xm, shape: a)
        let exact = ExactMoments { j in a * pow(xm, Double(j)) / (a - Double(j)) }
        let xs = draws(n, seed: 111) { d.sample(&$0) }
        #expect(xs.allSatisfy { $0 >= xm })
        expectMoments(xs, exact, "pareto(2, 6)")
        expectKolmogorovSmirnov(xs, cdf: { 1 - pow(xm / $0, a) }, "pareto(2, 6)")
        expectClose(d.mean, exact.mean, "pareto mean property")
        expectClose(d.variance, exact.variance, "pareto variance property")
    }

    /// Pareto with shape 1.5 has infinite variance: the sample mean has no standard error and
    /// its sample variance estimates nothing, so moments cannot be tested honestly. The tail
    /// itself is what matters and is checked instead: P(X > x) = (xm / x)^a at several x, each a
    /// binomial proportion with an exact standard error, plus a KS test of the whole CDF.
    @Test func paretoHeavyTail() throws {
        let (xm, a) = (1.0, 1.5)
        let d = try Distribution.pareto(checkedScale: xm, shape: a)
        #expect(d.variance == .infinity)
        expectClose(d.mean, 3, "pareto(1, 1.5) mean property")
        let xs = draws(n, seed: 112) { d.sample(&$0) }
        for x in [1.5, 3, 10, 100] {
            expectProportion(xs.count(where: { $0 > x }), of: xs.count, equals: pow(xm / x, a), "pareto(1, 1.5) P(X > \(x))")
        }
        expectKolmogorovSmirnov(xs, cdf: { 1 - pow(xm / $0, a) }, "pareto(1, 1.5)")
        #expect(try Distribution.pareto(checkedScale: 1, shape: 0.9).mean == .infinity)
    }

    /// A bag of observations, each equally likely: moments of the bag itself (population variance).
    @Test func empiricalTable() throws {
        let values = [10.0, 1, 2, 5, 2]
        let e = try EmpiricalDistribution(observations: values)
        // Mean 4; deviations -3, -2, -2, 1, 6: variance 54/5, fourth central moment 1410/5.
        let exact = ExactMoments(mean: 4, variance: 54.0 / 5, fourthCentral: 1410.0 / 5)
        let d = Distribution.empirical(e)
        let xs = draws(n, seed: 113) { d.sample(&$0) }
        #expect(xs.allSatisfy { values.contains($0) })
        expectMoments(xs, exact, "empirical table")
        expectProportion(xs.count(where: { $0 == 2 }), of: n, equals: 0.4, "empirical table P(2)")
        expectClose(d.mean, exact.mean, "empirical table mean property")
        expectClose(d.variance, exact.variance, "empirical table variance property")
    }

    /// A piecewise-linear CDF: uniform within each segment, with a point mass of 0.2 at 2 (a
    /// vertical step) and a zero-probability gap between 2 and 4 (a flat step).
    @Test func empiricalCDF() throws {
        let points: [(value: Double, probability: Double)] = [(0, 0), (1, 0.3), (2, 0.5), (2, 0.7), (4, 0.7), (10, 1)]
        let e = try EmpiricalDistribution(cdfPoints: points)
        // Raw moments segment by segment: uniform on [a, b] with weight w, or an atom when a == b.
        let exact = ExactMoments { j in
            var m = 0.0
            for i in 1..<points.count {
                let (a, b) = (points[i - 1].value, points[i].value)
                let w = points[i].probability - points[i - 1].probability
                if w == 0 { continue }
                m += a == b ? w * pow(a, Double(j))
                    : w * (pow(b, Double(j + 1)) - pow(a, Double(j + 1))) / (Double(j + 1) * (b - a))
            }
            return m
        }
        let d = Distribution.empirical(e)
        let xs = draws(n, seed: 114) { d.sample(&$0) }
        expectMoments(xs, exact, "empirical CDF")
        expectProportion(xs.count(where: { $0 == 2 }), of: n, equals: 0.2, "empirical CDF atom at 2")
        #expect(!xs.contains { $0 > 2 && $0 < 4 }, "no draws in the zero-probability gap")
        expectProportion(xs.count(where: { $0 < 1 }), of: n, equals: 0.3, "empirical CDF P(X < 1)")
        expectProportion(xs.count(where: { $0 < 7 }), of: n, equals: 0.85, "empirical CDF P(X < 7)")
        expectClose(d.mean, exact.mean, "empirical CDF mean property")
        expectClose(d.variance, exact.variance, "empirical CDF variance property")
    }

    /// A continuous piecewise-linear CDF (no atoms) is tested as a whole with KS.
    @Test func empiricalCDFShape() throws {
        let points: [(value: Double, probability: Double)] = [(0.5, 0), (1, 0.5), (3, 0.9), (20, 1)]
        let d = Distribution.empirical(try EmpiricalDistribution(cdfPoints: points))
        let xs = draws(n, seed: 115) { d.sample(&$0) }
        expectKolmogorovSmirnov(xs, cdf: { x in
            if x <= points[0].value { return 0 }
            for i in 1..<points.count where x <= points[i].value {
                let (a, b) = (points[i - 1], points[i])
                return a.probability + (b.probability - a.probability) * (x - a.value) / (b.value - a.value)
            }
            return 1
        }, "empirical CDF shape")
    }

    /// Alias method: every category's frequency (chi-square), the index moments, and a zero
    /// weight never drawn.
    @Test(arguments: [[5.0, 0, 1, 3, 1], [1, 1, 1], [0.001, 1000, 0.5, 7, 7, 7, 2], [4]])
    func categorical(weights: [Double]) throws {
        let c = try CategoricalDistribution(weights: weights)
        let total = weights.reduce(0, +)
        let p = weights.map { $0 / total }
        var rng = Xoshiro256StarStar(seed: 116 &+ seedOffset)
        let picks = (0..<n).map { _ in c.sample(&rng) }
        var counts = [Int](repeating: 0, count: weights.count)
        for k in picks { counts[k] += 1 }
        for (k, w) in weights.enumerated() where w == 0 { #expect(counts[k] == 0, "zero-weight outcome \(k) drawn") }
        // Chi-square over outcomes with enough expected draws; rare ones pooled into one cell.
        var observed: [Int] = [], expected: [Double] = []
        var pooledO = 0, pooledE = 0.0
        for k in p.indices where p[k] > 0 {
            if p[k] * Double(n) >= 50 { observed.append(counts[k]); expected.append(p[k] * Double(n)) }
            else { pooledO += counts[k]; pooledE += p[k] * Double(n) }
        }
        if pooledE >= 5 {
            observed.append(pooledO); expected.append(pooledE)
        } else if pooledE > 0, let big = expected.indices.max(by: { expected[$0] < expected[$1] }) {
            observed[big] += pooledO; expected[big] += pooledE  // too rare for a cell of its own
        }
        if observed.count >= 2 { expectChiSquareFits(observed: observed, expected: expected, "categorical \(weights)") }
        let exact = ExactMoments { j in p.enumerated().reduce(0) { $0 + $1.element * pow(Double($1.offset), Double(j)) } }
        if exact.variance > 0 {
            expectMoments(picks.map(Double.init), exact, "categorical index \(weights)")
        } else {
            #expect(picks.allSatisfy { $0 == 0 })
        }
        expectClose(c.mean, exact.mean, relative: 1e-12, "categorical mean property")
        #expect(abs(c.variance - exact.variance) <= 1e-12 * Swift.max(1, exact.variance), "categorical variance property")
    }

    /// The Zipf normaliser and moments beyond 20,000 ranks come from the Euler-Maclaurin
    /// formula: against the sum of every term, to 1e-12 relative, for exponents below, at and
    /// above 1 and the moments' orders (p = order - exponent, from -1.3 to +1.5), and across the
    /// switch from the exact sum.
    @Test(arguments: [-2.0, -1.3, -1.0, -0.8, -0.3, 0.0, 0.5, 1.0, 1.5])
    func powerSumMatchesTheFullSum(p: Double) {
        for n in [20_000, 20_001, 25_000, 1_000_000, 3_000_017] {
            var exact = 0.0
            var k = n
            while k >= 1 { exact += pow(Double(k), p); k -= 1 }
            let fast = ZipfDistribution.powerSum(n, p)
            #expect(abs(fast - exact) <= 1e-12 * exact, "sum of k^\(p) to \(n): \(fast) against \(exact)")
        }
    }

    /// Zipf by rejection-inversion against probabilities summed here: each of the five most
    /// popular ranks as a binomial proportion, chi-square over the head ranks and the pooled
    /// tail, and the rank's mean and variance. A million draws, because the approximations
    /// inside rejection-inversion are close to the truth: accepting every proposal without the
    /// exact check would put only 2% too much mass on rank 2 (exponent 1), which these
    /// proportions resolve (5 standard errors) and 200,000 draws would not.
    @Test(arguments: [(1000, 0.8), (1000, 1.0), (50, 1.3), (200_000, 1.1), (1, 1.0)])
    func zipf(count: Int, exponent: Double) throws {
        let n = 1_000_000
        let z = try ZipfDistribution(count: count, exponent: exponent)
        var norm = 0.0
        for k in stride(from: count, through: 1, by: -1) { norm += pow(Double(k), -exponent) }
        let prob = { (k: Int) in pow(Double(k), -exponent) / norm }
        var rng = Xoshiro256StarStar(seed: 117 &+ seedOffset)
        let ranks = (0..<n).map { _ in z.sample(&rng) }
        #expect(ranks.allSatisfy { (1...count).contains($0) })
        if count == 1 { #expect(ranks.allSatisfy { $0 == 1 }); return }
        let head = Swift.min(count - 1, 30)
        var counts = [Int](repeating: 0, count: head + 1)
        for r in ranks { counts[Swift.min(r, head + 1) - 1] += 1 }
        var expected = (1...head).map { prob($0) * Double(n) }
        expected.append(Double(n) - expected.reduce(0, +))
        for k in 1...Swift.min(5, count) {
            expectProportion(counts[k - 1], of: n, equals: prob(k), "zipf(\(count), \(exponent)) P(rank \(k))")
        }
        expectChiSquareFits(observed: counts, expected: expected, "zipf(\(count), \(exponent))")
        var raw = [0.0, 0, 0, 0]
        for k in 1...count { let pk = prob(k); for j in 0..<4 { raw[j] += pk * pow(Double(k), Double(j + 1)) } }
        let exact = ExactMoments(raw: raw[0], raw[1], raw[2], raw[3])
        expectMoments(ranks.map(Double.init), exact, "zipf(\(count), \(exponent)) rank")
        expectClose(z.mean, exact.mean, relative: 1e-9, "zipf mean property")
        expectClose(z.variance, exact.variance, relative: 1e-6, "zipf variance property")
        expectClose(z.probability(of: 1), prob(1), relative: 1e-12, "zipf P(1) property")
    }

    @Test(arguments: [0.3, 0.001, 0.0, 1.0])
    func bernoulli(p: Double) throws {
        let b = try BernoulliDistribution(p: p)
        var rng = Xoshiro256StarStar(seed: 118 &+ seedOffset)
        let xs = (0..<n).map { _ in b.sample(&rng) ? 1.0 : 0.0 }
        if p == 0 || p == 1 { #expect(xs.allSatisfy { $0 == p }); return }
        let q = 1 - p
        expectMoments(xs, ExactMoments(mean: p, variance: p * q, fourthCentral: p * q * (q * q * q + p * p * p)), "bernoulli(\(p))")
        #expect(b.mean == p)
        expectClose(b.variance, p * q, "bernoulli variance property")
    }
}

@Suite("Distributions: parameters, spec parsing and scaling")
struct DistributionParameterTests {
    @Test func invalidParametersThrow() {
        #expect(throws: DistributionError.self) { try Distribution.exponential(checkedMean: -1) }
        #expect(throws: DistributionError.self) { try Distribution.exponential(checkedMean: 0) }
        #expect(throws: DistributionError.self) { try Distribution.exponential(checkedMean: .nan) }
        #expect(throws: DistributionError.self) { try Distribution.exponential(checkedMean: .infinity) }
        #expect(throws: DistributionError.self) { try Distribution.deterministic(checked: -0.5) }
        #expect(throws: DistributionError.self) { try Distribution.uniform(checkedLow: 2, high: 1) }
        #expect(throws: DistributionError.self) { try Distribution.uniform(checkedLow: -1, high: 1) }
        #expect(throws: DistributionError.self) { try Distribution.normal(mean: 1, standardDeviation: -1) }
        #expect(throws: DistributionError.self) { try Distribution.normal(mean: -1, standardDeviation: 0) }
        #expect(throws: DistributionError.self) { try Distribution.lognormal(mean: -2, cv: 1) }
        #expect(throws: DistributionError.self) { try Distribution.lognormal(mean: 2, cv: 0) }
        #expect(throws: DistributionError.self) { try Distribution.gamma(mean: 0, cv: 1) }
        #expect(throws: DistributionError.self) { try Distribution.gamma(mean: 1, cv: -1) }
        #expect(throws: DistributionError.self) { try Distribution.erlang(checkedPhases: 0, mean: 1) }
        #expect(throws: DistributionError.self) { try Distribution.erlang(checkedPhases: 2, mean: -1) }
        #expect(throws: DistributionError.self) { try Distribution.hyperexponential(mean: -1, cv: 2) }
        #expect(throws: DistributionError.self) { try Distribution.hyperexponential(mean: 1, cv: 1) }
        #expect(throws: DistributionError.self) { try Distribution.hyperexponential(mean: 1, cv: 0.5) }
        #expect(throws: DistributionError.self) { try Distribution.weibull(checkedShape: 0, scale: 1) }
        #expect(throws: DistributionError.self) { try Distribution.weibull(checkedShape: 1, scale: -1) }
        #expect(throws: DistributionError.self) { try Distribution.pareto(checkedScale: 0, shape: 2) }
        #expect(throws: DistributionError.self) { try Distribution.pareto(checkedScale: 1, shape: -2) }
        #expect(throws: DistributionError.self) { try CategoricalDistribution(weights: []) }
        #expect(throws: DistributionError.self) { try CategoricalDistribution(weights: [1, -1]) }
        #expect(throws: DistributionError.self) { try CategoricalDistribution(weights: [0, 0]) }
        #expect(throws: DistributionError.self) { try CategoricalDistribution(weights: [1, .infinity]) }
        #expect(throws: DistributionError.self) { try ZipfDistribution(count: 0, exponent: 1) }
        #expect(throws: DistributionError.self) { try ZipfDistribution(count: 10, exponent: 0) }
        #expect(throws: DistributionError.self) { try BernoulliDistribution(p: 1.5) }
        #expect(throws: DistributionError.self) { try BernoulliDistribution(p: -0.1) }
        #expect(throws: DistributionError.self) { try EmpiricalDistribution(observations: []) }
        #expect(throws: DistributionError.self) { try EmpiricalDistribution(observations: [1, -2]) }
        #expect(throws: DistributionError.self) { try EmpiricalDistribution(cdfPoints: [(1, 0)]) }
        #expect(throws: DistributionError.self) { try EmpiricalDistribution(cdfPoints: [(1, 0.1), (2, 1)]) }
        #expect(throws: DistributionError.self) { try EmpiricalDistribution(cdfPoints: [(1, 0), (2, 0.9)]) }
        #expect(throws: DistributionError.self) { try EmpiricalDistribution(cdfPoints: [(1, 0), (0.5, 0.5), (2, 1)]) }
        #expect(throws: DistributionError.self) { try EmpiricalDistribution(cdfPoints: [(1, 0), (2, 0.6), (3, 0.5), (4, 1)]) }
        #expect(throws: DistributionError.self) { try EmpiricalDistribution(cdfPoints: [(-1, 0), (2, 1)]) }
    }

    @Test func validSpecsParse() throws {
        #expect(try Distribution(spec: "exp:2") == .exponential(mean: 2))
        #expect(try Distribution(spec: "exponential:0.5") == .exponential(mean: 0.5))
        #expect(try Distribution(spec: " Exp : 2 ") == .exponential(mean: 2))
        #expect(try Distribution(spec: "det:3") == .deterministic(3))
        #expect(try Distribution(spec: "const:0") == .deterministic(0))
        #expect(try Distribution(spec: "uniform:1,4") == .uniform(low: 1, high: 4))
        #expect(try Distribution(spec: "normal:5,1") == .truncatedNormal(mean: 5, standardDeviation: 1))
        #expect(try Distribution(spec: "erlang:3,1.5") == .erlang(phases: 3, mean: 1.5))
        #expect(try Distribution(spec: "weibull:1.5,2") == .weibull(shape: 1.5, scale: 2))
        #expect(try Distribution(spec: "pareto:2,6") == .pareto(scale: 2, shape: 6))
        // Mean-and-cv forms: the parsed distribution has that mean and cv.
        for (spec, mean, cv) in [("lognormal:10,0.5", 10.0, 0.5), ("gamma:3, 2", 3, 2), ("hyperexp:1,2", 1, 2), ("H2:4,1.5", 4, 1.5)] {
            let d = try Distribution(spec: spec)
            expectClose(d.mean, mean, "\(spec) mean")
            expectClose(d.squaredCV, cv * cv, relative: 1e-9, "\(spec) cv^2")
        }
    }

    @Test(arguments: ["exp", "exp:", "exp:1,2", "foo:1", "erlang:2.5,1", "erlang:0,1", "exp:-1",
                      "exp:nan", "exp:inf", "exp:abc", "hyperexp:1,0.5", "uniform:3", "lognormal:1,0",
                      "weibull:0,1", ":1", "det:-1", "erlang:1e9,1"])
    func invalidSpecsThrow(spec: String) {
        #expect(throws: DistributionError.self) { try Distribution(spec: spec) }
    }

    /// Scaling every time by f multiplies the mean by f and the variance by f^2, in every case.
    @Test func scalingMultipliesMoments() throws {
        let all: [Distribution] = [
            .exponential(mean: 2), .deterministic(3), .uniform(low: 1, high: 4),
            .truncatedNormal(mean: 1, standardDeviation: 0.8), try .lognormal(mean: 2, cv: 1.5),
            try .gamma(mean: 3, cv: 0.5), .erlang(phases: 3, mean: 1.5), try .hyperexponential(mean: 1, cv: 2),
            .weibull(shape: 1.5, scale: 2), .pareto(scale: 2, shape: 6),
            .empirical(try EmpiricalDistribution(observations: [1, 2, 2, 5, 10])),
            .empirical(try EmpiricalDistribution(cdfPoints: [(0, 0), (1, 0.3), (2, 0.5), (2, 0.7), (10, 1)])),
        ]
        for f in [0.001, 7.0] {
            for d in all {
                let s = d.scaled(by: f)
                expectClose(s.mean, f * d.mean, relative: 1e-12, "\(d) scaled by \(f): mean")
                #expect(abs(s.variance - f * f * d.variance) <= 1e-9 * f * f * Swift.max(d.variance, 1), "\(d) scaled by \(f): variance")
            }
        }
    }
}

/// The generator's own draws used by the simulation's arrival streams and counts.
@Suite struct GeneratorDrawTests {
    @Test func exponentialRate() {
        let rate = 4.0, m = 1 / rate
        let exact = ExactMoments(mean: m, variance: m * m, fourthCentral: 9 * m * m * m * m)
        let xs = draws(200_000, seed: 151) { $0.exponential(rate: rate) }
        expectMoments(xs, exact, "exponential(rate 4)")
        expectKolmogorovSmirnov(xs, cdf: { 1 - exp(-rate * $0) }, "exponential(rate 4)")
    }

    /// Knuth's product method below a mean of 50 (checked against the Poisson pmf by
    /// chi-square), the normal approximation above it (mean and variance equal to the mean).
    @Test(arguments: [0.3, 2.5, 17.0])
    func poissonSmallMeansFollowThePMF(_ mean: Double) {
        let n = 200_000
        var rng = Xoshiro256StarStar(seed: 152)
        var counts = [Int](repeating: 0, count: 200)
        for _ in 0..<n { counts[Swift.min(199, rng.poisson(mean: mean))] += 1 }
        // Cells with an expected count of at least 5; the tail pooled into the last one.
        var pmf = exp(-mean)
        var chi2 = 0.0, cells = 0, tailObserved = n, tailExpected = Double(n)
        for k in 0..<199 {
            let expected = Double(n) * pmf
            if expected < 5 && k > Int(mean) { break }
            if expected >= 5 {
                chi2 += pow(Double(counts[k]) - expected, 2) / expected
                cells += 1
                tailObserved -= counts[k]
                tailExpected -= expected
            }
            pmf *= mean / Double(k + 1)
        }
        if tailExpected >= 5 { chi2 += pow(Double(tailObserved) - tailExpected, 2) / tailExpected; cells += 1 }
        // The 0.999 quantile of chi-square with cells-1 degrees of freedom (Wilson-Hilferty):
        // a correct sampler fails this one run in a thousand.
        let k = Double(cells - 1), z = 3.090
        let critical = k * pow(1 - 2 / (9 * k) + z * (2 / (9 * k)).squareRoot(), 3)
        #expect(chi2 < critical, "mean \(mean): chi2 \(chi2) over \(cells) cells, critical \(critical)")
    }

    @Test func poissonLargeMeanHasItsMeanAndVariance() {
        let mean = 400.0, n = 100_000
        var rng = Xoshiro256StarStar(seed: 153)
        let xs = (0..<n).map { _ in Double(rng.poisson(mean: mean)) }
        let m = xs.reduce(0, +) / Double(n)
        let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)
        // Standard errors: sqrt(400/1e5) = 0.063 for the mean; about 400 * sqrt(2/1e5) = 1.8 for the variance.
        #expect(abs(m - mean) < 4 * 0.063, "mean \(m)")
        #expect(abs(v - mean) < 4 * 1.8, "variance \(v)")
        #expect(rng.poisson(mean: 0) == 0 && rng.poisson(mean: -1) == 0)
    }
}
