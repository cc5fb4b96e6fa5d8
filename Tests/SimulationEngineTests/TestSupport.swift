import Testing
@testable import SimulationEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Shared statistical helpers for the engine's tests.
//
// Every tolerance in this suite is a number of standard errors computed from the run being
// checked (or a Student t interval over independent replications), never a constant tuned
// until the test passes. Seeds are fixed, so each test is deterministic; the tolerances are
// chosen so that a correct implementation would fail with probability of order 1e-5 per
// check for a seed picked at random.

/// Standard errors allowed for a sample mean or variance (two-sided p = 6.8e-6 under normality).
let momentZ = 4.5

/// Confidence level of the replication intervals that must contain a theoretical value.
///
/// 99.99% rather than 99.9% because of multiplicity: the suite makes about 180 such checks
/// (correlated, but not perfectly), so at 99.9% some check somewhere would fail for roughly
/// one seed set in ten even with a correct engine; at 99.99% the whole suite's false-alarm
/// rate is about 1-2%. With 20 replications this is t = 4.90 standard errors of the mean.
/// It also leaves room for mildly skewed replication estimates (heavy-tailed service), for
/// which a t interval from 20 values is a little optimistic.
let theoryConfidence = 0.9999

// MARK: Moments computed in the test

/// Mean and unbiased variance of a sample, by two passes (independent of the engine's `Tally`).
struct SampleMoments {
    let count: Int
    let mean: Double
    let variance: Double

    init(_ xs: [Double]) {
        count = xs.count
        var sum = 0.0
        for x in xs { sum += x }
        let m = sum / Double(xs.count)
        var ss = 0.0, comp = 0.0
        for x in xs { ss += (x - m) * (x - m); comp += x - m }
        mean = m
        // Corrected two-pass formula (Chan, Golub and LeVeque): removes the rounding in m.
        variance = (ss - comp * comp / Double(xs.count)) / Double(xs.count - 1)
    }
}

/// The exact mean, variance and fourth central moment of a distribution.
struct ExactMoments: CustomStringConvertible {
    let mean: Double
    let variance: Double
    /// E[(X - mean)^4]; infinite when the fourth moment diverges.
    let fourthCentral: Double

    init(mean: Double, variance: Double, fourthCentral: Double) {
        self.mean = mean
        self.variance = variance
        self.fourthCentral = fourthCentral
    }

    /// From the raw moments E[X], E[X^2], E[X^3], E[X^4].
    init(raw m1: Double, _ m2: Double, _ m3: Double, _ m4: Double) {
        mean = m1
        variance = m2 - m1 * m1
        fourthCentral = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 * m1 * m1 * m1
    }

    /// From a function giving the raw moment E[X^k] for k = 1...4.
    init(rawMoment: (Int) -> Double) {
        self.init(raw: rawMoment(1), rawMoment(2), rawMoment(3), rawMoment(4))
    }

    var description: String { "mean \(mean), variance \(variance), mu4 \(fourthCentral)" }

    /// Standard error of the mean of n draws.
    func standardErrorOfMean(_ n: Int) -> Double { (variance / Double(n)).squareRoot() }

    /// Standard error of the unbiased sample variance of n draws:
    /// Var(s^2) = mu4 / n - sigma^4 (n - 3) / (n (n - 1)).
    func standardErrorOfVariance(_ n: Int) -> Double {
        let nd = Double(n)
        return (fourthCentral / nd - variance * variance * (nd - 3) / (nd * (nd - 1))).squareRoot()
    }
}

/// Added to the fixed seeds of `draws` and `replicate`: 0 unless the environment variable
/// PLATFORMSIM_TEST_SEED_OFFSET is set. Running the suite with a few other offsets shows that
/// it passes on its statistics, not on seeds picked to make it pass.
let seedOffset: UInt64 = getenv("PLATFORMSIM_TEST_SEED_OFFSET").flatMap { UInt64(String(cString: $0)) } ?? 0

/// Draws `n` values with a fixed-seed generator.
func draws(_ n: Int, seed: UInt64, _ draw: (inout Xoshiro256StarStar) -> Double) -> [Double] {
    var rng = Xoshiro256StarStar(seed: seed &+ seedOffset)
    var xs = [Double]()
    xs.reserveCapacity(n)
    for _ in 0..<n { xs.append(draw(&rng)) }
    return xs
}

/// Checks a sample's mean and variance against exact values, each within `momentZ` standard errors.
func expectMoments(_ xs: [Double], _ exact: ExactMoments, _ label: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    let s = SampleMoments(xs)
    let seMean = exact.standardErrorOfMean(xs.count)
    let seVar = exact.standardErrorOfVariance(xs.count)
    #expect(seVar.isFinite, "\(label): the variance check needs a finite fourth moment", sourceLocation: sourceLocation)
    #expect(abs(s.mean - exact.mean) <= momentZ * seMean,
            "\(label): sample mean \(s.mean) vs exact \(exact.mean) (se \(seMean), z \((s.mean - exact.mean) / seMean))",
            sourceLocation: sourceLocation)
    #expect(abs(s.variance - exact.variance) <= momentZ * seVar,
            "\(label): sample variance \(s.variance) vs exact \(exact.variance) (se \(seVar), z \((s.variance - exact.variance) / seVar))",
            sourceLocation: sourceLocation)
}

/// Checks that an observed proportion is within `momentZ` binomial standard errors of p.
func expectProportion(_ hits: Int, of n: Int, equals p: Double, _ label: String,
                      sourceLocation: SourceLocation = #_sourceLocation) {
    let observed = Double(hits) / Double(n)
    let se = (p * (1 - p) / Double(n)).squareRoot()
    #expect(abs(observed - p) <= momentZ * se + 1e-15,
            "\(label): observed \(observed) vs \(p) (se \(se))", sourceLocation: sourceLocation)
}

/// Relative closeness for values computed two exact ways (rounding only).
func expectClose(_ a: Double, _ b: Double, relative: Double = 1e-9, _ label: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(abs(a - b) <= relative * Swift.max(abs(a), abs(b), 1e-300), "\(label): \(a) vs \(b)",
            sourceLocation: sourceLocation)
}

// MARK: Goodness of fit

/// Pearson's chi-square statistic for observed counts against expected counts.
func chiSquare(observed: [Int], expected: [Double]) -> Double {
    var x2 = 0.0
    for (o, e) in zip(observed, expected) { x2 += (Double(o) - e) * (Double(o) - e) / e }
    return x2
}

/// Standard normal quantile by bisection on erfc (libm), for the chi-square bounds below.
func normalQuantile(_ p: Double) -> Double {
    var lo = -40.0, hi = 40.0
    for _ in 0..<200 {
        let mid = (lo + hi) / 2
        if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
}

/// Chi-square quantile by the Wilson-Hilferty cube-root approximation (accurate to about 1% in
/// the upper tail for 3 or more degrees of freedom, which is far finer than the tail probabilities used).
func chiSquareQuantile(_ p: Double, degreesOfFreedom k: Double) -> Double {
    let z = normalQuantile(p)
    let a = 2 / (9 * k)
    let c = 1 - a + z * a.squareRoot()
    return k * c * c * c
}

/// Checks a chi-square statistic lies between the 0.00001 and 0.99999 quantiles: too large
/// means a bad fit, too small means suspiciously regular (non-random) output.
func expectChiSquareFits(observed: [Int], expected: [Double], _ label: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    precondition(expected.allSatisfy { $0 >= 5 }, "chi-square needs expected counts of 5 or more")
    let df = Double(observed.count - 1)
    let x2 = chiSquare(observed: observed, expected: expected)
    let upper: Double, lower: Double
    switch df {
    case 1:  // the square of a standard normal
        upper = pow(normalQuantile(1 - 0.5e-5), 2); lower = 0
    case 2:  // exponential with mean 2
        upper = -2 * log(1e-5); lower = 0
    default:
        upper = chiSquareQuantile(0.99999, degreesOfFreedom: df)
        // Wilson-Hilferty is rough in the far lower tail with few degrees of freedom; only
        // check for suspicious regularity where it is reliable.
        lower = df >= 10 ? chiSquareQuantile(0.00001, degreesOfFreedom: df) : 0
    }
    #expect(x2 <= upper && x2 >= lower, "\(label): chi-square \(x2) with \(df) df outside [\(lower), \(upper)]",
            sourceLocation: sourceLocation)
}

/// One-sample Kolmogorov-Smirnov test for a continuous CDF: sqrt(n) D_n exceeds 2.3 with
/// probability at most 2 exp(-2 * 2.3^2) = 5e-5, for every n (the Dvoretzky-Kiefer-Wolfowitz
/// inequality with Massart's constant).
func expectKolmogorovSmirnov(_ xs: [Double], cdf: (Double) -> Double, _ label: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
    let sorted = xs.sorted()
    let n = Double(sorted.count)
    var d = 0.0
    for (i, x) in sorted.enumerated() {
        let f = cdf(x)
        d = Swift.max(d, f - Double(i) / n, Double(i + 1) / n - f)
    }
    #expect(d * n.squareRoot() <= 2.3, "\(label): KS statistic sqrt(n) D = \(d * n.squareRoot())",
            sourceLocation: sourceLocation)
}

// MARK: Replications and theory

/// Runs `count` independent replications, replication r using RandomStreams(masterSeed: seed, replication: r).
func replicate<T: Sendable>(_ count: Int, seed: UInt64, _ body: @escaping @Sendable (RandomStreams) -> T) -> [T] {
    let seed = seed &+ seedOffset
    return ParallelRunner.run(count: count) { r in body(RandomStreams(masterSeed: seed, replication: r)) }
}

/// Checks that a theoretical value lies in the 99.99% Student t interval of independent
/// replication estimates, and that the interval is narrow enough (relative half-width at most
/// `precision`) for the check to have power.
func expectTheory(_ estimates: [Double], _ theory: Double, precision: Double, _ label: String,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    let ci = ConfidenceInterval(samples: estimates, confidence: theoryConfidence)
    #expect(ci.contains(theory),
            "\(label): theory \(theory) outside the 99.99% interval \(ci.mean) ± \(ci.halfWidth) over \(ci.samples) replications",
            sourceLocation: sourceLocation)
    #expect(ci.halfWidth <= precision * abs(theory),
            "\(label): interval too wide to test anything: ± \(ci.halfWidth) around \(ci.mean) (wanted at most \(precision * abs(theory)))",
            sourceLocation: sourceLocation)
    if ProcessInfoLike.verbose {
        print("[precision] \(label): theory \(theory), estimate \(ci.mean) ± \(ci.halfWidth) (\(100 * ci.halfWidth / abs(theory))%)")
    }
}

/// Checks that a relation that must hold exactly in expectation (difference zero) does, within
/// the 99.99% interval of its per-replication values.
func expectZeroWithinCI(_ differences: [Double], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let ci = ConfidenceInterval(samples: differences, confidence: theoryConfidence)
    #expect(ci.contains(0), "\(label): mean difference \(ci.mean) ± \(ci.halfWidth) excludes 0",
            sourceLocation: sourceLocation)
}

/// `PLATFORMSIM_TEST_VERBOSE=1 swift test` prints each interval's precision.
enum ProcessInfoLike {
    static let verbose: Bool = getenv("PLATFORMSIM_TEST_VERBOSE") != nil
}

// MARK: Analytic queueing formulas (computed here, independently of the engine)

/// Erlang C: the probability that an arrival waits in M/M/c with offered load a = lambda/mu.
/// Uses the stable recursion for Erlang B, B(k) = a B(k-1) / (k + a B(k-1)).
func erlangC(servers c: Int, offeredLoad a: Double) -> Double {
    var b = 1.0
    for k in 1...c { b = a * b / (Double(k) + a * b) }
    let rho = a / Double(c)
    return b / (1 - rho * (1 - b))
}

/// Stationary distribution of a birth-death chain on 0...n with the given rates
/// (birth(k) from k to k+1, death(k) from k to k-1), by p_k proportional to the product of ratios.
func birthDeathDistribution(states n: Int, birth: (Int) -> Double, death: (Int) -> Double) -> [Double] {
    var p = [Double](repeating: 0, count: n + 1)
    p[0] = 1
    for k in 1...n { p[k] = p[k - 1] * birth(k - 1) / death(k) }
    let total = p.reduce(0, +)
    return p.map { $0 / total }
}
